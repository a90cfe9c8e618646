// The gradient scorers' running sums (Taylor, movement) on the training device: the values of an
// entry-by-entry float64 loop, bit for bit, and the selection they lead to.
#include "train/score_accumulator.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "prune/selection.h"

namespace topiary::train {
namespace {

struct Steps {
  std::vector<torch::Tensor> weights, grads;
};

Steps random_steps(std::mt19937& engine, int64_t size, int count) {
  std::uniform_int_distribution<int> value(-3, 3);  // small integers: exact sums, many ties
  Steps steps;
  for (int s = 0; s < count; ++s) {
    torch::Tensor w = torch::empty({size}), g = torch::empty({size});
    for (int64_t i = 0; i < size; ++i) {
      w[i] = static_cast<float>(value(engine));
      g[i] = static_cast<float>(value(engine)) * 0.5f;
    }
    steps.weights.push_back(w);
    steps.grads.push_back(g);
  }
  return steps;
}

std::vector<float> as_vector(const torch::Tensor& t) {
  const torch::Tensor c = t.contiguous();
  return {c.data_ptr<float>(), c.data_ptr<float>() + c.numel()};
}

TEST(ScoreAccumulator, TaylorSumsAbsoluteProductsOverTheWindow) {
  std::mt19937 engine(1);
  const Steps steps = random_steps(engine, 50, 7);
  ScoreAccumulator taylor(ScoreAccumulator::Kind::kTaylor, torch::zeros({50}));
  for (int s = 0; s < 7; ++s) taylor.add(steps.weights[s], steps.grads[s]);
  EXPECT_EQ(taylor.steps(), 7);
  const std::vector<float> out = as_vector(taylor.scores(torch::Tensor()));
  for (int64_t i = 0; i < 50; ++i) {
    double expected = 0;
    for (int s = 0; s < 7; ++s) {
      expected += std::fabs(static_cast<double>(steps.weights[s][i].item<float>()) *
                            static_cast<double>(steps.grads[s][i].item<float>()));
    }
    EXPECT_EQ(out[static_cast<size_t>(i)], static_cast<float>(expected)) << i;
  }
  taylor.reset();
  EXPECT_EQ(as_vector(taylor.scores(torch::Tensor())), std::vector<float>(50, 0.0f));
  EXPECT_EQ(taylor.steps(), 0);
}

TEST(ScoreAccumulator, DoubleSumsOfFloatProductsAreExact) {
  // Products of floats are exact in float64; a float32 sum would lose the small terms.
  ScoreAccumulator taylor(ScoreAccumulator::Kind::kTaylor, torch::zeros({1}));
  taylor.add(torch::tensor({4096.0f}), torch::tensor({4096.0f}));
  for (int s = 0; s < 1000; ++s) taylor.add(torch::tensor({1e-3f}), torch::tensor({1e-3f}));
  double expected = 4096.0 * 4096.0;
  for (int s = 0; s < 1000; ++s)
    expected += static_cast<double>(1e-3f) * static_cast<double>(1e-3f);
  EXPECT_EQ(taylor.sums()[0], expected);
}

TEST(ScoreAccumulator, MovementAccumulatesNegativeProductAndNeverResets) {
  ScoreAccumulator movement(ScoreAccumulator::Kind::kMovement, torch::zeros({3}));
  // Entry 0 grows away from zero (w > 0, g < 0), entry 1 shrinks towards it, entry 2 is still.
  movement.add(torch::tensor({1.0f, 1.0f, 0.0f}), torch::tensor({-2.0f, 2.0f, 5.0f}));
  movement.add(torch::tensor({2.0f, -1.0f, 0.0f}), torch::tensor({-1.0f, -1.0f, 5.0f}));
  EXPECT_EQ(as_vector(movement.scores(torch::Tensor())), (std::vector<float>{4, -3, 0}));
  const std::vector<float> masked = as_vector(movement.scores(torch::tensor({1.0f, 0.0f, 1.0f})));
  EXPECT_EQ(masked[0], 4.0f);
  EXPECT_TRUE(std::isinf(masked[1]) && masked[1] < 0);  // hard movement: pruned stays pruned
  EXPECT_EQ(movement.steps(), 2);
}

TEST(ScoreAccumulator, KeepsTheParameterShapeAndGivesHostScores) {
  ScoreAccumulator movement(ScoreAccumulator::Kind::kMovement, torch::zeros({2, 3}));
  movement.add(torch::ones({2, 3}), torch::full({2, 3}, -1.0f));
  const torch::Tensor scores = movement.scores(torch::ones({6}));
  EXPECT_EQ(scores.sizes(), (std::vector<int64_t>{2, 3}));
  EXPECT_TRUE(scores.is_cpu() && scores.is_contiguous());
  EXPECT_EQ(scores.scalar_type(), torch::kFloat32);
}

TEST(ScoreAccumulator, MovementMatchesReferenceSelection) {
  std::mt19937 engine(4);
  const Steps steps = random_steps(engine, 64, 5);
  ScoreAccumulator movement(ScoreAccumulator::Kind::kMovement, torch::zeros({64}));
  for (int s = 0; s < 5; ++s) movement.add(steps.weights[s], steps.grads[s]);
  std::vector<float> scores = as_vector(movement.scores(torch::Tensor()));
  std::vector<float> mask(64);
  std::vector<prune::ScoredTensor> t{{scores, mask}};
  prune::select_layerwise(t, 0.25);
  // Reference: the 16 lowest sum(-w*g), ties by index.
  std::vector<std::pair<double, size_t>> ranked;
  for (int64_t i = 0; i < 64; ++i) {
    double sum = 0;
    for (int s = 0; s < 5; ++s)
      sum -= steps.weights[s][i].item<float>() * steps.grads[s][i].item<float>();
    ranked.emplace_back(sum, static_cast<size_t>(i));
  }
  std::sort(ranked.begin(), ranked.end());
  std::vector<float> expected(64, 1.0f);
  for (size_t j = 0; j < 16; ++j) expected[ranked[j].second] = 0.0f;
  EXPECT_EQ(mask, expected);
}

TEST(ScoreAccumulator, FisherScoresAreHalfTheSquaredWeightTimesTheDampenedMeanSquaredGradient) {
  std::mt19937 engine(2);
  const Steps steps = random_steps(engine, 40, 6);
  ScoreAccumulator fisher(ScoreAccumulator::Kind::kFisher, torch::zeros({40}));
  for (int s = 0; s < 6; ++s) fisher.add(steps.weights[s], steps.grads[s]);
  const double dampening = 0.125;
  const torch::Tensor w = steps.weights.back();
  const std::vector<float> out = as_vector(fisher.fisher_scores(w, torch::Tensor(), dampening));
  for (int64_t i = 0; i < 40; ++i) {
    double squares = 0;
    for (int s = 0; s < 6; ++s) {
      const double g = steps.grads[s][i].item<float>();
      squares += g * g;
    }
    const double wi = w[i].item<float>();
    EXPECT_EQ(out[static_cast<size_t>(i)],
              static_cast<float>(wi * wi * (squares / 6 + dampening) * 0.5))
        << i;
  }
  fisher.reset();
  EXPECT_EQ(fisher.steps(), 0);
  // Before any gradient the diagonal is the dampening alone.
  EXPECT_EQ(as_vector(fisher.fisher_scores(torch::full({40}, -2.0f), torch::Tensor(), 1.0)),
            std::vector<float>(40, 2.0f));
}

TEST(ScoreAccumulator, FisherKeepsSmallWeightsWhereTheLossIsSharp) {
  // Entry 0 is small with large gradients, entry 1 large with none: magnitude would prune
  // entry 0 first, the Fisher saliency prunes entry 1; pruned entries score -inf.
  ScoreAccumulator fisher(ScoreAccumulator::Kind::kFisher, torch::zeros({3}));
  const torch::Tensor w = torch::tensor({0.1f, 1.0f, 0.5f});
  fisher.add(w, torch::tensor({4.0f, 0.0f, 1.0f}));
  fisher.add(w, torch::tensor({-4.0f, 0.0f, 1.0f}));
  const std::vector<float> scores =
      as_vector(fisher.fisher_scores(w, torch::tensor({1.0f, 1.0f, 0.0f}), 0.0));
  EXPECT_GT(scores[0], scores[1]);
  EXPECT_EQ(scores[1], 0.0f);
  EXPECT_TRUE(std::isinf(scores[2]) && scores[2] < 0);
}

TEST(ScoreAccumulator, RestoreGivesBackTheSameState) {
  ScoreAccumulator a(ScoreAccumulator::Kind::kTaylor, torch::zeros({2}));
  ScoreAccumulator b(ScoreAccumulator::Kind::kTaylor, torch::zeros({2}));
  a.add(torch::tensor({1.0f, -2.0f}), torch::tensor({3.0f, 4.0f}));
  b.restore(a.sums(), a.steps());
  EXPECT_EQ(as_vector(a.scores(torch::Tensor())), as_vector(b.scores(torch::Tensor())));
  EXPECT_EQ(b.steps(), 1);
}

}  // namespace
}  // namespace topiary::train
