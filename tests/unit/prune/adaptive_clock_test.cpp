#include "prune/adaptive_clock.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "core/error.h"

namespace topiary::prune {
namespace {

// Linear 0 -> 0.5 over steps [10, 50], masks every 10 steps.
const SparsityRamp kRamp{ScheduleKind::kLinear, 10, 50, 10, 0.0, 0.5};

// The steps in [from, to] at which the clock updates masks, applying each update.
std::vector<std::pair<int64_t, int64_t>> run(AdaptiveClock& clock, int64_t from, int64_t to) {
  std::vector<std::pair<int64_t, int64_t>> updates;  // (step, ramp time)
  for (int64_t s = from; s <= to; ++s) {
    if (const auto t = clock.update_time(s)) {
      updates.emplace_back(s, *t);
      clock.applied(s);
    }
  }
  return updates;
}

using Updates = std::vector<std::pair<int64_t, int64_t>>;

TEST(AdaptiveClock, WithoutPausesFollowsTheStaticRamp) {
  AdaptiveClock clock(kRamp, 0.02, false, 200);
  Updates expected;
  for (int64_t s : kRamp.update_steps()) expected.emplace_back(s, s);
  Updates got;
  for (int64_t s = 0; s <= 200; ++s) {
    if (const auto t = clock.update_time(s)) {
      got.emplace_back(s, *t);
      clock.applied(s);
    }
    // Improving evaluations every 5 steps never pause the ramp.
    if (s % 5 == 0) {
      EXPECT_NE(clock.observe(s, 10.0 - static_cast<double>(s) * 0.01), ClockEvent::kPaused);
    }
  }
  EXPECT_EQ(got, expected);
  EXPECT_TRUE(clock.done());
  EXPECT_EQ(clock.delay(), 0);
}

TEST(AdaptiveClock, PausesBeyondToleranceAndResumesWithinIt) {
  AdaptiveClock clock(kRamp, 0.1, false, 200);
  EXPECT_EQ(clock.observe(5, 0.1), ClockEvent::kIgnored);  // before the ramp: not a reference
  EXPECT_EQ(run(clock, 0, 10), (Updates{{10, 10}}));
  EXPECT_EQ(clock.observe(10, 1.0), ClockEvent::kReference);
  EXPECT_EQ(run(clock, 11, 20), (Updates{{20, 20}}));
  EXPECT_EQ(clock.observe(20, 1.1), ClockEvent::kRunning);  // exactly at the tolerance
  EXPECT_EQ(run(clock, 21, 30), (Updates{{30, 30}}));
  EXPECT_EQ(clock.observe(30, 1.1000001), ClockEvent::kPaused);
  EXPECT_TRUE(clock.paused());
  EXPECT_EQ(run(clock, 31, 40), Updates{});  // no mask changes while paused
  EXPECT_EQ(clock.observe(40, 1.15), ClockEvent::kStillPaused);
  EXPECT_EQ(run(clock, 41, 45), Updates{});
  EXPECT_EQ(clock.observe(45, 1.05), ClockEvent::kResumed);  // paused for steps 31..45
  EXPECT_EQ(clock.delay(), 15);
  EXPECT_FALSE(clock.paused());
  // The rest of the static timeline (40, 50) runs 15 steps later.
  EXPECT_EQ(run(clock, 46, 200), (Updates{{55, 40}, {65, 50}}));
  EXPECT_TRUE(clock.done());
  EXPECT_EQ(clock.observe(70, 9.0), ClockEvent::kIgnored);  // done: evaluations no longer count
  EXPECT_NEAR(kRamp.sparsity_at(40), 0.375, 1e-12);
}

TEST(AdaptiveClock, ReferenceIsTheBestEvaluationPausesIncluded) {
  AdaptiveClock clock(kRamp, 0.1, false, 200);
  run(clock, 0, 10);
  clock.observe(10, 2.0);
  EXPECT_EQ(clock.observe(12, 1.0), ClockEvent::kRunning);  // new best
  EXPECT_EQ(*clock.reference(), 1.0);
  EXPECT_EQ(clock.observe(14, 1.5), ClockEvent::kPaused);  // within 10% of 2.0, not of 1.0
  EXPECT_EQ(clock.observe(16, 0.5), ClockEvent::kResumed);
  EXPECT_EQ(*clock.reference(), 0.5);
  EXPECT_EQ(clock.delay(), 2);
}

TEST(AdaptiveClock, DeadlineAppliesTheEndPausedOrNot) {
  AdaptiveClock paused(kRamp, 0.0, false, 80);
  run(paused, 0, 20);
  paused.observe(20, 1.0);
  run(paused, 21, 25);
  EXPECT_EQ(paused.observe(25, 2.0), ClockEvent::kPaused);
  EXPECT_EQ(run(paused, 26, 200), (Updates{{80, 50}}));  // never recovered: the end at 80
  EXPECT_TRUE(paused.done());

  AdaptiveClock late(kRamp, 0.0, false, 60);
  run(late, 0, 20);
  late.observe(20, 1.0);
  run(late, 21, 25);
  late.observe(25, 2.0);
  EXPECT_EQ(run(late, 26, 40), Updates{});
  late.observe(40, 1.0);  // resumed, 15 steps behind: 30 -> 45, 40 -> 55, 50 would be 65
  EXPECT_EQ(late.delay(), 15);
  EXPECT_EQ(run(late, 41, 200), (Updates{{45, 30}, {55, 40}, {60, 50}}));
}

TEST(AdaptiveClock, AccuracyPausesOnARelativeDrop) {
  AdaptiveClock clock(kRamp, 0.05, true, 200);
  run(clock, 0, 10);
  clock.observe(10, 0.80);
  EXPECT_EQ(clock.observe(20, 0.761), ClockEvent::kRunning);  // 0.80 * 0.95 = 0.76
  EXPECT_EQ(clock.observe(30, 0.75), ClockEvent::kPaused);
  EXPECT_EQ(clock.observe(40, 0.78), ClockEvent::kResumed);
}

TEST(AdaptiveClock, NonFiniteMetricPauses) {
  AdaptiveClock clock(kRamp, 0.5, false, 200);
  run(clock, 0, 10);
  clock.observe(10, 1.0);
  EXPECT_EQ(clock.observe(20, std::numeric_limits<double>::quiet_NaN()), ClockEvent::kPaused);
  EXPECT_EQ(*clock.reference(), 1.0);
}

TEST(AdaptiveClock, ExportedStateContinuesBitForBit) {
  AdaptiveClock a(kRamp, 0.1, false, 200);
  run(a, 0, 30);
  a.observe(10, 0.1 + 0.2);  // a reference that has no short decimal form
  a.observe(30, 0.9);        // paused
  AdaptiveClock b(kRamp, 0.1, false, 200);
  b.import_state(a.export_state());
  EXPECT_EQ(b.export_state(), a.export_state());
  EXPECT_EQ(*b.reference(), 0.1 + 0.2);
  EXPECT_TRUE(b.paused());
  for (int64_t s = 31; s <= 200; ++s) {
    if (s % 7 == 0) {
      const double loss = 0.9 - 0.01 * static_cast<double>(s - 30);
      EXPECT_EQ(a.observe(s, loss), b.observe(s, loss));
    }
    EXPECT_EQ(a.update_time(s), b.update_time(s)) << s;
    if (a.update_time(s)) {
      a.applied(s);
      b.applied(s);
    }
  }
  EXPECT_TRUE(a.done() && b.done());
  EXPECT_EQ(a.delay(), b.delay());
  EXPECT_THROW(b.import_state("garbage"), UserError);
}

TEST(AdaptiveClock, ExponentialRampCountsUpdatesOnTheClock) {
  const SparsityRamp exp{ScheduleKind::kExponential, 10, 40, 10, 0.0, 0.9, 0.5};
  AdaptiveClock clock(exp, 0.0, false, 100);
  run(clock, 0, 10);
  clock.observe(10, 1.0);
  run(clock, 11, 15);
  clock.observe(15, 2.0);  // paused
  EXPECT_EQ(run(clock, 16, 35), Updates{});
  clock.observe(35, 1.0);  // resumed, 20 behind
  const Updates updates = run(clock, 36, 100);
  EXPECT_EQ(updates, (Updates{{40, 20}, {50, 30}, {60, 40}}));
  EXPECT_DOUBLE_EQ(exp.sparsity_at(updates.back().second), exp.sparsity_at(40));
}

}  // namespace
}  // namespace topiary::prune
