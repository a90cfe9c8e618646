#include "prune/adaptive_clock.h"

#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "core/error.h"

namespace topiary::prune {

const char* to_string(ClockEvent event) {
  switch (event) {
    case ClockEvent::kIgnored:
      return "ignored";
    case ClockEvent::kReference:
      return "reference";
    case ClockEvent::kRunning:
      return "running";
    case ClockEvent::kPaused:
      return "paused";
    case ClockEvent::kStillPaused:
      return "still_paused";
    case ClockEvent::kResumed:
      return "resumed";
  }
  return "?";
}

AdaptiveClock::AdaptiveClock(const SparsityRamp& ramp, double tolerance, bool higher_is_better,
                             int64_t deadline)
    : ramp_(ramp), tolerance_(tolerance), higher_(higher_is_better), deadline_(deadline) {
  TOPIARY_ASSERT(deadline >= ramp.end_step, "adaptive deadline before the ramp's end");
}

std::optional<int64_t> AdaptiveClock::update_time(int64_t step) const {
  if (done_ || step < ramp_.start_step || step > deadline_) return std::nullopt;
  // At the deadline the rest of the ramp is applied at once, paused or not.
  if (step == deadline_) return ramp_.end_step;
  if (paused_since_) return std::nullopt;
  const int64_t t = step - delay_;
  if (!ramp_.is_update_step(t)) return std::nullopt;
  return t;
}

void AdaptiveClock::applied(int64_t step) {
  const auto t = update_time(step);
  TOPIARY_ASSERT(t.has_value(), "adaptive clock: no update is due at this step");
  if (*t >= ramp_.end_step) done_ = true;
}

bool AdaptiveClock::within(double value) const {
  // Written so that a NaN metric counts as outside the tolerance (the ramp pauses).
  return higher_ ? value >= *reference_ * (1.0 - tolerance_)
                 : value <= *reference_ * (1.0 + tolerance_);
}

ClockEvent AdaptiveClock::observe(int64_t step, double value) {
  if (done_ || step < ramp_.start_step) return ClockEvent::kIgnored;
  if (!reference_) {
    reference_ = value;
    return ClockEvent::kReference;
  }
  const bool ok = within(value);
  if (higher_ ? value > *reference_ : value < *reference_) reference_ = value;
  if (paused_since_) {
    if (!ok) return ClockEvent::kStillPaused;
    delay_ += step - *paused_since_;
    paused_since_.reset();
    return ClockEvent::kResumed;
  }
  if (ok) return ClockEvent::kRunning;
  paused_since_ = step;
  return ClockEvent::kPaused;
}

std::string AdaptiveClock::export_state() const {
  // Hex floats ("%a") read back bit for bit.
  char reference[64] = "-";
  if (reference_) std::snprintf(reference, sizeof(reference), "%a", *reference_);
  std::ostringstream out;
  out << "delay " << delay_ << " paused_since "
      << (paused_since_ ? std::to_string(*paused_since_) : "-") << " reference " << reference
      << " done " << (done_ ? 1 : 0);
  return out.str();
}

void AdaptiveClock::import_state(const std::string& text) {
  std::istringstream in(text);
  std::string k1, k2, k3, k4, paused, reference;
  int64_t delay = 0;
  int done = 0;
  in >> k1 >> delay >> k2 >> paused >> k3 >> reference >> k4 >> done;
  if (!in || k1 != "delay" || k2 != "paused_since" || k3 != "reference" || k4 != "done") {
    throw UserError("checkpoint: unreadable adaptive-ramp state '" + text + "'");
  }
  delay_ = delay;
  done_ = done != 0;
  paused_since_.reset();
  if (paused != "-") paused_since_ = std::stoll(paused);
  reference_.reset();
  if (reference != "-") reference_ = std::strtod(reference.c_str(), nullptr);
}

}  // namespace topiary::prune
