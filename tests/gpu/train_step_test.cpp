// A training step on CUDA equals the same step on the CPU: same registry model (TextCNN, GPT),
// same initial weights, same batch; forward, loss, backward, gradient masks, Topiary's Adam
// (train/optimizer.cpp), weight masks -- the trainer's step order (Note [Step ordering]).
// TF32 is off so that CUDA matmuls and convolutions compute in fp32 like the CPU.
#include <ATen/Context.h>
#include <ATen/autocast_mode.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

#include "gpu_test_util.h"
#include "models/model.h"
#include "recipe/recipe.h"
#include "train/mask_set.h"
#include "train/optimizer.h"

namespace topiary::train {
namespace {

using NamedParameters = std::vector<std::pair<std::string, torch::Tensor>>;
using gpu_test::fraction_outside;
using gpu_test::max_abs_diff;

constexpr double kLr = 1e-3;

NamedParameters named(torch::nn::Module& model) {
  NamedParameters out;
  for (const auto& item : model.named_parameters()) out.emplace_back(item.key(), item.value());
  return out;
}

models::ModelSpec textcnn_spec() {
  models::ModelSpec spec;
  spec.type = ModelType::kTextCnn;
  spec.vocab_size = 300;
  spec.num_classes = 3;
  spec.embedding_dim = 32;
  spec.filters = 16;
  spec.dropout = 0.0;  // dropout draws from per-device generators: keep the step deterministic
  return spec;
}

models::ModelSpec gpt_spec() {
  models::ModelSpec spec;
  spec.type = ModelType::kGpt;
  spec.vocab_size = 97;
  spec.embedding_dim = 64;
  spec.heads = 4;
  spec.ffn = 128;
  spec.layers = 2;
  spec.max_positions = 32;
  spec.dropout = 0.0;
  return spec;
}

// Loss of one batch: classification for classifiers, next-token cross-entropy for the LM.
torch::Tensor loss_of(models::Model& model, const torch::Tensor& tokens,
                      const torch::Tensor& targets) {
  torch::Tensor out = model.forward(tokens).to(torch::kFloat32);
  if (model.is_language_model()) out = out.reshape({-1, out.size(-1)});
  return torch::nn::functional::cross_entropy(out, targets.reshape({-1}));
}

// One side of the comparison: a model on `device` with its optimizer and masks.
struct Side {
  std::shared_ptr<models::Model> model;
  NamedParameters parameters;
  std::unique_ptr<torch::optim::Optimizer> optimizer;
  MaskSet masks;
};

Side make_side(const models::ModelSpec& spec, torch::Device device,
               const std::map<std::string, torch::Tensor>& masks) {
  torch::manual_seed(11);  // same CPU initialisation on both sides, then moved
  Side side;
  side.model = models::make_model(spec);
  side.model->to(device);
  side.model->train();
  side.parameters = named(*side.model);
  recipe::TrainingConfig config;
  config.optimizer = recipe::Optimizer::kAdam;
  config.lr = kLr;
  side.optimizer = make_optimizer(config, side.parameters);
  for (const auto& [name, p] : side.parameters) {
    auto it = masks.find(name);
    if (it == masks.end()) continue;
    side.masks.add(name, p);
    side.masks.at(name).copy_(it->second);
  }
  side.masks.apply_to_weights(side.parameters);
  return side;
}

// Runs `steps` steps on the CPU and on CUDA and compares loss, gradients and weights each step.
void expect_same_steps(const models::ModelSpec& spec, const torch::Tensor& tokens,
                       const torch::Tensor& targets, double mask_density, int steps) {
  at::globalContext().setAllowTF32CuBLAS(false);
  at::globalContext().setAllowTF32CuDNN(false);
  std::map<std::string, torch::Tensor> masks;
  {
    torch::manual_seed(5);
    auto probe = models::make_model(spec);
    for (const auto& [name, p] : named(*probe)) {
      if (p.dim() >= 2 && name.find("weight") != std::string::npos && name != "position.weight")
        masks[name] = (torch::rand(p.sizes()) < mask_density).to(torch::kFloat32);
    }
  }
  Side cpu = make_side(spec, torch::kCPU, masks);
  Side gpu = make_side(spec, torch::kCUDA, masks);
  ASSERT_EQ(cpu.parameters.size(), gpu.parameters.size());
  for (size_t i = 0; i < cpu.parameters.size(); ++i) {
    ASSERT_TRUE(gpu.parameters[i].second.is_cuda()) << gpu.parameters[i].first;
    ASSERT_EQ(max_abs_diff(cpu.parameters[i].second, gpu.parameters[i].second), 0.0)
        << "initial " << cpu.parameters[i].first;
  }
  const torch::Tensor gpu_tokens = tokens.to(torch::kCUDA);
  const torch::Tensor gpu_targets = targets.to(torch::kCUDA);
  for (int step = 0; step < steps; ++step) {
    SCOPED_TRACE("step " + std::to_string(step + 1));
    for (Side* side : {&cpu, &gpu}) side->optimizer->zero_grad();
    torch::Tensor cpu_loss = loss_of(*cpu.model, tokens, targets);
    torch::Tensor gpu_loss = loss_of(*gpu.model, gpu_tokens, gpu_targets);
    EXPECT_NEAR(gpu_loss.item<double>(), cpu_loss.item<double>(),
                1e-5 * std::abs(cpu_loss.item<double>()) + 1e-6);
    cpu_loss.backward();
    gpu_loss.backward();
    for (Side* side : {&cpu, &gpu}) side->masks.apply_to_grads(side->parameters);
    for (size_t i = 0; i < cpu.parameters.size(); ++i) {
      const auto& [name, p] = cpu.parameters[i];
      const torch::Tensor& q = gpu.parameters[i].second;
      ASSERT_TRUE(p.grad().defined() && q.grad().defined()) << name;
      EXPECT_EQ(fraction_outside(q.grad(), p.grad(), 1e-3, 1e-6), 0.0)
          << "gradient " << name << " max diff " << max_abs_diff(q.grad(), p.grad());
    }
    for (Side* side : {&cpu, &gpu}) {
      side->optimizer->step();
      side->masks.apply_to_weights(side->parameters);
    }
    for (size_t i = 0; i < cpu.parameters.size(); ++i) {
      const auto& [name, p] = cpu.parameters[i];
      const torch::Tensor& q = gpu.parameters[i].second;
      // Adam normalises each gradient, so an entry whose gradient is rounding noise may move by
      // up to 2 * lr in either direction; nearly all entries must agree to 1e-5.
      EXPECT_LE(fraction_outside(q, p, 0.0, 1e-5), 1e-3) << "weights " << name;
      EXPECT_LE(max_abs_diff(q, p), 2.5 * kLr * (step + 1)) << "weights " << name;
      if (cpu.masks.has(name)) {
        const torch::Tensor pruned = cpu.masks.at(name) == 0;
        EXPECT_EQ(q.cpu().masked_select(pruned).abs().sum().item<double>(), 0.0)
            << "pruned weights revived on CUDA in " << name;
      }
    }
  }
}

TEST(CudaTrainingStep, TextCnnEqualsCpu) {
  TOPIARY_REQUIRE_CUDA();
  torch::manual_seed(3);
  const torch::Tensor tokens = torch::randint(1, 300, {8, 20}, torch::kInt64);
  const torch::Tensor labels = torch::randint(0, 3, {8}, torch::kInt64);
  expect_same_steps(textcnn_spec(), tokens, labels, /*mask_density=*/1.0, /*steps=*/3);
}

TEST(CudaTrainingStep, MaskedGptEqualsCpu) {
  TOPIARY_REQUIRE_CUDA();
  torch::manual_seed(4);
  const torch::Tensor block = torch::randint(0, 97, {4, 33}, torch::kInt64);
  const torch::Tensor tokens = block.narrow(1, 0, 32).contiguous();
  const torch::Tensor targets = block.narrow(1, 1, 32).contiguous();
  expect_same_steps(gpt_spec(), tokens, targets, /*mask_density=*/0.5, /*steps=*/3);
}

// bf16 autocast of the forward pass (training.precision: bf16) on CUDA gives a loss close to
// the CPU's bf16 autocast loss; both round differently, so the tolerance is bf16-sized.
TEST(CudaTrainingStep, Bf16AutocastLossCloseToCpu) {
  TOPIARY_REQUIRE_CUDA();
  torch::manual_seed(11);
  auto cpu_model = models::make_model(gpt_spec());
  torch::manual_seed(11);
  auto gpu_model = models::make_model(gpt_spec());
  gpu_model->to(torch::kCUDA);
  torch::manual_seed(4);
  const torch::Tensor block = torch::randint(0, 97, {4, 33}, torch::kInt64);
  const torch::Tensor tokens = block.narrow(1, 0, 32).contiguous();
  const torch::Tensor targets = block.narrow(1, 1, 32).contiguous();
  auto bf16_loss = [&](models::Model& model, at::DeviceType device, const torch::Tensor& x,
                       const torch::Tensor& y) {
    at::autocast::set_autocast_dtype(device, at::kBFloat16);
    at::autocast::set_autocast_enabled(device, true);
    at::autocast::increment_nesting();
    torch::Tensor loss = loss_of(model, x, y);
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
    at::autocast::set_autocast_enabled(device, false);
    return loss.item<double>();
  };
  const double cpu = bf16_loss(*cpu_model, at::kCPU, tokens, targets);
  const double gpu = bf16_loss(*gpu_model, at::kCUDA, tokens.cuda(), targets.cuda());
  EXPECT_NEAR(gpu, cpu, 0.02 * std::abs(cpu));
}

}  // namespace
}  // namespace topiary::train
