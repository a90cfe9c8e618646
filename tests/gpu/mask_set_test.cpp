// Masks on CUDA parameters (train/mask_set.cpp) give exactly the CPU's masked weights and
// gradients (a 0/1 multiply is exact), count the same sparsity, and zeroing optimizer state
// where a mask is 0 (train/optimizer.cpp, Note [Masks]) works on CUDA state too.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

#include "gpu_test_util.h"
#include "recipe/recipe.h"
#include "train/mask_set.h"
#include "train/optimizer.h"

namespace topiary::train {
namespace {

using NamedParameters = std::vector<std::pair<std::string, torch::Tensor>>;

struct Fixture {
  NamedParameters parameters;
  MaskSet masks;
};

// Three parameters, two of them masked at ~90% with the same masks on both devices.
Fixture make_fixture(torch::Device device) {
  torch::manual_seed(21);
  Fixture f;
  const std::vector<std::pair<std::string, std::vector<int64_t>>> shapes = {
      {"layers.0.ffn.up.weight", {256, 64}},
      {"layers.0.ffn.up.bias", {256}},
      {"head.weight", {97, 64}}};
  for (const auto& [name, shape] : shapes) {
    torch::Tensor p = torch::randn(shape).to(device).set_requires_grad(true);
    p.mutable_grad() = torch::randn(shape).to(device);
    f.parameters.emplace_back(name, p);
  }
  for (const auto& [name, p] : f.parameters) {
    if (p.dim() < 2) continue;
    f.masks.add(name, p);
    f.masks.at(name).copy_((torch::rand(p.sizes()) >= 0.9).to(torch::kFloat32));
  }
  return f;
}

TEST(CudaMaskSet, MaskedWeightsAndGradientsEqualCpu) {
  TOPIARY_REQUIRE_CUDA();
  Fixture cpu = make_fixture(torch::kCPU);
  Fixture gpu = make_fixture(torch::kCUDA);
  for (const auto& [name, mask] : gpu.masks.all()) {
    EXPECT_TRUE(mask.is_cuda()) << "mask " << name << " should live beside its parameter";
  }
  for (Fixture* f : {&cpu, &gpu}) {
    f->masks.apply_to_grads(f->parameters);
    f->masks.apply_to_weights(f->parameters);
  }
  for (size_t i = 0; i < cpu.parameters.size(); ++i) {
    const auto& [name, p] = cpu.parameters[i];
    const torch::Tensor& q = gpu.parameters[i].second;
    EXPECT_TRUE(torch::equal(q.detach().cpu(), p.detach())) << "weights " << name;
    EXPECT_TRUE(torch::equal(q.grad().cpu(), p.grad())) << "gradient " << name;
  }
  EXPECT_EQ(gpu.masks.zero_elements(), cpu.masks.zero_elements());
  EXPECT_EQ(gpu.masks.masked_elements(), cpu.masks.masked_elements());
  EXPECT_NEAR(gpu.masks.sparsity(), 0.9, 0.02);
}

TEST(CudaMaskSet, ZeroedOptimizerStateStaysZeroOnCuda) {
  TOPIARY_REQUIRE_CUDA();
  Fixture gpu = make_fixture(torch::kCUDA);
  recipe::TrainingConfig config;
  config.optimizer = recipe::Optimizer::kAdam;
  auto optimizer = make_optimizer(config, gpu.parameters);
  optimizer->step();  // creates exp_avg / exp_avg_sq on the device
  const auto& [name, p] = gpu.parameters[0];
  const torch::Tensor mask = gpu.masks.at(name);
  zero_optimizer_state(*optimizer, p, mask);
  const OptimizerStateArrays state = export_optimizer_state(*optimizer, gpu.parameters);
  int checked = 0;
  for (const auto& [key, tensor] : state.tensors) {
    if (key.rfind(name + ":", 0) != 0) continue;
    EXPECT_TRUE(tensor.is_cuda()) << key;
    EXPECT_EQ(tensor.masked_select(mask == 0).abs().sum().item<double>(), 0.0) << key;
    EXPECT_GT(tensor.masked_select(mask == 1).abs().sum().item<double>(), 0.0) << key;
    ++checked;
  }
  EXPECT_EQ(checked, 2);  // exp_avg and exp_avg_sq
}

}  // namespace
}  // namespace topiary::train
