#include "prune/pattern.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <tuple>

#include "core/error.h"

namespace topiary::prune {
namespace {

using Masks = std::vector<std::vector<float>>;
using Shapes = std::vector<std::vector<int64_t>>;

int64_t row_length(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (size_t i = 1; i < shape.size(); ++i) n *= shape[i];
  return n;
}

// Obviously-correct references. Each unit is a list of flat indices; a unit's score is the sum
// of its entries; units are ranked by (score, tensor, unit index) and the first k are pruned.
struct RefUnit {
  double score;
  size_t tensor;
  size_t index;
  std::vector<int64_t> entries;
};

Masks prune_units(const Masks& scores, std::vector<RefUnit> units, bool global, double sparsity,
                  bool count_entries) {
  Masks masks;
  for (const auto& s : scores) masks.emplace_back(s.size(), 1.0f);
  auto by_rank = [](const RefUnit& a, const RefUnit& b) {
    return std::tie(a.score, a.tensor, a.index) < std::tie(b.score, b.tensor, b.index);
  };
  auto prune_group = [&](std::vector<RefUnit> group) {
    std::sort(group.begin(), group.end(), by_rank);
    int64_t k = pruned_count(static_cast<int64_t>(group.size()), sparsity);
    if (count_entries) {  // the prefix whose entry count is nearest the target, larger on a tie
      double total = 0;
      for (const auto& u : group) total += static_cast<double>(u.entries.size());
      double best_gap = 1e300;
      double prefix = 0;
      for (size_t j = 0; j <= group.size(); ++j) {
        if (j > 0) prefix += static_cast<double>(group[j - 1].entries.size());
        const double gap = std::fabs(prefix - sparsity * total);
        if (gap <= best_gap) {
          best_gap = gap;
          k = static_cast<int64_t>(j);
        }
      }
    }
    for (int64_t j = 0; j < k; ++j) {
      for (int64_t e : group[j].entries) masks[group[j].tensor][e] = 0.0f;
    }
  };
  if (global) {
    prune_group(units);
  } else {
    for (size_t t = 0; t < scores.size(); ++t) {
      std::vector<RefUnit> own;
      for (const auto& u : units) {
        if (u.tensor == t) own.push_back(u);
      }
      prune_group(own);
    }
  }
  return masks;
}

std::vector<RefUnit> block_units(const Masks& scores, const Shapes& shapes, int64_t br,
                                 int64_t bc) {
  std::vector<RefUnit> units;
  for (size_t t = 0; t < scores.size(); ++t) {
    const int64_t cols = row_length(shapes[t]);
    std::map<std::pair<int64_t, int64_t>, RefUnit> blocks;
    for (int64_t i = 0; i < static_cast<int64_t>(scores[t].size()); ++i) {
      RefUnit& u = blocks[{(i / cols) / br, (i % cols) / bc}];
      u.tensor = t;
      u.score += scores[t][i];
      u.entries.push_back(i);
    }
    size_t index = 0;  // std::map iterates blocks in row-major order
    for (auto& [key, u] : blocks) {
      u.index = index++;
      units.push_back(u);
    }
  }
  return units;
}

Masks reference_nm(const Masks& scores, int64_t m, double sparsity, int64_t n) {
  Masks masks;
  const int64_t k = std::min<int64_t>(m - n, static_cast<int64_t>(std::floor(sparsity * m + 1e-9)));
  for (const auto& s : scores) {
    std::vector<float> mask(s.size(), 1.0f);
    for (size_t g = 0; g < s.size(); g += m) {
      std::vector<std::pair<float, size_t>> group;
      for (size_t i = g; i < g + m; ++i) group.emplace_back(s[i], i);
      std::sort(group.begin(), group.end());
      for (int64_t j = 0; j < k; ++j) mask[group[j].second] = 0.0f;
    }
    masks.push_back(mask);
  }
  return masks;
}

Masks run(Masks& scores, const Shapes& shapes, const std::string& pattern, bool global,
          double sparsity) {
  Masks masks;
  for (const auto& s : scores) masks.emplace_back(s.size(), -1.0f);
  std::vector<ScoredTensor> tensors;
  for (size_t t = 0; t < scores.size(); ++t) tensors.push_back({scores[t], masks[t]});
  select_masks(tensors, shapes, {}, parse_pattern(pattern), global ? Scope::kGlobal : Scope::kLayer,
               sparsity);
  return masks;
}

Masks random_scores_for(const Shapes& shapes, std::mt19937& engine) {
  Masks scores;
  for (const auto& shape : shapes) {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    std::vector<float> s(n);
    for (auto& v : s) v = static_cast<float>(engine() % 4);  // few values: many ties
    scores.push_back(s);
  }
  return scores;
}

// Random shapes whose dimensions are multiples of `row_multiple` (rows) and `col_multiple`.
Shapes random_shapes(std::mt19937& engine, int64_t row_multiple, int64_t col_multiple) {
  Shapes shapes;
  for (int t = 0; t < 3; ++t) {
    const int64_t rows = row_multiple * (1 + engine() % 4);
    if (engine() % 2) {
      shapes.push_back({rows, col_multiple * (1 + static_cast<int64_t>(engine() % 5))});
    } else {  // a convolution-like [out, in, width] weight
      shapes.push_back({rows, col_multiple, 1 + static_cast<int64_t>(engine() % 3)});
    }
  }
  return shapes;
}

constexpr double kSparsities[] = {0.0, 0.2, 0.25, 0.5, 0.6, 0.75, 0.9, 0.99};

TEST(Pattern, ParsesAndPrintsEveryKind) {
  EXPECT_EQ(parse_pattern("unstructured").kind, PatternKind::kUnstructured);
  const Pattern nm = parse_pattern("2:4");
  EXPECT_EQ(nm.kind, PatternKind::kNOfM);
  EXPECT_EQ(nm.n, 2);
  EXPECT_EQ(nm.m, 4);
  EXPECT_DOUBLE_EQ(nm.fixed_sparsity(), 0.5);
  EXPECT_DOUBLE_EQ(parse_pattern("1:4").fixed_sparsity(), 0.75);
  const Pattern block = parse_pattern("1x4");
  EXPECT_EQ(block.kind, PatternKind::kBlocks);
  EXPECT_EQ(block.block_rows, 1);
  EXPECT_EQ(block.block_cols, 4);
  EXPECT_EQ(parse_pattern("neurons"), parse_pattern("rows"));
  EXPECT_EQ(parse_pattern("channels"), parse_pattern("rows"));
  for (const char* text : {"unstructured", "4:8", "4x4", "rows"}) {
    EXPECT_EQ(parse_pattern(text).to_string(), text);
  }
  EXPECT_EQ(parse_pattern("rows").fixed_sparsity(), -1.0);
}

TEST(Pattern, RejectsMalformedText) {
  for (const char* text : {"", "4:2", "2:2", "0:4", "2:", ":4", "2:4:8", "x4", "0x4", "2 x 4",
                           "-1:4", "+2:4", "2.0:4", "row", "Unstructured", "4X4"}) {
    EXPECT_THROW(parse_pattern(text), UserError) << text;
  }
  try {
    parse_pattern("4:2");
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("N < M"), std::string::npos) << e.what();
  }
}

TEST(Pattern, NOfMMatchesReferenceWithManyTies) {
  std::mt19937 engine(11);
  for (int trial = 0; trial < 30; ++trial) {
    for (auto [n, m] : {std::pair{2, 4}, std::pair{4, 8}, std::pair{1, 4}, std::pair{1, 2}}) {
      const Shapes shapes = random_shapes(engine, 1, m);
      Masks scores = random_scores_for(shapes, engine);
      const std::string text = std::to_string(n) + ":" + std::to_string(m);
      for (double s : kSparsities) {
        for (bool global : {false, true}) {
          EXPECT_EQ(run(scores, shapes, text, global, s), reference_nm(scores, m, s, n))
              << text << " sparsity " << s;
        }
      }
    }
  }
}

TEST(Pattern, NOfMAtItsSparsityKeepsExactlyNInEveryGroup) {
  std::mt19937 engine(3);
  const Shapes shapes = {{6, 16}, {4, 8, 3}};
  Masks scores = random_scores_for(shapes, engine);
  const Masks masks = run(scores, shapes, "2:4", true, 0.5);
  for (const auto& mask : masks) {
    for (size_t g = 0; g < mask.size(); g += 4) {
      EXPECT_EQ(mask[g] + mask[g + 1] + mask[g + 2] + mask[g + 3], 2.0f) << g;
    }
  }
}

TEST(Pattern, NOfMGroupsRunAlongTheRow) {
  // One row of 8 entries with 4:8... use 2:4 on a [2, 4] weight: groups are rows here.
  std::vector<float> s = {4, 1, 3, 2, /* row 1 */ 0, 0, 5, 0};
  std::vector<float> mask(8, -1);
  std::vector<ScoredTensor> t{{s, mask}};
  const Shapes shapes = {{2, 4}};
  select_masks(t, shapes, {}, parse_pattern("2:4"), Scope::kLayer, 0.5);
  // Row 0 prunes scores 1 and 2; row 1 ties at 0 prune the two lowest indices.
  EXPECT_EQ(mask, (std::vector<float>{1, 0, 1, 0, 0, 0, 1, 1}));
}

TEST(Pattern, BlocksMatchReferenceWithManyTies) {
  std::mt19937 engine(5);
  for (int trial = 0; trial < 30; ++trial) {
    for (auto [br, bc] : {std::pair{1, 4}, std::pair{4, 4}, std::pair{2, 1}, std::pair{1, 1}}) {
      const Shapes shapes = random_shapes(engine, br, bc);
      Masks scores = random_scores_for(shapes, engine);
      const std::string text = std::to_string(br) + "x" + std::to_string(bc);
      for (double s : kSparsities) {
        for (bool global : {false, true}) {
          EXPECT_EQ(run(scores, shapes, text, global, s),
                    prune_units(scores, block_units(scores, shapes, br, bc), global, s, false))
              << text << " sparsity " << s << " global " << global;
        }
      }
    }
  }
}

TEST(Pattern, RowsMatchReferenceWithManyTies) {
  std::mt19937 engine(9);
  for (int trial = 0; trial < 40; ++trial) {
    const Shapes shapes = random_shapes(engine, 1, 1 + engine() % 3);
    Masks scores = random_scores_for(shapes, engine);
    for (double s : kSparsities) {
      for (bool global : {false, true}) {
        // A row is a 1 x row_length block.
        std::vector<RefUnit> rows;
        for (size_t t = 0; t < shapes.size(); ++t) {
          for (RefUnit u : block_units({scores[t]}, {shapes[t]}, 1, row_length(shapes[t]))) {
            u.tensor = t;
            rows.push_back(u);
          }
        }
        EXPECT_EQ(run(scores, shapes, "rows", global, s),
                  prune_units(scores, rows, global, s, true))
            << "sparsity " << s << " global " << global;
      }
    }
  }
}

TEST(Pattern, GlobalRowsCountEntriesNotRows) {
  // Tensor 0 has two rows of 1 entry, tensor 1 one row of 8 entries: 10 entries in all.
  std::vector<float> s0 = {1, 2}, s1(8, 3.0f), m0(2), m1(8);
  std::vector<ScoredTensor> t{{s0, m0}, {s1, m1}};
  const Shapes shapes = {{2, 1}, {1, 8}};
  select_masks(t, shapes, {}, parse_pattern("rows"), Scope::kGlobal, 0.2);
  EXPECT_EQ(m0, (std::vector<float>{0, 0}));  // 2 entries = exactly 20%
  EXPECT_EQ(m1, std::vector<float>(8, 1.0f));
  select_masks(t, shapes, {}, parse_pattern("rows"), Scope::kGlobal, 0.8);
  EXPECT_EQ(m1, std::vector<float>(8, 0.0f));  // 10 entries is as near 8 as 2 is: the larger
}

TEST(Pattern, AlreadyPrunedEntryPrunesItsWholeUnitFirst) {
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> s = {9, 9, 9, -inf, /* row 1 */ 1, 1, 1, 1};
  std::vector<float> mask(8);
  std::vector<ScoredTensor> t{{s, mask}};
  const Shapes shapes = {{2, 4}};
  select_masks(t, shapes, {}, parse_pattern("rows"), Scope::kLayer, 0.5);
  EXPECT_EQ(mask, (std::vector<float>{0, 0, 0, 0, 1, 1, 1, 1}));
}

TEST(Pattern, ShapesThatDoNotFitAreUserErrorsNamingTheParameter) {
  const std::vector<int64_t> bias = {100}, fc = {2, 300}, conv = {100, 64, 3};
  EXPECT_NO_THROW(check_pattern_fits(parse_pattern("2:4"), "fc.weight", fc));
  EXPECT_NO_THROW(check_pattern_fits(parse_pattern("2:4"), "convs.0.weight", conv));
  EXPECT_NO_THROW(check_pattern_fits(parse_pattern("rows"), "fc.bias", bias));
  try {
    check_pattern_fits(parse_pattern("2:4"), "fc.bias", bias);
    FAIL() << "a bias has rows of one entry";
  } catch (const UserError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("'fc.bias'"), std::string::npos) << message;
    EXPECT_NE(message.find("[100]"), std::string::npos) << message;
    EXPECT_NE(message.find("not a multiple of 4"), std::string::npos) << message;
  }
  EXPECT_THROW(check_pattern_fits(parse_pattern("4x4"), "fc.weight", fc), UserError);
  EXPECT_THROW(check_pattern_fits(parse_pattern("1x7"), "fc.weight", fc), UserError);
  EXPECT_NO_THROW(check_pattern_fits(parse_pattern("2x4"), "fc.weight", fc));
  std::vector<float> s(10), m(10);
  std::vector<ScoredTensor> t{{s, m}};
  const Shapes shapes = {{10}};
  const std::vector<std::string> names = {"fc.bias"};
  EXPECT_THROW(select_masks(t, shapes, names, parse_pattern("1:2"), Scope::kLayer, 0.5), UserError);
}

TEST(Pattern, UnstructuredIsTheExistingSelection) {
  std::mt19937 engine(2);
  const Shapes shapes = {{4, 5}, {3, 2, 2}};
  Masks scores = random_scores_for(shapes, engine);
  for (bool global : {false, true}) {
    Masks expected;
    for (const auto& s : scores) expected.emplace_back(s.size());
    std::vector<ScoredTensor> t;
    for (size_t i = 0; i < scores.size(); ++i) t.push_back({scores[i], expected[i]});
    global ? select_global(t, 0.4) : select_layerwise(t, 0.4);
    EXPECT_EQ(run(scores, shapes, "unstructured", global, 0.4), expected);
  }
}

}  // namespace
}  // namespace topiary::prune
