#pragma once
// Sparsity schedules: the target sparsity at an optimizer step, and the steps at which masks
// are recomputed. Pure functions of integers, so every rank computes the same timeline.
#include <cstdint>
#include <string>
#include <vector>

namespace topiary::prune {

enum class ScheduleKind { kCubic, kLinear, kOneShot };

ScheduleKind parse_schedule_kind(const std::string& name);  // throws UserError listing known names

struct SparsityRamp {
  ScheduleKind kind = ScheduleKind::kCubic;
  int64_t start_step = 0;
  int64_t end_step = 0;
  int64_t every = 1;
  double initial = 0.0;
  double final = 0.0;

  // Zhu & Gupta 2017: s_t = s_f + (s_i - s_f) * (1 - (t - t0) / (t1 - t0))^3, clamped to [t0, t1].
  double sparsity_at(int64_t step) const;
  // Masks change at start, every `every` steps after it, and at the end step itself.
  bool is_update_step(int64_t step) const;
  std::vector<int64_t> update_steps() const;
};

}  // namespace topiary::prune
