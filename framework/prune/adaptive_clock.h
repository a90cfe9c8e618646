#pragma once
// The clock of an adaptive sparsity ramp (recipe: `adaptive:` inside a prune modifier).
// Pure bookkeeping on integers and the evaluation metric, torch-free; every rank feeds it the
// same values (the trainer broadcasts rank 0's metric), so every rank follows the same timeline.
//
// Note [Adaptive ramp clock]
// The static ramp (SparsityRamp) maps ramp time t to a sparsity and says at which t masks change.
// An adaptive ramp reads it at t = step - delay, where delay counts the optimizer steps completed
// while paused. Evaluations drive the pause:
//  - only evaluations at steps >= start_step and before the ramp is done count (after the mask
//    update of the same step, Note [Step ordering]); the first of them sets the reference;
//  - the reference is the best metric among the counting evaluations (lowest loss, highest
//    accuracy), pauses included;
//  - a running clock pauses at an evaluation worse than the reference by more than `tolerance`
//    (loss > ref * (1 + tol); accuracy < ref * (1 - tol)); a paused clock resumes at the first
//    evaluation that is within it again. A pause at evaluation step p that resumes at
//    evaluation step r adds r - p to delay: steps p+1..r do not advance the ramp, and no mask
//    changes at them;
//  - `deadline` bounds the delay: at step `deadline` the ramp, if not done, jumps to its end
//    (final sparsity), paused or not. The ramp is done once its end has been applied.
// Without pauses the timeline is exactly the static ramp's.
#include <cstdint>
#include <optional>
#include <string>

#include "prune/schedule.h"

namespace topiary::prune {

// What an evaluation did to the clock.
enum class ClockEvent { kIgnored, kReference, kRunning, kPaused, kStillPaused, kResumed };
const char* to_string(ClockEvent event);

class AdaptiveClock {
 public:
  // `deadline` >= ramp.end_step: the last step at which the ramp may end.
  AdaptiveClock(const SparsityRamp& ramp, double tolerance, bool higher_is_better,
                int64_t deadline);

  // The ramp time of a mask update after optimizer step `step`, or nullopt when masks do not
  // change then. Query in step order, before observe() of the same step. The targets are
  // ramp.sparsity_at(t) (and the same for override ramps that share start, end and every).
  std::optional<int64_t> update_time(int64_t step) const;
  // Record that the update at `step` (from update_time) was applied.
  void applied(int64_t step);
  // One evaluation at `step` (after that step's mask update) with its metric value.
  ClockEvent observe(int64_t step, double value);

  bool paused() const { return paused_since_.has_value(); }
  bool done() const { return done_; }
  int64_t delay() const { return delay_; }
  std::optional<double> reference() const { return reference_; }
  int64_t deadline() const { return deadline_; }

  // For checkpoints: the whole mutable state as text (doubles written round-trip exact).
  std::string export_state() const;
  void import_state(const std::string& text);  // UserError when unreadable

 private:
  bool within(double value) const;

  SparsityRamp ramp_;
  double tolerance_;
  bool higher_;
  int64_t deadline_;
  int64_t delay_ = 0;
  std::optional<int64_t> paused_since_;  // evaluation step at which the current pause began
  std::optional<double> reference_;
  bool done_ = false;
};

}  // namespace topiary::prune
