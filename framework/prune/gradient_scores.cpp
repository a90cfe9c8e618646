#include "prune/gradient_scores.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.h"

namespace topiary::prune {
namespace {

// Scores are compared as floats by the selection; a double sum keeps many small steps exact.
void write_scores(std::span<const double> sums, std::span<const float> mask, std::span<float> out) {
  TOPIARY_ASSERT(out.size() == sums.size() && (mask.empty() || mask.size() == sums.size()),
                 "score buffers differ in size from the accumulator");
  for (size_t i = 0; i < sums.size(); ++i) {
    out[i] = (!mask.empty() && mask[i] == 0.0f) ? -std::numeric_limits<float>::infinity()
                                                : static_cast<float>(sums[i]);
  }
}

void check_sizes(size_t size, std::span<const float> weights, std::span<const float> grads) {
  TOPIARY_ASSERT(weights.size() == size && grads.size() == size,
                 "weights and gradients differ in size from the accumulator");
}

void restore_sums(std::vector<double>& into, std::span<const double> sums) {
  TOPIARY_ASSERT(sums.size() == into.size(), "restored scores differ in size");
  std::copy(sums.begin(), sums.end(), into.begin());
}

}  // namespace

void TaylorAccumulator::add(std::span<const float> weights, std::span<const float> grads) {
  check_sizes(sums_.size(), weights, grads);
  for (size_t i = 0; i < sums_.size(); ++i) {
    sums_[i] += std::fabs(static_cast<double>(weights[i]) * static_cast<double>(grads[i]));
  }
  ++steps_;
}

void TaylorAccumulator::scores(std::span<const float> mask, std::span<float> out) const {
  write_scores(sums_, mask, out);
}

void TaylorAccumulator::reset() {
  std::fill(sums_.begin(), sums_.end(), 0.0);
  steps_ = 0;
}

void TaylorAccumulator::restore(std::span<const double> sums, int64_t steps) {
  restore_sums(sums_, sums);
  steps_ = steps;
}

void MovementAccumulator::add(std::span<const float> weights, std::span<const float> grads) {
  check_sizes(sums_.size(), weights, grads);
  for (size_t i = 0; i < sums_.size(); ++i) {
    sums_[i] -= static_cast<double>(weights[i]) * static_cast<double>(grads[i]);
  }
  ++steps_;
}

void MovementAccumulator::scores(std::span<const float> mask, std::span<float> out) const {
  write_scores(sums_, mask, out);
}

void MovementAccumulator::restore(std::span<const double> sums, int64_t steps) {
  restore_sums(sums_, sums);
  steps_ = steps;
}

}  // namespace topiary::prune
