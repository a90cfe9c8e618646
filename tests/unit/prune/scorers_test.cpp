#include "prune/scorers.h"

#include <gtest/gtest.h>

#include <cmath>

#include "prune/fingerprint.h"

namespace topiary::prune {
namespace {

TEST(Scorers, MagnitudeIsAbsoluteValueAndPrunedStayPruned) {
  std::vector<float> w = {-3, 2, 0.5f, -0.1f};
  std::vector<float> mask = {1, 0, 1, 1};
  std::vector<float> out(4);
  magnitude_scores(w, mask, out);
  EXPECT_EQ(out[0], 3.0f);
  EXPECT_TRUE(std::isinf(out[1]) && out[1] < 0);
  EXPECT_EQ(out[2], 0.5f);
  EXPECT_EQ(out[3], 0.1f);
}

TEST(Scorers, RandomIsReproducibleAndStreamDependent) {
  std::vector<float> a(1000), b(1000), c(1000);
  random_scores(42, 1, {}, a);
  random_scores(42, 1, {}, b);
  random_scores(42, 2, {}, c);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  double mean = 0;
  for (float v : a) {
    EXPECT_GE(v, 0.0f);
    EXPECT_LT(v, 1.0f);
    mean += v;
  }
  EXPECT_NEAR(mean / 1000, 0.5, 0.05);
}

TEST(Fingerprint, DependsOnEveryKeepBit) {
  std::vector<float> mask(77, 1.0f);
  const uint64_t base = mask_fingerprint(mask);
  for (size_t i = 0; i < mask.size(); ++i) {
    mask[i] = 0.0f;
    EXPECT_NE(mask_fingerprint(mask), base) << i;
    mask[i] = 1.0f;
  }
  EXPECT_EQ(mask_fingerprint(mask), base);
  std::vector<float> longer(78, 1.0f);
  EXPECT_NE(mask_fingerprint(longer), base);
}

TEST(Scorers, MethodsThatNeedGradientsSaySo) {
  EXPECT_TRUE(needs_gradients(ScorerKind::kTaylor));
  EXPECT_TRUE(needs_gradients(ScorerKind::kFisher));
  EXPECT_TRUE(needs_gradients(ScorerKind::kMovement));
  EXPECT_TRUE(needs_gradients(ScorerKind::kMovementSoft));
  EXPECT_FALSE(needs_gradients(ScorerKind::kMagnitude));
  EXPECT_FALSE(needs_gradients(ScorerKind::kRandom));
}

}  // namespace
}  // namespace topiary::prune
