#include "prune/schedule.h"

#include <gtest/gtest.h>

#include <cmath>

namespace topiary::prune {
namespace {

TEST(Schedule, CubicFollowsZhuGuptaFormula) {
  SparsityRamp ramp{ScheduleKind::kCubic, 100, 500, 50, 0.1, 0.9};
  EXPECT_DOUBLE_EQ(ramp.sparsity_at(0), 0.1);
  EXPECT_DOUBLE_EQ(ramp.sparsity_at(100), 0.1);
  for (int64_t t : {150, 200, 333, 499}) {
    const double progress = (t - 100) / 400.0;
    EXPECT_NEAR(ramp.sparsity_at(t), 0.9 + (0.1 - 0.9) * std::pow(1 - progress, 3), 1e-12);
  }
  EXPECT_DOUBLE_EQ(ramp.sparsity_at(500), 0.9);
  EXPECT_DOUBLE_EQ(ramp.sparsity_at(10000), 0.9);
}

TEST(Schedule, LinearAndOneShot) {
  SparsityRamp linear{ScheduleKind::kLinear, 0, 10, 1, 0.0, 0.5};
  EXPECT_DOUBLE_EQ(linear.sparsity_at(5), 0.25);
  SparsityRamp once{ScheduleKind::kOneShot, 7, 7, 1, 0.0, 0.8};
  EXPECT_DOUBLE_EQ(once.sparsity_at(6), 0.0);
  EXPECT_DOUBLE_EQ(once.sparsity_at(7), 0.8);
  EXPECT_EQ(once.update_steps(), std::vector<int64_t>{7});
}

TEST(Schedule, UpdateStepsIncludeStartEveryAndEnd) {
  SparsityRamp ramp{ScheduleKind::kCubic, 10, 45, 10, 0.0, 0.9};
  EXPECT_EQ(ramp.update_steps(), (std::vector<int64_t>{10, 20, 30, 40, 45}));
  for (int64_t s = 0; s < 60; ++s) {
    const auto steps = ramp.update_steps();
    EXPECT_EQ(ramp.is_update_step(s), std::find(steps.begin(), steps.end(), s) != steps.end()) << s;
  }
}

TEST(Schedule, ExponentialPrunesAFractionOfWhatRemainsPerUpdate) {
  SparsityRamp ramp{ScheduleKind::kExponential, 100, 400, 100, 0.0, 0.95, 0.2};
  EXPECT_EQ(kScheduleKinds.parse("exponential"), ScheduleKind::kExponential);
  EXPECT_EQ(ramp.update_steps(), (std::vector<int64_t>{100, 200, 300, 400}));
  EXPECT_DOUBLE_EQ(ramp.sparsity_at(99), 0.0);
  for (int64_t k = 1; k <= 4; ++k) {
    // s_k = 1 - (1 - p)^k, at the k-th update and until the next one.
    const double expected = 1.0 - std::pow(0.8, static_cast<double>(k));
    EXPECT_NEAR(ramp.sparsity_at(100 * k), expected, 1e-12) << k;
    EXPECT_NEAR(ramp.sparsity_at(100 * k + 50), expected, 1e-12) << k;
  }
  EXPECT_NEAR(ramp.sparsity_at(100000), 1.0 - std::pow(0.8, 4.0), 1e-12);
  SparsityRamp capped{ScheduleKind::kExponential, 0, 1000, 100, 0.0, 0.5, 0.3};
  EXPECT_DOUBLE_EQ(capped.sparsity_at(1000), 0.5);
  EXPECT_NEAR(capped.sparsity_at(0), 0.3, 1e-12);
  SparsityRamp from_half{ScheduleKind::kExponential, 0, 0, 1, 0.5, 0.99, 0.5};
  EXPECT_NEAR(from_half.sparsity_at(0), 0.75, 1e-12);  // half of the remaining half
}

TEST(Schedule, ExponentialLevelsContinueWhereTheLastLevelEnded) {
  // IMP: one update at the end of each level of 1000 steps, 20% of what remains each time.
  SparsityRamp level0{ScheduleKind::kExponential, 1000, 1000, 1, 0.0, 0.99, 0.2};
  for (int64_t level = 0; level < 5; ++level) {
    const SparsityRamp ramp = level0.for_level(level, 1000);
    const int64_t end = 1000 * (level + 1);
    EXPECT_EQ(ramp.update_steps(), std::vector<int64_t>{end});
    EXPECT_NEAR(ramp.sparsity_at(end - 1), 1.0 - std::pow(0.8, static_cast<double>(level)), 1e-12);
    EXPECT_NEAR(ramp.sparsity_at(end), 1.0 - std::pow(0.8, level + 1.0), 1e-12) << level;
  }
  // Other kinds repeat their ramp, shifted.
  SparsityRamp linear{ScheduleKind::kLinear, 10, 20, 5, 0.0, 0.5};
  const SparsityRamp second = linear.for_level(1, 100);
  EXPECT_EQ(second.update_steps(), (std::vector<int64_t>{110, 115, 120}));
  EXPECT_DOUBLE_EQ(second.sparsity_at(115), 0.25);
}

TEST(Schedule, UnknownKindListsKnownOnes) {
  EXPECT_EQ(kScheduleKinds.parse("quadratic"), std::nullopt);
  EXPECT_EQ(kScheduleKinds.joined(), "cubic, linear, oneshot, exponential");
}

}  // namespace
}  // namespace topiary::prune
