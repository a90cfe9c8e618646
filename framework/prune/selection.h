#pragma once
// Turning scores into masks. Lowest scores are pruned first; ties are broken by tensor order,
// then flat index (lower first), never by a nondeterministic kernel, so every rank that holds
// the same scores selects the same entries (DESIGN.md "Masks agree on every rank").
#include <cstdint>
#include <span>
#include <vector>

namespace topiary::prune {

struct ScoredTensor {
  std::span<const float> scores;  // one per element; already-pruned entries should score -inf
  std::span<float> mask;          // written: 1 keeps, 0 prunes
};

// Number of entries to prune out of `count` at `sparsity` (round to nearest).
int64_t pruned_count(int64_t count, double sparsity);

// The k-th smallest score across `tensors` (1 <= k <= their total size) in the selection order
// (NaN counts as -inf, -0 as +0): the global threshold select_global prunes at. Exact; one
// counting pass plus a small selection in the common case.
float kth_smallest_score(std::span<const ScoredTensor> tensors, int64_t k);

// Each tensor reaches `sparsity` on its own.
void select_layerwise(std::span<ScoredTensor> tensors, double sparsity);
// One threshold across all tensors: `sparsity` of all their entries together.
void select_global(std::span<ScoredTensor> tensors, double sparsity);

}  // namespace topiary::prune
