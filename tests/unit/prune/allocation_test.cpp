#include "prune/allocation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "core/error.h"
#include "prune/selection.h"

namespace topiary::prune {
namespace {

LayerInfo layer(const std::vector<int64_t>& shape) {
  int64_t numel = 1;
  for (int64_t d : shape) numel *= d;
  return {"l" + std::to_string(shape.size()) + "_" + std::to_string(numel), shape, numel};
}

// What the trainer prunes per layer (Note [Allocation budget]).
std::vector<int64_t> counts(const std::vector<LayerInfo>& layers, const std::vector<double>& s) {
  std::vector<int64_t> out;
  for (size_t l = 0; l < layers.size(); ++l) out.push_back(pruned_count(layers[l].numel, s[l]));
  return out;
}

int64_t sum(const std::vector<int64_t>& v) {
  int64_t total = 0;
  for (int64_t x : v) total += x;
  return total;
}

std::vector<std::span<const float>> spans(const std::vector<std::vector<float>>& weights) {
  return {weights.begin(), weights.end()};
}

TEST(Allocation, NamesParseAndListInRecipeOrder) {
  EXPECT_EQ(kAllocationKinds.parse("erk"), AllocationKind::kErk);
  EXPECT_EQ(kAllocationKinds.parse("owl"), AllocationKind::kOwl);
  EXPECT_EQ(kAllocationKinds.parse("ERK2"), std::nullopt);
  EXPECT_EQ(kAllocationKinds.joined(), "none, uniform, erk, lamp, owl");
}

TEST(Allocation, ErkTwoLinearLayersByHand) {
  // [2,2]: numel 4, sum(shape) 4; [4,4]: numel 16, sum(shape) 8. Target 0.5 keeps 10 of 20:
  // eps * (4 + 8) = 10, eps = 5/6; densities 5/6 * 4/4 = 5/6 and 5/6 * 8/16 = 5/12, both <= 1.
  // Check: 4 * 5/6 + 16 * 5/12 = 10/3 + 20/3 = 10.
  const std::vector<LayerInfo> layers = {layer({2, 2}), layer({4, 4})};
  const auto density = erk_densities(layers, 0.5);
  EXPECT_NEAR(density[0], 5.0 / 6.0, 1e-12);
  EXPECT_NEAR(density[1], 5.0 / 12.0, 1e-12);
  // Real pruned counts 4/6 = 0.67 and 16 * 7/12 = 9.33: floors 0 + 9 = 9 of 10, the larger
  // remainder (layer 0) takes the last weight: 1 and 9.
  EXPECT_EQ(counts(layers, erk_allocation(layers, 0.5)), (std::vector<int64_t>{1, 9}));
}

TEST(Allocation, ErkUsesEveryDimOfAConvKernel) {
  // [8,4,3,3]: numel 288, sum 18; [16,8]: numel 128, sum 24. Target 0.75 keeps 104 of 416:
  // eps = 104 / (18 + 24) = 52/21; densities 52/21 * 18/288 = 13/84 and 52/21 * 24/128 = 13/28.
  // Real pruned 288 * 71/84 = 243.43 and 128 * 15/28 = 68.57 (sum 312 = 0.75 * 416): floors
  // 243 + 68 = 311, layer 1 has the larger remainder: 243 and 69.
  const std::vector<LayerInfo> layers = {layer({8, 4, 3, 3}), layer({16, 8})};
  const auto density = erk_densities(layers, 0.75);
  EXPECT_NEAR(density[0], 13.0 / 84.0, 1e-12);
  EXPECT_NEAR(density[1], 13.0 / 28.0, 1e-12);
  EXPECT_EQ(counts(layers, erk_allocation(layers, 0.75)), (std::vector<int64_t>{243, 69}));
}

TEST(Allocation, ErkMakesAnOverfullLayerDenseAndResolves) {
  // [1,4]: numel 4, sum 5; [10,10]: numel 100, sum 20. Target 0.5 keeps 52 of 104.
  // Round 1: eps = 52 / 25 = 2.08, layer 0 density 2.08 * 5/4 = 2.6 > 1: make it dense.
  // Round 2: 52 - 4 = 48 left for layer 1, eps = 48 / 20 = 2.4, density 2.4 * 20/100 = 0.48.
  const std::vector<LayerInfo> layers = {layer({1, 4}), layer({10, 10})};
  const auto density = erk_densities(layers, 0.5);
  EXPECT_EQ(density[0], 1.0);
  EXPECT_NEAR(density[1], 0.48, 1e-12);
  EXPECT_EQ(counts(layers, erk_allocation(layers, 0.5)), (std::vector<int64_t>{0, 52}));
  EXPECT_EQ(counts(layers, erk_allocation(layers, 0.0)), (std::vector<int64_t>{0, 0}));
}

TEST(Allocation, LampScoresByHand) {
  // [3, 1, 2, 4]: ascending 1, 2, 3, 4; squares 1, 4, 9, 16; suffix sums 30, 29, 25, 16.
  std::vector<float> w = {3, 1, 2, 4}, out(4);
  lamp_scores(w, out);
  EXPECT_FLOAT_EQ(out[0], 9.0f / 25.0f);
  EXPECT_FLOAT_EQ(out[1], 1.0f / 30.0f);
  EXPECT_FLOAT_EQ(out[2], 4.0f / 29.0f);
  EXPECT_FLOAT_EQ(out[3], 1.0f);
  // Ties by index, sign ignored: order 0 (idx 2), 0 (idx 3), 2 (idx 0), 2 (idx 1); squares
  // 0, 0, 4, 4; suffix sums 8, 8, 8, 4 -> 0, 0, 4/8, 4/4.
  std::vector<float> tied = {-2, 2, 0, 0};
  lamp_scores(tied, out);
  EXPECT_EQ(out, (std::vector<float>{0.5f, 1.0f, 0.0f, 0.0f}));
}

TEST(Allocation, LampAllocationByHandDiffersFromGlobalMagnitude) {
  // A = [1, 2]: scores 1/5 = 0.2, 1. B = [3, 1, 2, 4]: 0.36, 0.033, 0.138, 1 (above).
  const std::vector<LayerInfo> layers = {layer({1, 2}), layer({1, 4})};
  const std::vector<std::vector<float>> w = {{1, 2}, {3, 1, 2, 4}};
  // Target 0.5 prunes 3 of 6: 0.033 (B), 0.138 (B), 0.2 (A) -> A 1/2, B 2/4.
  EXPECT_EQ(lamp_allocation(layers, spans(w), 0.5), (std::vector<double>{0.5, 0.5}));
  // Global magnitude would prune 1 (A), 1 (B), 2 (A, first by layer order): all of A.
  std::vector<std::vector<float>> magnitude = {{1, 2}, {3, 1, 2, 4}}, mask = {{0, 0}, {0, 0, 0, 0}};
  std::vector<ScoredTensor> tensors = {{magnitude[0], mask[0]}, {magnitude[1], mask[1]}};
  select_global(tensors, 0.5);
  EXPECT_EQ(mask[0], (std::vector<float>{0, 0}));
  // Target 2/3 prunes 4: add 0.36 (B) -> A 1/2, B 3/4.
  EXPECT_EQ(lamp_allocation(layers, spans(w), 2.0 / 3.0), (std::vector<double>{0.5, 0.75}));
}

TEST(Allocation, OwlByHand) {
  // 20 weights each. A: all 1, mean 1, threshold 5: D = 0. B: nineteen 1 and one 30, mean 2.45,
  // threshold 12.25: D = 1/20. C: eighteen 1 and two 30, mean 3.9, threshold 19.5: D = 2/20.
  std::vector<std::vector<float>> w(3, std::vector<float>(20, 1.0f));
  w[1][7] = 30;
  w[2][3] = w[2][11] = -30;
  EXPECT_EQ(outlier_ratio(w[0], 5.0), 0.0);
  EXPECT_EQ(outlier_ratio(w[1], 5.0), 0.05);
  EXPECT_EQ(outlier_ratio(w[2], 5.0), 0.1);
  const std::vector<LayerInfo> layers(3, layer({4, 5}));
  // u = -1, 0, 1; equal sizes so no shift: s = 0.5 + 0.08, 0.5, 0.5 - 0.08. Real counts 11.6,
  // 10, 8.4 (sum 30): floors 29, A has the larger remainder: 12, 10, 8.
  EXPECT_EQ(counts(layers, owl_allocation(layers, spans(w), 0.5)),
            (std::vector<int64_t>{12, 10, 8}));
  // Target 0.05: 0.13, 0.05, -0.03; C clamps to 0 and the shift c solves
  // 20 * (0.13 + c + 0.05 + c) = 3: c = -0.015, s = 0.115, 0.035, 0. Real counts 2.3, 0.7, 0:
  // floors 2 of 3, B has the larger remainder: 2, 1, 0.
  EXPECT_EQ(counts(layers, owl_allocation(layers, spans(w), 0.05)),
            (std::vector<int64_t>{2, 1, 0}));
}

TEST(Allocation, SensitivityGreedyByHand) {
  const std::vector<LayerInfo> layers = {layer({2, 5}), layer({2, 5})};
  const std::vector<SensitivityPoint> curve = {{0, 0}, {0.5, 1}, {1, 3}};
  std::vector<LayerSensitivity> sweep = {{curve}, {curve}};
  // Equal costs (1 per 5 weights): the first layer moves first.
  EXPECT_EQ(sensitivity_allocation(layers, sweep, 0.25), (std::vector<double>{0.5, 0.0}));
  // Then layer 0 -> 1 costs 2/5 and layer 1 -> 0.5 costs 1/5.
  EXPECT_EQ(sensitivity_allocation(layers, sweep, 0.5), (std::vector<double>{0.5, 0.5}));
  // 6 weights: the second move stops after one weight, between 0 and 0.5.
  EXPECT_EQ(sensitivity_allocation(layers, sweep, 0.3), (std::vector<double>{0.5, 0.1}));
  // Layer 1 is cheap all the way (0.35 per weight to 1, over its 0.6 to 0.5): the greedy looks
  // past the next point. Target 0.75 = 15: layer 0 -> 0.5 (0.2), then layer 1 -> 1 (0.35).
  sweep[1].points = {{0, 0}, {0.5, 3}, {1, 3.5}};
  EXPECT_EQ(sensitivity_allocation(layers, sweep, 0.75), (std::vector<double>{0.5, 1.0}));
}

TEST(Allocation, SensitivityHonoursBounds) {
  const std::vector<LayerInfo> layers = {layer({2, 5}), layer({2, 5})};
  const std::vector<SensitivityPoint> curve = {{0, 0}, {0.5, 1}, {1, 3}};
  // Layer 0 may not be pruned, layer 1 starts at 0.5.
  const std::vector<LayerSensitivity> sweep = {{curve, 0.0, 0.0}, {curve, 0.5, 1.0}};
  EXPECT_EQ(sensitivity_allocation(layers, sweep, 0.25), (std::vector<double>{0.0, 0.5}));
  // The minimum alone prunes 5 > 2: more than the target, never less.
  EXPECT_EQ(sensitivity_allocation(layers, sweep, 0.1), (std::vector<double>{0.0, 0.5}));
  EXPECT_EQ(sensitivity_allocation(layers, sweep, 0.5), (std::vector<double>{0.0, 1.0}));
  EXPECT_THROW(sensitivity_allocation(layers, sweep, 0.6), UserError);  // at most 10 of 20
}

// Random shapes, weights and sweeps: each strategy meets the budget exactly.
TEST(Allocation, EveryStrategyMeetsTheBudget) {
  std::mt19937 engine(11);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<LayerInfo> layers;
    std::vector<std::vector<float>> w;
    std::vector<LayerSensitivity> sweep;
    auto pick = [&](int64_t low, int64_t count) {
      return low + static_cast<int64_t>(engine() % static_cast<uint32_t>(count));
    };
    const int64_t n = pick(1, 6);
    for (int64_t l = 0; l < n; ++l) {
      layers.push_back(engine() % 2 ? layer({pick(10, 50), pick(10, 50)})
                                    : layer({pick(4, 8), pick(2, 6), 3, 3}));
      w.emplace_back(layers.back().numel);
      const float scale = 0.1f + static_cast<float>(engine() % 10);
      for (auto& v : w.back()) v = scale * normal(engine) * (engine() % 50 == 0 ? 20.0f : 1.0f);
      LayerSensitivity s;
      double loss = 0;
      for (int g = 0; g <= 10; ++g) {
        s.points.push_back({g / 10.0, loss});
        loss += static_cast<double>(engine() % 100) / 10.0 - 1.0;  // noisy, not monotone
      }
      s.min_sparsity = engine() % 3 == 0 ? 0.2 : 0.0;
      s.max_sparsity = engine() % 3 == 0 ? 0.8 : 1.0;
      sweep.push_back(s);
    }
    int64_t total = 0;
    for (const auto& l : layers) total += l.numel;
    for (double target : {0.0, 0.1, 0.37, 0.5, 0.75, 0.9, 0.98}) {
      const int64_t budget = pruned_count(total, target);
      const auto uniform = uniform_allocation(layers, target);
      const auto erk = erk_allocation(layers, target);
      const auto density = erk_densities(layers, target);
      for (const auto& s : {uniform, erk, lamp_allocation(layers, spans(w), target),
                            owl_allocation(layers, spans(w), target)}) {
        EXPECT_EQ(sum(counts(layers, s)), budget) << "trial " << trial << " target " << target;
        for (double v : s) EXPECT_TRUE(v >= 0.0 && v <= 1.0);
      }
      for (size_t l = 0; l < layers.size(); ++l) {
        const double one = 1.0 / static_cast<double>(layers[l].numel);
        EXPECT_LT(std::fabs(uniform[l] - target), one);
        EXPECT_LT(std::fabs(erk[l] - (1.0 - density[l])), one);
      }
      try {
        const auto s = sensitivity_allocation(layers, sweep, target);
        int64_t at_min = 0;
        for (size_t l = 0; l < layers.size(); ++l) {
          EXPECT_GE(s[l], sweep[l].min_sparsity - 1e-9);
          EXPECT_LE(s[l], sweep[l].max_sparsity + 1e-9);
          at_min += pruned_count(layers[l].numel, sweep[l].min_sparsity);
        }
        EXPECT_EQ(sum(counts(layers, s)), std::max(budget, at_min));
      } catch (const UserError&) {
        int64_t most = 0;  // only when the maxima cannot reach the budget
        for (size_t l = 0; l < layers.size(); ++l)
          most += pruned_count(layers[l].numel, sweep[l].max_sparsity);
        EXPECT_LT(most, budget);
      }
    }
  }
}

TEST(Allocation, RejectsBadInputs) {
  const std::vector<LayerInfo> layers = {layer({2, 2}), layer({4, 4})};
  for (double target : {-0.1, 1.0, std::nan("")}) {
    EXPECT_THROW(uniform_allocation(layers, target), UserError);
    EXPECT_THROW(erk_allocation(layers, target), UserError);
  }
  EXPECT_THROW(uniform_allocation({}, 0.5), UserError);
  EXPECT_THROW(erk_allocation(std::vector<LayerInfo>{{"bad", {2, 3}, 5}}, 0.5), UserError);
  EXPECT_THROW(erk_allocation(std::vector<LayerInfo>{{"empty", {0, 3}, 0}}, 0.5), UserError);

  const std::vector<std::vector<float>> short_w = {{1, 2, 3, 4}, {1, 2}};
  EXPECT_THROW(lamp_allocation(layers, spans(short_w), 0.5), UserError);
  const std::vector<std::vector<float>> w = {std::vector<float>(4, 1.0f),
                                             std::vector<float>(16, 1.0f)};
  const auto w_spans = spans(w);
  EXPECT_THROW(lamp_allocation(layers, std::span(w_spans).first(1), 0.5), UserError);
  // OWL keeps a weight per layer: 20 - 2 = 18 of 20 at most.
  EXPECT_NO_THROW(owl_allocation(layers, spans(w), 0.9));
  EXPECT_THROW(owl_allocation(layers, spans(w), 0.95), UserError);
  EXPECT_THROW(owl_allocation(layers, spans(w), 0.5, {.outlier_multiple = 0.0}), UserError);

  const std::vector<SensitivityPoint> curve = {{0, 0}, {0.5, 1}, {1, 3}};
  auto rejects = [&](const LayerSensitivity& bad) {
    EXPECT_THROW(sensitivity_allocation(layers, std::vector<LayerSensitivity>{{curve}, bad}, 0.5),
                 UserError);
  };
  rejects({{{0.1, 0}, {0.5, 1}}});          // does not start at 0
  rejects({{{0, 0}, {0.5, 1}, {0.4, 2}}});  // not ascending
  rejects({curve, 0.6, 0.9});               // no measured point within the bounds
  rejects({curve, 0.5, 0.2});               // min above max
  EXPECT_THROW(sensitivity_allocation(layers, std::vector<LayerSensitivity>{{curve}}, 0.5),
               UserError);
}

}  // namespace
}  // namespace topiary::prune
