#include "recipe/lr_schedule.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "core/error.h"

namespace topiary::recipe {
namespace {

LrSchedule make(LrKind kind) {
  LrSchedule s;
  s.kind = kind;
  s.base_lr = 0.1;
  s.min_lr = 0.001;
  s.begin = 100;
  s.length = 1000;
  return s;
}

TEST(LrSchedule, ConstantIsTheBaseRateEverywhere) {
  const LrSchedule s = make(LrKind::kConstant);
  for (int64_t step : {0, 100, 599, 1099, 5000}) EXPECT_DOUBLE_EQ(s.lr_at(step), 0.1) << step;
}

TEST(LrSchedule, StepMultipliesByGammaEveryInterval) {
  LrSchedule s = make(LrKind::kStep);
  s.gamma = 0.5;
  s.every = 300;
  EXPECT_DOUBLE_EQ(s.lr_at(100), 0.1);
  EXPECT_DOUBLE_EQ(s.lr_at(399), 0.1);
  EXPECT_DOUBLE_EQ(s.lr_at(400), 0.05);
  EXPECT_DOUBLE_EQ(s.lr_at(700), 0.025);
}

TEST(LrSchedule, LinearAndCosineFollowTheirFormulas) {
  const LrSchedule linear = make(LrKind::kLinear);
  const LrSchedule cosine = make(LrKind::kCosine);
  for (int64_t t : {0, 1, 250, 500, 999, 1000, 2000}) {
    const double p = std::min(1.0, t / 1000.0);
    EXPECT_NEAR(linear.lr_at(100 + t), 0.1 + (0.001 - 0.1) * p, 1e-15) << t;
    EXPECT_NEAR(cosine.lr_at(100 + t),
                0.001 + (0.1 - 0.001) * (1 + std::cos(std::numbers::pi * p)) / 2, 1e-15)
        << t;
  }
  EXPECT_NEAR(cosine.lr_at(600), (0.1 + 0.001) / 2, 1e-15);  // halfway
}

TEST(LrSchedule, WarmupRisesLinearlyThenTheDecayStarts) {
  LrSchedule s = make(LrKind::kCosine);
  s.warmup = 10;
  for (int64_t t = 0; t < 10; ++t) EXPECT_NEAR(s.lr_at(100 + t), 0.1 * (t + 1) / 10.0, 1e-15);
  EXPECT_DOUBLE_EQ(s.lr_at(110), 0.1);  // p = 0 right after the warm-up
  const double p = 495.0 / 990.0;
  EXPECT_NEAR(s.lr_at(110 + 495), 0.001 + 0.099 * (1 + std::cos(std::numbers::pi * p)) / 2, 1e-15);
  EXPECT_NEAR(s.lr_at(1100), 0.001, 1e-15);
}

TEST(LrSchedule, RewindingRestartsEveryLevel) {
  LrSchedule s = make(LrKind::kLinear);
  s.warmup = 5;
  s.level_length = 200;
  for (int64_t t : {0, 3, 5, 100, 199}) {
    EXPECT_DOUBLE_EQ(s.lr_at(100 + t), s.lr_at(100 + 200 + t)) << t;
    EXPECT_DOUBLE_EQ(s.lr_at(100 + t), s.lr_at(100 + 800 + t)) << t;
  }
  EXPECT_NEAR(s.lr_at(100 + 5 + 97), 0.1 + (0.001 - 0.1) * 97.0 / 195.0, 1e-15);
  EXPECT_DOUBLE_EQ(s.lr_at(300), 0.1 / 5);  // a new level warms up again
}

TEST(LrSchedule, ParsesNamesAndListsKnownOnes) {
  EXPECT_EQ(kLrKinds.parse("cosine"), LrKind::kCosine);
  EXPECT_EQ(kLrKinds.parse("step"), LrKind::kStep);
  EXPECT_EQ(kLrKinds.parse("exp"), std::nullopt);
  EXPECT_EQ(kLrKinds.joined(), "constant, step, linear, cosine");
}

}  // namespace
}  // namespace topiary::recipe
