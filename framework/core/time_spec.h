#pragma once
// A point or length in training time with its unit, e.g. "500it", "2.5ep", "10Mtok".
// Parsed once and printed back the same way; converted to optimizer steps only through
// the global batch geometry so that world size never changes a schedule.
#include <cstdint>
#include <string>

namespace topiary {

enum class TimeUnit { kIterations, kEpochs, kTokens };

struct StepGeometry {
  int64_t steps_per_epoch = 1;   // from dataset size and *global* batch size
  double tokens_per_step = 1.0;  // average tokens in one global batch
};

struct TimeSpec {
  double value = 0;
  TimeUnit unit = TimeUnit::kIterations;

  // Throws UserError (message without location; callers add it) on malformed text.
  static TimeSpec parse(const std::string& text);
  std::string to_string() const;
  int64_t to_steps(const StepGeometry& geometry) const;
  bool operator==(const TimeSpec&) const = default;
};

}  // namespace topiary
