// The step's non-finite check: the one-pass "any non-finite" flag agrees with the
// per-parameter flags, sees NaN and both infinities in every layout and dtype, and leaves the
// gradients bit for bit as they were.
#include "train/finite_check.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

namespace topiary::train {
namespace {

using Named = std::vector<std::pair<std::string, torch::Tensor>>;

torch::Tensor with_grad(torch::Tensor grad) {
  torch::Tensor parameter = torch::zeros(grad.sizes(), grad.options()).set_requires_grad(true);
  parameter.mutable_grad() = grad;
  return parameter;
}

// Four gradients in the layouts the check sorts apart: contiguous float32, bf16, transposed
// (non-contiguous but dense), expanded (overlapping memory); and a parameter with no gradient.
// `poison` goes into gradient `where` (none when -1).
Named parameters_with(float poison, int where) {
  std::vector<torch::Tensor> storage = {torch::randn({5, 7}),
                                        torch::randn({9}).to(torch::kBFloat16),
                                        torch::randn({4, 6}), torch::randn({3, 1})};
  if (where >= 0) storage[where].view({-1})[1] = poison;
  const std::vector<torch::Tensor> grads = {storage[0], storage[1], storage[2].t(),
                                            storage[3].expand({3, 4})};
  Named named;
  for (size_t i = 0; i < grads.size(); ++i) {
    named.emplace_back("p" + std::to_string(i), with_grad(grads[i]));
  }
  named.emplace_back("unused", torch::zeros({2}).set_requires_grad(true));
  return named;
}

bool any_flag_false(const Named& named) { return !finite_gradient_flags(named).all().item<bool>(); }

TEST(FiniteCheck, AllFiniteIsZeroAndGradientsStayBitwise) {
  torch::manual_seed(3);
  Named named = parameters_with(0.0f, -1);
  std::vector<torch::Tensor> before;
  for (const auto& [name, p] : named)
    before.push_back(p.grad().defined() ? p.grad().clone() : torch::Tensor());
  const torch::Tensor found = nonfinite_gradient_found(named);
  EXPECT_EQ(found.dim(), 0);
  EXPECT_EQ(found.item<float>(), 0.0f);
  EXPECT_FALSE(any_flag_false(named));
  for (size_t i = 0; i < named.size(); ++i) {
    if (!before[i].defined()) continue;
    EXPECT_TRUE(torch::equal(named[i].second.grad(), before[i])) << named[i].first;
  }
}

TEST(FiniteCheck, FindsNanAndBothInfinitiesInEveryLayout) {
  torch::manual_seed(4);
  for (const float poison : {std::nanf(""), INFINITY, -INFINITY}) {
    for (int where = 0; where < 4; ++where) {
      Named named = parameters_with(poison, where);
      SCOPED_TRACE("poison " + std::to_string(poison) + " in gradient " + std::to_string(where));
      EXPECT_EQ(nonfinite_gradient_found(named).item<float>(), 1.0f);
      EXPECT_TRUE(any_flag_false(named));
      const torch::Tensor flags = finite_gradient_flags(named);
      EXPECT_FALSE(flags[where].item<bool>());
    }
  }
}

TEST(FiniteCheck, NoParametersIsFinite) {
  EXPECT_EQ(nonfinite_gradient_found({}).item<float>(), 0.0f);
}

}  // namespace
}  // namespace topiary::train
