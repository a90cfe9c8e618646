#pragma once
// Sparsity schedules: the target sparsity at an optimizer step, and the steps at which masks
// are recomputed. Pure functions of integers, so every rank computes the same timeline.
#include <cstdint>
#include <string>
#include <vector>

#include "prune/choices.h"

namespace topiary::prune {

struct SparsityRamp {
  ScheduleKind kind = ScheduleKind::kCubic;
  int64_t start_step = 0;
  int64_t end_step = 0;
  int64_t every = 1;
  double initial = 0.0;
  double final = 0.0;
  double rate = 0.0;  // exponential only: the fraction of the remaining weights each update prunes

  // cubic (Zhu & Gupta 2017): s_t = s_f + (s_i - s_f) * (1 - (t - t0) / (t1 - t0))^3, with t
  // clamped to [t0, t1]; linear: s_i + (s_f - s_i) * (t - t0) / (t1 - t0); oneshot: s_f from t0.
  // exponential (iterative pruning): after the k-th update step (k = 1 at t0),
  // s = 1 - (1 - s_i) * (1 - rate)^k, never above s_f (a cap; reaching it is not required).
  double sparsity_at(int64_t step) const;
  // Masks change at start, every `every` steps after it, and at the end step itself.
  bool is_update_step(int64_t step) const;
  std::vector<int64_t> update_steps() const;
  // The ramp of level `level` (0-based) of a stage with `repeat`: every step moves by
  // level * level_length. An exponential ramp continues from the sparsity the earlier levels
  // reached (initial = s after level * update_steps().size() updates); other kinds repeat as is.
  SparsityRamp for_level(int64_t level, int64_t level_length) const;
  bool operator==(const SparsityRamp&) const = default;
};

}  // namespace topiary::prune
