#pragma once
// Where a training step's time goes: data (batches built and staged), forward, backward,
// exchange (the time the step waits for the gradient exchange and the cross-rank non-finite
// check), optimizer (clipping, the update, masks), pruning (score accumulation and mask
// updates). Summed over the steps of this process; summary.json reports the mean per step,
// and `topiary train --profile` prints a table.
//
// Host clocks only measure what the host waits for: on a GPU, kernels run asynchronously, so
// without `--profile` their time lands in whichever phase next waits for the device (usually
// the exchange). With `--profile` the device is synchronised at every phase boundary (slower,
// but each phase then owns its kernels).
#include <torch/types.h>

#include <array>
#include <chrono>
#include <cstdint>

#include <nlohmann/json.hpp>

namespace topiary::train {

enum class StepPhase { kData, kForward, kBackward, kExchange, kOptimizer, kPruning };
inline constexpr int kStepPhaseCount = 6;
const char* step_phase_name(StepPhase phase);

class StepPhases {
 public:
  // `synchronize`: wait for `device` at every phase boundary (--profile on a GPU).
  void configure(const torch::Device& device, bool synchronize);

  // Adds the time until the scope ends to `phase`.
  class Scope {
   public:
    Scope(StepPhases& phases, StepPhase phase);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    StepPhases& phases_;
    StepPhase phase_;
    std::chrono::steady_clock::time_point start_;
  };

  void count_step() { ++steps_; }
  int64_t steps() const { return steps_; }
  double seconds(StepPhase phase) const { return seconds_[static_cast<size_t>(phase)]; }
  // {"steps": n, "data": mean seconds per step, ...}.
  nlohmann::json mean_per_step() const;

 private:
  void wait_for_device() const;

  std::array<double, kStepPhaseCount> seconds_{};
  int64_t steps_ = 0;
  torch::Device device_{torch::kCPU};
  bool synchronize_ = false;
};

}  // namespace topiary::train
