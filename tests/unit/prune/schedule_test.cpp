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

TEST(Schedule, UnknownKindListsKnownOnes) {
  try {
    parse_schedule_kind("quadratic");
    FAIL();
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("cubic, linear, oneshot"), std::string::npos);
  }
}

}  // namespace
}  // namespace topiary::prune
