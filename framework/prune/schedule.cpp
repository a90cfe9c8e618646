#include "prune/schedule.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace topiary::prune {

namespace {

double exponential(double initial, double rate, int64_t updates, double cap) {
  return std::min(cap, 1.0 - (1.0 - initial) * std::pow(1.0 - rate, static_cast<double>(updates)));
}

}  // namespace

double SparsityRamp::sparsity_at(int64_t step) const {
  if (step < start_step) return initial;
  if (kind == ScheduleKind::kExponential) {
    const auto all = static_cast<int64_t>(update_steps().size());
    const int64_t done =
        step >= end_step ? all : (step - start_step) / std::max<int64_t>(1, every) + 1;
    return exponential(initial, rate, done, final);
  }
  if (kind == ScheduleKind::kOneShot || step >= end_step || end_step <= start_step) return final;
  const double progress =
      static_cast<double>(step - start_step) / static_cast<double>(end_step - start_step);
  if (kind == ScheduleKind::kLinear) return initial + (final - initial) * progress;
  const double remaining = 1.0 - progress;
  return final + (initial - final) * remaining * remaining * remaining;
}

bool SparsityRamp::is_update_step(int64_t step) const {
  if (step < start_step) return false;
  if (kind == ScheduleKind::kOneShot) return step == start_step;
  if (step > end_step) return false;
  return step == end_step || (step - start_step) % std::max<int64_t>(1, every) == 0;
}

std::vector<int64_t> SparsityRamp::update_steps() const {
  std::vector<int64_t> steps;
  if (kind == ScheduleKind::kOneShot) return {start_step};
  for (int64_t s = start_step; s <= end_step; s += std::max<int64_t>(1, every)) steps.push_back(s);
  if (steps.empty() || steps.back() != end_step) steps.push_back(end_step);
  return steps;
}

SparsityRamp SparsityRamp::for_level(int64_t level, int64_t level_length) const {
  SparsityRamp ramp = *this;
  ramp.start_step += level * level_length;
  ramp.end_step += level * level_length;
  if (kind == ScheduleKind::kExponential) {
    ramp.initial =
        exponential(initial, rate, level * static_cast<int64_t>(update_steps().size()), final);
  }
  return ramp;
}

}  // namespace topiary::prune
