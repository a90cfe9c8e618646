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
  const torch::Tensor g = grads.detach().to(torch::kFloat64);
  if (kind_ == Kind::kFisher) {
    sums_.add_(g.mul(g));
    ++steps_;
    return;
  }
  const torch::Tensor product = weights.detach().to(torch::kFloat64).mul(g);
  if (kind_ == Kind::kTaylor) {
    sums_.add_(product.abs_());
  } else {
    sums_.sub_(product);
  }
  ++steps_;
}

namespace {
torch::Tensor to_host_scores(const torch::Tensor& values, const torch::Tensor& mask) {
  torch::Tensor out = values;
  if (mask.defined()) {
    TOPIARY_ASSERT(mask.numel() == values.numel(), "mask differs in size from the accumulator");
    out = values.masked_fill(mask.reshape(values.sizes()).to(values.device()) == 0,
                             -std::numeric_limits<float>::infinity());
  }
  return out.to(torch::kCPU).contiguous();
}
}  // namespace

torch::Tensor ScoreAccumulator::scores(const torch::Tensor& mask) const {
  torch::NoGradGuard no_grad;
  return to_host_scores(sums_.to(torch::kFloat32), mask);
}

torch::Tensor ScoreAccumulator::fisher_scores(const torch::Tensor& weights,
                                              const torch::Tensor& mask, double dampening) const {
  TOPIARY_ASSERT(kind_ == Kind::kFisher, "fisher_scores() of a non-Fisher accumulator");
  TOPIARY_ASSERT(weights.sizes() == sums_.sizes(), "weights differ in shape from the accumulator");
  torch::NoGradGuard no_grad;
  const torch::Tensor w = weights.detach().to(sums_.device()).to(torch::kFloat64);
  torch::Tensor diagonal =
      steps_ > 0 ? sums_.div(static_cast<double>(steps_)) : torch::zeros_like(sums_);
  diagonal.add_(dampening);
  // Separate operations in a fixed order, as in add(): the same bits on every device.
  const torch::Tensor saliency = w.mul(w).mul_(diagonal).mul_(0.5);
  return to_host_scores(saliency.to(torch::kFloat32), mask);
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
