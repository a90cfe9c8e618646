#include "prune/structured_selection.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace topiary::prune {
namespace {

constexpr double kPruned = -std::numeric_limits<double>::infinity();

// A block or a row: the entries that are kept or pruned together.
struct Unit {
  double score;
  uint32_t tensor;
  int64_t index;  // row-major unit index within its tensor
  int64_t size;   // entries
};

bool prune_before(const Unit& a, const Unit& b) {
  if (a.score != b.score) return a.score < b.score;
  if (a.tensor != b.tensor) return a.tensor < b.tensor;
  return a.index < b.index;
}

// NaN is treated as the least worth keeping, as in selection.cpp; -inf + inf would be NaN too.
double add_score(double sum, float score) {
  const double next = sum + (std::isnan(score) ? kPruned : static_cast<double>(score));
  return std::isnan(next) ? kPruned : next;
}

// Sorts `units` into pruning order and returns how many of them to prune.
int64_t count_to_prune(std::vector<Unit>& units, double sparsity, bool equal_sizes) {
  std::sort(units.begin(), units.end(), prune_before);
  const auto n = static_cast<int64_t>(units.size());
  if (equal_sizes) return pruned_count(n, sparsity);
  int64_t total = 0;
  for (const auto& u : units) total += u.size;
  const double target = sparsity * static_cast<double>(total);
  int64_t best = 0;
  double best_gap = target;
  int64_t entries = 0;
  for (int64_t k = 1; k <= n; ++k) {
    entries += units[k - 1].size;
    const double gap = std::fabs(static_cast<double>(entries) - target);
    if (gap <= best_gap) {
      best = k;
      best_gap = gap;
    }
  }
  return best;
}

template <typename ForEachEntry>
void prune_units(std::span<ScoredTensor> tensors, std::vector<Unit>& units, int64_t k,
                 ForEachEntry for_each_entry) {
  for (int64_t i = 0; i < k; ++i) {
    auto& mask = tensors[units[i].tensor].mask;
    for_each_entry(units[i], [&](int64_t flat) { mask[flat] = 0.0f; });
  }
}

// Ranks `units` (per tensor unless `global`) and prunes the lowest.
template <typename ForEachEntry>
void select_units(std::span<ScoredTensor> tensors, std::vector<Unit> units, bool global,
                  bool equal_sizes, double sparsity, ForEachEntry for_each_entry) {
  for (auto& t : tensors) std::fill(t.mask.begin(), t.mask.end(), 1.0f);
  if (global) {
    const int64_t k = count_to_prune(units, sparsity, equal_sizes);
    prune_units(tensors, units, k, for_each_entry);
    return;
  }
  for (uint32_t t = 0; t < tensors.size(); ++t) {
    std::vector<Unit> own;
    for (const auto& u : units) {
      if (u.tensor == t) own.push_back(u);
    }
    const int64_t k = count_to_prune(own, sparsity, true);
    prune_units(tensors, own, k, for_each_entry);
  }
}

}  // namespace

void select_n_of_m(ScoredTensor tensor, int64_t m, int64_t pruned_per_group) {
  const auto total = static_cast<int64_t>(tensor.scores.size());
  std::fill(tensor.mask.begin(), tensor.mask.end(), 1.0f);
  if (pruned_per_group <= 0) return;
  std::vector<int64_t> order(static_cast<size_t>(m));
  for (int64_t begin = 0; begin + m <= total; begin += m) {
    for (int64_t j = 0; j < m; ++j) order[j] = begin + j;
    auto score = [&](int64_t i) {
      const float s = tensor.scores[i];
      return std::isnan(s) ? -std::numeric_limits<float>::infinity() : s;
    };
    std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
      return score(a) != score(b) ? score(a) < score(b) : a < b;
    });
    for (int64_t j = 0; j < pruned_per_group && j < m; ++j) tensor.mask[order[j]] = 0.0f;
  }
}

void select_blocks(std::span<ScoredTensor> tensors, std::span<const RowView> views,
                   int64_t block_rows, int64_t block_cols, bool global, double sparsity) {
  std::vector<Unit> units;
  for (uint32_t t = 0; t < tensors.size(); ++t) {
    const RowView v = views[t];
    const int64_t across = v.row_length / block_cols;
    for (int64_t b = 0; b < (v.rows / block_rows) * across; ++b) {
      const int64_t r0 = (b / across) * block_rows;
      const int64_t c0 = (b % across) * block_cols;
      double sum = 0;
      for (int64_t r = r0; r < r0 + block_rows; ++r) {
        for (int64_t c = c0; c < c0 + block_cols; ++c) {
          sum = add_score(sum, tensors[t].scores[r * v.row_length + c]);
        }
      }
      units.push_back({sum, t, b, block_rows * block_cols});
    }
  }
  select_units(tensors, std::move(units), global, true, sparsity, [&](const Unit& u, auto prune) {
    const RowView v = views[u.tensor];
    const int64_t across = v.row_length / block_cols;
    const int64_t r0 = (u.index / across) * block_rows;
    const int64_t c0 = (u.index % across) * block_cols;
    for (int64_t r = r0; r < r0 + block_rows; ++r) {
      for (int64_t c = c0; c < c0 + block_cols; ++c) prune(r * v.row_length + c);
    }
  });
}

void select_rows(std::span<ScoredTensor> tensors, std::span<const RowView> views, bool global,
                 double sparsity) {
  std::vector<Unit> units;
  for (uint32_t t = 0; t < tensors.size(); ++t) {
    const RowView v = views[t];
    for (int64_t r = 0; r < v.rows; ++r) {
      double sum = 0;
      for (int64_t c = 0; c < v.row_length; ++c) {
        sum = add_score(sum, tensors[t].scores[r * v.row_length + c]);
      }
      units.push_back({sum, t, r, v.row_length});
    }
  }
  // Rows of different tensors differ in length, so a global selection counts entries.
  select_units(tensors, std::move(units), global, false, sparsity, [&](const Unit& u, auto prune) {
    const int64_t length = views[u.tensor].row_length;
    for (int64_t c = 0; c < length; ++c) prune(u.index * length + c);
  });
}

}  // namespace topiary::prune
