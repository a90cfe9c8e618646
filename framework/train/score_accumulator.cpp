#include "train/score_accumulator.h"

#include <torch/torch.h>

#include <limits>

#include "core/error.h"

namespace topiary::train {

ScoreAccumulator::ScoreAccumulator(Kind kind, const torch::Tensor& parameter)
    : kind_(kind),
      sums_(torch::zeros(parameter.sizes(),
                         parameter.options().dtype(torch::kFloat64).requires_grad(false))) {}

void ScoreAccumulator::add(const torch::Tensor& weights, const torch::Tensor& grads) {
  TOPIARY_ASSERT(weights.sizes() == sums_.sizes() && grads.sizes() == sums_.sizes(),
                 "weights and gradients differ in shape from the score accumulator");
  torch::NoGradGuard no_grad;
  // Separate multiply and add (no fused multiply-add), so the sums are the same bits on every
  // device and equal to an entry-by-entry double loop.
  const torch::Tensor product =
      weights.detach().to(torch::kFloat64).mul(grads.detach().to(torch::kFloat64));
  if (kind_ == Kind::kTaylor) {
    sums_.add_(product.abs_());
  } else {
    sums_.sub_(product);
  }
  ++steps_;
}

torch::Tensor ScoreAccumulator::scores(const torch::Tensor& mask) const {
  torch::NoGradGuard no_grad;
  torch::Tensor out = sums_.to(torch::kFloat32);
  if (mask.defined()) {
    TOPIARY_ASSERT(mask.numel() == sums_.numel(), "mask differs in size from the accumulator");
    out.masked_fill_(mask.reshape(sums_.sizes()).to(out.device()) == 0,
                     -std::numeric_limits<float>::infinity());
  }
  return out.to(torch::kCPU).contiguous();
}

void ScoreAccumulator::reset() {
  sums_.zero_();
  steps_ = 0;
}

std::vector<double> ScoreAccumulator::sums() const {
  const torch::Tensor host = sums_.to(torch::kCPU).contiguous();
  const double* values = host.data_ptr<double>();
  return {values, values + host.numel()};
}

void ScoreAccumulator::restore(const std::vector<double>& sums, int64_t steps) {
  TOPIARY_ASSERT(static_cast<int64_t>(sums.size()) == sums_.numel(),
                 "restored scores differ in size");
  torch::NoGradGuard no_grad;
  sums_.copy_(torch::from_blob(const_cast<double*>(sums.data()), sums_.sizes(), torch::kFloat64));
  steps_ = steps;
}

}  // namespace topiary::train
