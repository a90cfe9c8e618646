#pragma once
// Scores that need gradients, kept as running sums between mask updates, on the device the
// parameter lives on: one per pruned parameter. The trainer feeds it the weights and the
// ALL-REDUCED gradient of every step, so every rank holds the same sums (DESIGN.md "Masks agree
// on every rank"); nothing is read back to the host until a mask update asks for scores.
//
// Note [Dense gradients for gradient scores]: the trainer must pass the dense gradient, before
// masking, for these parameters (the reducer sends them dense while such a scorer is active).
// That is the straight-through estimator of Sanh et al. 2020: the gradient at a pruned entry is
// the one the entry would have if it were present, so pruned entries keep accumulating. Since
// Topiary zeroes pruned weights, a pruned entry's w is 0 and its first-order terms below are 0:
// its score stays where it was when it was pruned.
//
//  - Taylor (Molchanov et al. 2019): sums |w * g|, the estimated change of the loss when an entry
//    is removed, over the `window` steps that end at a mask update; reset() after scoring.
//  - Fisher (Optimal Brain Damage, LeCun et al. 1990, with the empirical Fisher as the Hessian;
//    oBERT's saliency, Kurtic et al. 2022, with blocks of one entry): sums g^2 over the same
//    window; an entry scores w^2 (lambda + mean g^2) / 2, the loss increase a second-order model
//    predicts for setting it to zero, so small weights on which the loss is sharp are kept.
//  - Movement (Sanh et al. 2020): S accumulates -w * g over training (weights moving away from
//    zero score high) and is never reset. Hard movement scores with the current mask (pruned =
//    -inf); soft movement scores every entry, so an entry pruned earlier may return when others'
//    scores fall below its own (selected by the schedule's sparsity, not a learned threshold, so
//    the plan stays exact and the same on every rank).
#include <torch/types.h>

#include <cstdint>
#include <vector>

namespace topiary::train {

class ScoreAccumulator {
 public:
  enum class Kind { kTaylor, kFisher, kMovement };
  // Float64 sums shaped and placed like `parameter` (a double sum keeps many small steps exact).
  ScoreAccumulator(Kind kind, const torch::Tensor& parameter);

  // Taylor: sums += |w * g|; Fisher: sums += g * g; movement: sums -= w * g; entry by entry, in
  // float64.
  void add(const torch::Tensor& weights, const torch::Tensor& grads);
  // The sums as float32 on the host (contiguous, the parameter's shape), -inf where `mask` is 0;
  // an undefined mask excludes nothing. One host copy.
  torch::Tensor scores(const torch::Tensor& mask) const;
  // Fisher: w^2 (dampening + sums / steps) / 2 as float32 on the host, -inf where `mask` is 0.
  // Before any step the diagonal is the dampening alone (scores rank like magnitude).
  torch::Tensor fisher_scores(const torch::Tensor& weights, const torch::Tensor& mask,
                              double dampening) const;
  void reset();
  int64_t steps() const { return steps_; }

  // For checkpoints: the sums (host copy) and the steps added since the last reset.
  std::vector<double> sums() const;
  void restore(const std::vector<double>& sums, int64_t steps);
  int64_t size() const { return sums_.numel(); }

 private:
  Kind kind_;
  torch::Tensor sums_;
  int64_t steps_ = 0;
};

}  // namespace topiary::train
