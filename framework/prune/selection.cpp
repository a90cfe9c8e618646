#include "prune/selection.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace topiary::prune {
namespace {

struct Entry {
  float score;
  uint32_t tensor;
  int64_t index;
};

// Strict total order: score, then tensor order, then flat index.
bool prune_before(const Entry& a, const Entry& b) {
  if (a.score != b.score) return a.score < b.score;
  if (a.tensor != b.tensor) return a.tensor < b.tensor;
  return a.index < b.index;
}

void select(std::span<ScoredTensor> tensors, double sparsity) {
  int64_t total = 0;
  for (const auto& t : tensors) total += static_cast<int64_t>(t.scores.size());
  std::vector<Entry> entries;
  entries.reserve(static_cast<size_t>(total));
  for (uint32_t t = 0; t < tensors.size(); ++t) {
    const auto scores = tensors[t].scores;
    for (size_t i = 0; i < scores.size(); ++i) {
      // NaN would break the strict order; treat it as the least worth keeping.
      const float s = std::isnan(scores[i]) ? -INFINITY : scores[i];
      entries.push_back({s, t, static_cast<int64_t>(i)});
      tensors[t].mask[i] = 1.0f;
    }
  }
  const int64_t k = pruned_count(total, sparsity);
  if (k <= 0) return;
  std::nth_element(entries.begin(), entries.begin() + (k - 1), entries.end(), prune_before);
  for (int64_t i = 0; i < k; ++i) {
    tensors[entries[i].tensor].mask[entries[i].index] = 0.0f;
  }
}

}  // namespace

int64_t pruned_count(int64_t count, double sparsity) {
  const auto k = static_cast<int64_t>(std::llround(sparsity * static_cast<double>(count)));
  return std::clamp<int64_t>(k, 0, count);
}

void select_layerwise(std::span<ScoredTensor> tensors, double sparsity) {
  for (auto& t : tensors) select(std::span<ScoredTensor>(&t, 1), sparsity);
}

void select_global(std::span<ScoredTensor> tensors, double sparsity) { select(tensors, sparsity); }

}  // namespace topiary::prune
