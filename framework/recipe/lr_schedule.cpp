#include "recipe/lr_schedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace topiary::recipe {

double LrSchedule::lr_at(int64_t step) const {
  int64_t t = std::max<int64_t>(0, step - begin);
  int64_t span = length;
  if (level_length > 0) {
    t %= level_length;
    span = level_length;
  }
  if (t < warmup) {
    return base_lr * static_cast<double>(t + 1) / static_cast<double>(warmup);
  }
  const int64_t after = t - warmup;
  const int64_t decay = span - warmup;
  const double p =
      decay <= 0 ? 1.0
                 : std::clamp(static_cast<double>(after) / static_cast<double>(decay), 0.0, 1.0);
  switch (kind) {
    case LrKind::kConstant:
      return base_lr;
    case LrKind::kStep: {
      const int64_t decays = after / std::max<int64_t>(1, every);  // whole periods completed
      return base_lr * std::pow(gamma, static_cast<double>(decays));
    }
    case LrKind::kLinear:
      return base_lr + (min_lr - base_lr) * p;
    case LrKind::kCosine:
      return min_lr + (base_lr - min_lr) * (1.0 + std::cos(std::numbers::pi * p)) / 2.0;
  }
  return base_lr;
}

}  // namespace topiary::recipe
