#include "train/step_phases.h"

#include <c10/core/DeviceGuard.h>
#include <c10/core/impl/VirtualGuardImpl.h>

namespace topiary::train {

const char* step_phase_name(StepPhase phase) {
  switch (phase) {
    case StepPhase::kData:
      return "data";
    case StepPhase::kForward:
      return "forward";
    case StepPhase::kBackward:
      return "backward";
    case StepPhase::kExchange:
      return "exchange";
    case StepPhase::kOptimizer:
      return "optimizer";
    case StepPhase::kPruning:
      return "pruning";
  }
  return "?";
}

void StepPhases::configure(const torch::Device& device, bool synchronize) {
  device_ = device;
  synchronize_ = synchronize && !device.is_cpu();
}

void StepPhases::wait_for_device() const {
  if (!synchronize_) return;
  c10::impl::VirtualGuardImpl guard(device_.type());
  guard.synchronizeDevice(device_.index());
}

StepPhases::Scope::Scope(StepPhases& phases, StepPhase phase) : phases_(phases), phase_(phase) {
  phases_.wait_for_device();
  start_ = std::chrono::steady_clock::now();
}

StepPhases::Scope::~Scope() {
  phases_.wait_for_device();
  phases_.seconds_[static_cast<size_t>(phase_)] +=
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

nlohmann::json StepPhases::mean_per_step() const {
  nlohmann::json out = {{"steps", steps_}};
  for (int p = 0; p < kStepPhaseCount; ++p) {
    const auto phase = static_cast<StepPhase>(p);
    out[step_phase_name(phase)] = steps_ > 0 ? seconds(phase) / static_cast<double>(steps_) : 0.0;
  }
  return out;
}

}  // namespace topiary::train
