#include "prune/selection.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <tuple>

namespace topiary::prune {
namespace {

// Obviously-correct reference: sort every (score, tensor, index) triple, prune the first k.
std::vector<std::vector<float>> reference_masks(const std::vector<std::vector<float>>& scores,
                                                double sparsity, bool global) {
  std::vector<std::vector<float>> masks;
  for (const auto& s : scores) masks.emplace_back(s.size(), 1.0f);
  auto prune_group = [&](const std::vector<size_t>& tensors) {
    std::vector<std::tuple<float, size_t, size_t>> all;
    for (size_t t : tensors)
      for (size_t i = 0; i < scores[t].size(); ++i) all.emplace_back(scores[t][i], t, i);
    std::sort(all.begin(), all.end());
    const int64_t k = pruned_count(static_cast<int64_t>(all.size()), sparsity);
    for (int64_t i = 0; i < k; ++i) masks[std::get<1>(all[i])][std::get<2>(all[i])] = 0.0f;
  };
  if (global) {
    std::vector<size_t> all(scores.size());
    for (size_t t = 0; t < scores.size(); ++t) all[t] = t;
    prune_group(all);
  } else {
    for (size_t t = 0; t < scores.size(); ++t) prune_group({t});
  }
  return masks;
}

std::vector<std::vector<float>> run(std::vector<std::vector<float>>& scores, double sparsity,
                                    bool global) {
  std::vector<std::vector<float>> masks;
  for (const auto& s : scores) masks.emplace_back(s.size(), -1.0f);
  std::vector<ScoredTensor> tensors;
  for (size_t t = 0; t < scores.size(); ++t) tensors.push_back({scores[t], masks[t]});
  if (global) {
    select_global(tensors, sparsity);
  } else {
    select_layerwise(tensors, sparsity);
  }
  return masks;
}

TEST(Selection, MatchesSortingReferenceWithManyTies) {
  std::mt19937 engine(7);
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<std::vector<float>> scores(3);
    for (auto& s : scores) {
      s.resize(10 + engine() % 90);
      // Few distinct values force ties, which must break by tensor then index.
      for (auto& v : s) v = static_cast<float>(engine() % 5);
    }
    for (double sparsity : {0.0, 0.3, 0.5, 0.9, 0.99}) {
      for (bool global : {false, true}) {
        EXPECT_EQ(run(scores, sparsity, global), reference_masks(scores, sparsity, global))
            << "trial " << trial << " sparsity " << sparsity << " global " << global;
      }
    }
  }
}

// Large enough for the sampled-bracket path (> 262,144 entries), with NaN (= -inf), -0 (= +0),
// -inf (already pruned) and heavy ties; the strided layout defeats the fixed-stride sample, so
// the radix fallback runs too. The reference's std::sort needs NaN and -0 canonicalised first.
TEST(Selection, LargeInputsMatchReferenceIncludingNanAndSignedZero) {
  std::mt19937 engine(11);
  std::normal_distribution<float> normal;
  for (int layout = 0; layout < 3; ++layout) {
    std::vector<std::vector<float>> scores = {std::vector<float>(150000), std::vector<float>(7),
                                              std::vector<float>(200000)};
    for (auto& tensor : scores) {
      for (size_t i = 0; i < tensor.size(); ++i) {
        float v = std::abs(normal(engine));
        if (layout == 1) v = static_cast<float>(engine() % 3);                  // ties
        if (layout == 2) v = (i % 1024 == 0) ? 100.0f : static_cast<float>(i);  // strided
        switch (engine() % 50) {
          case 0:
            v = std::nanf("");
            break;
          case 1:
            v = -0.0f;
            break;
          case 2:
            v = 0.0f;
            break;
          case 3:
            v = -INFINITY;
            break;
          default:
            break;
        }
        tensor[i] = v;
      }
    }
    auto canonical = scores;
    for (auto& tensor : canonical)
      for (auto& v : tensor) v = std::isnan(v) ? -INFINITY : (v == 0.0f ? 0.0f : v);
    for (double sparsity : {0.01, 0.5, 0.9, 1.0}) {
      EXPECT_EQ(run(scores, sparsity, true), reference_masks(canonical, sparsity, true))
          << "layout " << layout << " sparsity " << sparsity;
    }
    std::vector<ScoredTensor> tensors;
    std::vector<std::vector<float>> unused(scores.size());
    for (size_t t = 0; t < scores.size(); ++t) {
      unused[t].resize(scores[t].size());
      tensors.push_back({scores[t], unused[t]});
    }
    std::vector<float> flat;
    for (const auto& tensor : canonical) flat.insert(flat.end(), tensor.begin(), tensor.end());
    std::sort(flat.begin(), flat.end());
    for (int64_t k : {int64_t{1}, int64_t{1000}, static_cast<int64_t>(flat.size() / 2),
                      static_cast<int64_t>(flat.size())}) {
      EXPECT_EQ(kth_smallest_score(tensors, k), flat[static_cast<size_t>(k - 1)])
          << "layout " << layout << " k " << k;
    }
  }
}

TEST(Selection, GlobalDiffersFromLayerwiseWhenScalesDiffer) {
  std::vector<std::vector<float>> scores = {{1, 2, 3, 4}, {10, 20, 30, 40}};
  auto global = run(scores, 0.5, true);
  auto layer = run(scores, 0.5, false);
  EXPECT_EQ(global[0], (std::vector<float>{0, 0, 0, 0}));
  EXPECT_EQ(global[1], (std::vector<float>{1, 1, 1, 1}));
  EXPECT_EQ(layer[0], (std::vector<float>{0, 0, 1, 1}));
  EXPECT_EQ(layer[1], (std::vector<float>{0, 0, 1, 1}));
}

TEST(Selection, PrunedCountRoundsToNearest) {
  EXPECT_EQ(pruned_count(10, 0.24), 2);
  EXPECT_EQ(pruned_count(10, 0.26), 3);
  EXPECT_EQ(pruned_count(10, 0.0), 0);
  EXPECT_EQ(pruned_count(3, 0.999), 3);
}

}  // namespace
}  // namespace topiary::prune
