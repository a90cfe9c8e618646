// Trainer: construction, the step loop with checkpoints and preemption, and the helpers its
// parts share. The parts themselves: trainer_setup.cpp, trainer_step.cpp,
// trainer_evaluation.cpp, trainer_finish.cpp.
#include "train/trainer.h"

#include <torch/torch.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "comm/agree.h"
#include "comm/mpi_communicator.h"
#include "core/error.h"
#include "train/preemption.h"
#include "train/trainer_job.h"

namespace topiary::train {

bool agree(comm::Communicator& comm, const std::function<void()>& phase) {
  const comm::AgreeOutcome outcome = comm::agree(comm, phase, "error agreement");
  // The lowest failing rank reports, once: usually all ranks fail alike (same recipe, same data).
  if (!outcome.ok && outcome.failing_rank == comm.rank()) {
    std::fprintf(stderr, "topiary: error%s: %s\n",
                 comm.world_size() > 1 ? (" on rank " + std::to_string(comm.rank())).c_str() : "",
                 outcome.message.c_str());
  }
  return outcome.ok;
}

NamedParameters named_parameters(torch::nn::Module& model) {
  NamedParameters out;
  for (const auto& item : model.named_parameters()) out.emplace_back(item.key(), item.value());
  return out;
}

void print_rank_hosts(comm::Communicator& comm, const torch::Device& device) {
  char name[64] = {};
  gethostname(name, sizeof(name) - 1);
  // "host/cuda:1" in a fixed-size block; a long host name is cut, never the device.
  const std::string suffix = "/" + device.str();
  char host[64] = {};
  const std::string text =
      std::string(name).substr(0, sizeof(host) - 1 - std::min(sizeof(host) - 1, suffix.size())) +
      suffix;
  text.copy(host, sizeof(host) - 1);  // host stays null-terminated: it was zeroed
  std::vector<char> all(sizeof(host) * static_cast<size_t>(comm.world_size()));
  comm.all_gather(host, all.data(), sizeof(host), comm::DataType::kUInt8, "rank host names");
  if (comm.rank() != 0) return;
  std::string line = "topiary: ranks:";
  for (int r = 0; r < comm.world_size(); ++r) {
    line += " " + std::to_string(r) + "@" + std::string(all.data() + r * sizeof(host));
  }
  std::printf("%s\n", line.c_str());
}

namespace {

// A step number from the environment, or -1 when unset; anything but a whole number is refused
// (the fault hooks are for tests, and a silently ignored typo would make one pass vacuously).
int64_t step_from_environment(const char* name) {
  const char* text = std::getenv(name);
  if (text == nullptr) return -1;
  char* end = nullptr;
  errno = 0;
  const long long step = std::strtoll(text, &end, 10);
  if (end == text || *end != '\0' || errno == ERANGE) {
    throw UserError(std::string(name) + ": expected a step number, found '" + text + "'");
  }
  return static_cast<int64_t>(step);
}

}  // namespace

FaultInjection fault_injection_from_environment() {
  FaultInjection faults;
  faults.nan_loss_at = step_from_environment("TOPIARY_FAULT_NAN_LOSS_AT");
  faults.flip_mask_at = step_from_environment("TOPIARY_FAULT_FLIP_MASK_AT");
  return faults;
}

std::map<std::string, std::string> Trainer::Job::attributes_at(int64_t step) const {
  std::map<std::string, std::string> attributes = {
      {"step", std::to_string(step)},
      {"recipe", recipe.checkpoint_yaml},
      {"model_type", std::string(kModelTypes.name(recipe.model.type))},
      {"mask_verifications", std::to_string(mask_verifications)}};
  if (dense) {
    attributes["dense_accuracy"] = std::to_string(dense->accuracy);
    attributes["dense_loss"] = std::to_string(dense->loss);
  }
  return attributes;
}

std::map<std::string, std::vector<uint8_t>> Trainer::Job::extra_state() const {
  auto blobs = pruning->export_state();
  blobs.merge(snapshots.export_state());
  blobs.merge(selection->export_state());
  return blobs;
}

void Trainer::Job::save_checkpoint(const std::string& path, int64_t step) {
  save_training_state(path, state(), attributes_at(step), extra_state());
}

Trainer::Trainer(TrainOptions options, comm::Communicator& comm, Placement placement)
    : job_(std::make_unique<Job>(std::move(options), comm, placement)) {}

Trainer::~Trainer() = default;

int64_t Trainer::start_step() const { return job_->start_step; }
int64_t Trainer::total_steps() const { return job_->plan.total_steps; }
std::string Trainer::device() const { return job_->device.str(); }
int64_t Trainer::parameter_count() const {
  int64_t count = 0;
  for (const auto& [name, p] : job_->parameters) count += p.numel();
  return count;
}

Trainer::PhaseTotals Trainer::phase_totals() const {
  PhaseTotals totals;
  totals.steps = job_->phases.steps();
  for (int p = 0; p < kStepPhaseCount; ++p) {
    const auto phase = static_cast<StepPhase>(p);
    totals.seconds.emplace_back(step_phase_name(phase), job_->phases.seconds(phase));
  }
  return totals;
}

int Trainer::run() {
  Job& j = *job_;
  if (j.options.dump_config) return kExitOk;
  for (int64_t s = j.start_step; s < j.plan.total_steps; ++s) {
    if (step(s) == StepStatus::kFailed) return kExitUserError;
    const int64_t completed = s + 1;
    after_step(completed);
    if (evaluate_if_due(completed)) break;
    // Every rank must take the same decision, so the signal flag is all-reduced each step.
    const bool preempted = preemption_requested(j.comm);
    const bool stop_here = j.options.stop_at > 0 && completed == j.options.stop_at;
    if (completed < j.plan.total_steps &&
        ((j.checkpoint_every > 0 && completed % j.checkpoint_every == 0) || preempted ||
         stop_here)) {
      j.save_checkpoint(checkpoint_path(j.output_dir, completed), completed);
      if (j.leader) remove_old_checkpoints(j.output_dir, j.options.keep_last);
    }
    if (preempted) {
      if (j.leader)
        std::printf("topiary: preempted (SIGTERM): checkpoint at step %lld written; exiting\n",
                    static_cast<long long>(completed));
      return kExitPreempted;
    }
    if (stop_here) {
      if (j.leader)
        std::printf("topiary: stopped at step %lld as asked (--stop-at)\n",
                    static_cast<long long>(completed));
      return kExitOk;
    }
  }
  return finish();
}

int run_training(const TrainOptions& options) {
  auto comm = comm::make_mpi_communicator();
  Placement placement;
  placement.local_rank = comm::mpi_local_rank();
  Trainer trainer(options, *comm, placement);
  if (const int code = trainer.set_up(); code != kExitOk) return code;
  return trainer.run();
}

}  // namespace topiary::train
