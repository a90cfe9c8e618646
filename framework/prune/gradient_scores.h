#pragma once
// Scores that need gradients, kept as running sums between mask updates. One accumulator per
// pruned parameter; the trainer feeds it the weights and the ALL-REDUCED gradient of every step,
// so every rank holds the same sums (DESIGN.md "Masks agree on every rank").
//
// Note [Dense gradients for gradient scores]: the trainer must pass the dense gradient, before
// masking, for these parameters (the reducer sends them dense while such a scorer is active).
// That is the straight-through estimator of Sanh et al. 2020: the gradient at a pruned entry is
// the one the entry would have if it were present, so pruned entries keep accumulating. Since
// Topiary zeroes pruned weights, a pruned entry's w is 0 and its first-order terms below are 0:
// its score stays where it was when it was pruned.
#include <cstdint>
#include <span>
#include <vector>

namespace topiary::prune {

// First-order Taylor importance (Molchanov et al. 2019): the estimated change of the loss when an
// entry is removed, |w * g|, summed over the steps of a window. The trainer adds every step of
// the window that ends at a mask update, scores, then calls reset().
class TaylorAccumulator {
 public:
  explicit TaylorAccumulator(size_t size) : sums_(size, 0.0) {}
  // sums += |w * g|, entry by entry.
  void add(std::span<const float> weights, std::span<const float> grads);
  // scores = sums; entries with mask 0 score -inf so masks only grow sparser. Empty mask: none.
  void scores(std::span<const float> mask, std::span<float> out) const;
  void reset();
  int64_t steps() const { return steps_; }
  // For checkpoints: the sums and the number of steps added since the last reset.
  std::span<const double> sums() const { return sums_; }
  void restore(std::span<const double> sums, int64_t steps);

 private:
  std::vector<double> sums_;
  int64_t steps_ = 0;
};

// Movement scores (Sanh et al. 2020): S accumulates -w * g over training (weights moving away
// from zero score high), with no reset at mask updates.
//  - hard movement ("movement"): at each update the lowest S among the still-present entries
//    are pruned, to the schedule's sparsity (scores() with the current mask: pruned = -inf).
//  - soft movement ("movement_soft"): the same S, but every update re-selects from all entries
//    (scores() with an empty mask), so an entry pruned earlier may return when others' scores
//    fall below its own. Sanh et al.'s soft variant keeps entries above a learned threshold;
//    selecting by the schedule's sparsity instead keeps the plan exact and the same on every rank.
class MovementAccumulator {
 public:
  explicit MovementAccumulator(size_t size) : sums_(size, 0.0) {}
  // S -= w * g, entry by entry.
  void add(std::span<const float> weights, std::span<const float> grads);
  void scores(std::span<const float> mask, std::span<float> out) const;
  int64_t steps() const { return steps_; }
  std::span<const double> sums() const { return sums_; }
  void restore(std::span<const double> sums, int64_t steps);

 private:
  std::vector<double> sums_;
  int64_t steps_ = 0;
};

}  // namespace topiary::prune
