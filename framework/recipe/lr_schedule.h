#pragma once
// Learning rate as a pure function of the optimizer step, so `recipe plan` and every rank compute
// the same value. Torch-free: the trainer copies lr_at(step) into its optimizer.
//
// Steps: lr_at(s) is the rate used by the optimizer step that runs after `s` completed steps
// (s = 0 for the very first step); a schedule covers the steps [begin, begin + length).
#include <cstdint>

#include "recipe/choices.h"

namespace topiary::recipe {

struct LrSchedule {
  LrKind kind = LrKind::kConstant;
  double base_lr = 1e-3;  // peak rate, reached after the warm-up
  double min_lr = 0.0;    // linear and cosine decay end here
  int64_t begin = 0;      // first step of the span (a stage, or a level's first step)
  int64_t length = 1;     // steps in the span; decay reaches min_lr at begin + length
  int64_t warmup = 0;     // the first `warmup` steps rise linearly: base_lr * (t + 1) / warmup
  double gamma = 0.1;     // step: multiply by gamma ...
  int64_t every = 1;      // ... every `every` steps after the warm-up
  // > 0: LR rewinding. The schedule restarts every `level_length` steps from `begin`, so each
  // level of a repeated stage sees the same rates (t = (s - begin) mod level_length, and the
  // decay spans one level).
  int64_t level_length = 0;

  // With t = s - begin (steps into the span) and, after the warm-up, progress
  // p = (t - warmup) / (length - warmup) clamped to [0, 1]:
  //   constant: base_lr;  step: base_lr * gamma^floor((t - warmup) / every);
  //   linear: base_lr + (min_lr - base_lr) * p;  cosine: min_lr + (base_lr - min_lr) *
  //   (1 + cos(pi * p)) / 2.  Steps before `begin` get the first step's rate.
  double lr_at(int64_t step) const;
  bool operator==(const LrSchedule&) const = default;
};

}  // namespace topiary::recipe
