#include "prune/gradient_scores.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "prune/scorers.h"
#include "prune/selection.h"

namespace topiary::prune {
namespace {

struct Steps {
  std::vector<std::vector<float>> weights, grads;
};

Steps random_steps(std::mt19937& engine, size_t size, int count) {
  std::uniform_int_distribution<int> value(-3, 3);  // small integers: exact sums, many ties
  Steps steps;
  for (int s = 0; s < count; ++s) {
    std::vector<float> w(size), g(size);
    for (size_t i = 0; i < size; ++i) {
      w[i] = static_cast<float>(value(engine));
      g[i] = static_cast<float>(value(engine)) * 0.5f;
    }
    steps.weights.push_back(w);
    steps.grads.push_back(g);
  }
  return steps;
}

TEST(GradientScores, TaylorSumsAbsoluteProductsOverTheWindow) {
  std::mt19937 engine(1);
  const Steps steps = random_steps(engine, 50, 7);
  TaylorAccumulator taylor(50);
  for (int s = 0; s < 7; ++s) taylor.add(steps.weights[s], steps.grads[s]);
  EXPECT_EQ(taylor.steps(), 7);
  std::vector<float> out(50);
  taylor.scores({}, out);
  for (size_t i = 0; i < 50; ++i) {
    double expected = 0;
    for (int s = 0; s < 7; ++s) expected += std::fabs(steps.weights[s][i] * steps.grads[s][i]);
    EXPECT_EQ(out[i], static_cast<float>(expected)) << i;
  }
  taylor.reset();
  taylor.scores({}, out);
  EXPECT_EQ(out, std::vector<float>(50, 0.0f));
  EXPECT_EQ(taylor.steps(), 0);
}

TEST(GradientScores, MovementAccumulatesNegativeProductAndNeverResets) {
  MovementAccumulator movement(3);
  // Entry 0 grows away from zero (w > 0, g < 0), entry 1 shrinks towards it, entry 2 is still.
  movement.add(std::vector<float>{1, 1, 0}, std::vector<float>{-2, 2, 5});
  movement.add(std::vector<float>{2, -1, 0}, std::vector<float>{-1, -1, 5});
  std::vector<float> out(3);
  movement.scores({}, out);
  EXPECT_EQ(out, (std::vector<float>{4, -3, 0}));
  const std::vector<float> mask = {1, 0, 1};
  movement.scores(mask, out);
  EXPECT_EQ(out[0], 4.0f);
  EXPECT_TRUE(std::isinf(out[1]) && out[1] < 0);  // hard movement: pruned stays pruned
  EXPECT_EQ(movement.steps(), 2);
}

TEST(GradientScores, MovementMatchesReferenceSelection) {
  std::mt19937 engine(4);
  const Steps steps = random_steps(engine, 64, 5);
  MovementAccumulator movement(64);
  for (int s = 0; s < 5; ++s) movement.add(steps.weights[s], steps.grads[s]);
  std::vector<float> scores(64), mask(64);
  movement.scores({}, scores);
  std::vector<ScoredTensor> t{{scores, mask}};
  select_layerwise(t, 0.25);
  // Reference: the 16 lowest sum(-w*g), ties by index.
  std::vector<std::pair<double, size_t>> ranked;
  for (size_t i = 0; i < 64; ++i) {
    double sum = 0;
    for (int s = 0; s < 5; ++s) sum -= steps.weights[s][i] * steps.grads[s][i];
    ranked.emplace_back(sum, i);
  }
  std::sort(ranked.begin(), ranked.end());
  std::vector<float> expected(64, 1.0f);
  for (size_t j = 0; j < 16; ++j) expected[ranked[j].second] = 0.0f;
  EXPECT_EQ(mask, expected);
}

TEST(GradientScores, RestoreGivesBackTheSameState) {
  TaylorAccumulator a(2), b(2);
  a.add(std::vector<float>{1, -2}, std::vector<float>{3, 4});
  b.restore(a.sums(), a.steps());
  std::vector<float> sa(2), sb(2);
  a.scores({}, sa);
  b.scores({}, sb);
  EXPECT_EQ(sa, sb);
  EXPECT_EQ(b.steps(), 1);
}

TEST(GradientScores, MethodsThatNeedGradientsSaySo) {
  EXPECT_TRUE(needs_gradients(parse_scorer_kind("taylor")));
  EXPECT_TRUE(needs_gradients(parse_scorer_kind("movement")));
  EXPECT_TRUE(needs_gradients(parse_scorer_kind("movement_soft")));
  EXPECT_FALSE(needs_gradients(parse_scorer_kind("magnitude")));
  EXPECT_FALSE(needs_gradients(parse_scorer_kind("random")));
}

}  // namespace
}  // namespace topiary::prune
