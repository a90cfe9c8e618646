// The step's non-finite check on CUDA gradients (train/finite_check.cpp): the one-pass flag the
// trainer reads every step on a GPU finds NaN and both infinities in every layout and dtype,
// agrees with the per-parameter flags, and leaves the gradients bit for bit as they were.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "gpu_test_util.h"
#include "train/finite_check.h"

namespace topiary::train {
namespace {

using Named = std::vector<std::pair<std::string, torch::Tensor>>;

// Contiguous float32 (large enough for several multi-tensor chunks), bf16 (which the CUDA
// multi-tensor check refuses: checked alone), transposed, expanded;
// and a parameter with no gradient. `poison` goes into gradient `where` (none when -1).
Named cuda_parameters_with(float poison, int where) {
  const torch::Device cuda(torch::kCUDA);
  std::vector<torch::Tensor> storage = {torch::randn({1 << 20}),
                                        torch::randn({9}).to(torch::kBFloat16),
                                        torch::randn({40, 60}), torch::randn({3, 1})};
  if (where >= 0) storage[where].view({-1})[where == 0 ? 777777 : 1] = poison;
  for (auto& tensor : storage) tensor = tensor.to(cuda);
  const std::vector<torch::Tensor> grads = {storage[0], storage[1], storage[2].t(),
                                            storage[3].expand({3, 4})};
  Named named;
  for (size_t i = 0; i < grads.size(); ++i) {
    torch::Tensor p = torch::zeros(grads[i].sizes(), grads[i].options()).set_requires_grad(true);
    p.mutable_grad() = grads[i];
    named.emplace_back("p" + std::to_string(i), p);
  }
  named.emplace_back(
      "unused", torch::zeros({2}, torch::TensorOptions().device(cuda)).set_requires_grad(true));
  return named;
}

TEST(CudaFiniteCheck, OnePassFlagAgreesWithPerParameterFlagsAndKeepsGradients) {
  if (const std::string why = gpu_test::cuda_skip_reason(); !why.empty()) GTEST_SKIP() << why;
  torch::manual_seed(5);
  Named clean = cuda_parameters_with(0.0f, -1);
  std::vector<torch::Tensor> before;
  for (const auto& [name, p] : clean)
    before.push_back(p.grad().defined() ? p.grad().clone() : torch::Tensor());
  const torch::Tensor found = nonfinite_gradient_found(clean);
  EXPECT_TRUE(found.is_cuda());
  EXPECT_EQ(found.item<float>(), 0.0f);
  EXPECT_TRUE(finite_gradient_flags(clean).all().item<bool>());
  for (size_t i = 0; i < clean.size(); ++i) {
    if (before[i].defined())
      EXPECT_TRUE(torch::equal(clean[i].second.grad(), before[i])) << clean[i].first;
  }
  for (const float poison : {std::nanf(""), INFINITY, -INFINITY}) {
    for (int where = 0; where < 4; ++where) {
      SCOPED_TRACE("poison " + std::to_string(poison) + " in gradient " + std::to_string(where));
      const Named named = cuda_parameters_with(poison, where);
      EXPECT_EQ(nonfinite_gradient_found(named).item<float>(), 1.0f);
      EXPECT_FALSE(finite_gradient_flags(named)[where].item<bool>());
    }
  }
}

}  // namespace
}  // namespace topiary::train
