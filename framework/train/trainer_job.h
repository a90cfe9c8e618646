#pragma once
// What a Trainer holds between its parts (trainer.cpp, trainer_setup.cpp, trainer_step.cpp,
// trainer_finish.cpp), and the small helpers they share. Internal to train/.
#include <torch/torch.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "comm/communicator.h"
#include "core/error.h"
#include "data/dataset.h"
#include "models/model.h"
#include "recipe/plan.h"
#include "recipe/recipe.h"
#include "train/evaluate.h"
#include "train/gradient_reducer.h"
#include "train/mask_set.h"
#include "train/metrics_log.h"
#include "train/model_selection.h"
#include "train/pruning_controller.h"
#include "train/snapshots.h"
#include "train/task.h"
#include "train/tensor_transport.h"
#include "train/trainer.h"
#include "train/training_state.h"

namespace topiary::train {

using NamedParameters = std::vector<std::pair<std::string, torch::Tensor>>;

// Test-only fault injection, off unless the variables are set: a NaN loss on the last rank at
// TOPIARY_FAULT_NAN_LOSS_AT (step, 1-based), and one flipped mask entry on the last rank after
// TOPIARY_FAULT_FLIP_MASK_AT. They prove the numerics policy and mask verification end to end.
struct FaultInjection {
  int64_t nan_loss_at = -1;
  int64_t flip_mask_at = -1;
};
FaultInjection fault_injection_from_environment();

// comm::agree (Note [Agreeing on a user error]) with the trainer's report: if `phase` throws a
// UserError on any rank, the lowest failing rank prints its message and every rank returns false
// together (no rank left waiting).
bool agree(comm::Communicator& comm, const std::function<void()>& phase);

NamedParameters named_parameters(torch::nn::Module& model);

// Collective: one line on rank 0 naming every rank's host and device, so that a lost host in a
// failure report maps to its ranks.
void print_rank_hosts(comm::Communicator& comm, const torch::Device& device);

struct Trainer::Job {
  Job(TrainOptions job_options, comm::Communicator& job_comm, Placement job_placement)
      : options(std::move(job_options)),
        comm(job_comm),
        placement(job_placement),
        leader(job_comm.rank() == 0) {}

  const TrainOptions options;
  comm::Communicator& comm;  // host scalars (Note [Two communicators])
  const Placement placement;
  const bool leader;
  const std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();

  // Built by set_up().
  recipe::Recipe recipe;
  torch::Device device{torch::kCPU};
  int local_rank = 0;
  TensorTransport transport;  // gradient tensors go over transport.comm
  data::Dataset dataset;
  std::string output_dir;
  std::shared_ptr<models::Model> model;
  // The teachers of the recipe's distill modifiers, by checkpoint path (eval mode, frozen).
  std::map<std::string, std::shared_ptr<models::Model>> teachers;
  NamedParameters parameters;
  std::vector<torch::Tensor> tensors;  // the parameters alone: optimizer and clipping
  std::unique_ptr<Task> task;
  bool language_model = false;
  recipe::Plan plan;
  std::optional<PruningController> pruning;
  int64_t eval_every = 0;
  // Step boundaries: evaluations at level ends, snapshots and rewinds (recipe/plan.h).
  std::set<int64_t> level_ends;
  std::map<int64_t, std::vector<std::string>> snapshots_at;
  std::map<int64_t, std::pair<std::string, bool>> rewinds_at;  // step -> (snapshot, reinit)
  recipe::Metric selection_metric = recipe::Metric::kAuto;     // resolved: never kAuto
  std::optional<ModelSelection> selection;
  MaskSet masks;
  std::unique_ptr<torch::optim::Optimizer> optimizer;
  std::optional<GradientReducer> reducer;
  SnapshotStore snapshots;
  int64_t checkpoint_every = 0;
  int64_t start_step = 0;
  std::optional<MetricsLog> log;
  FaultInjection faults;
  bool bf16 = false;
  StepPhases phases;

  // Progress.
  std::optional<EvalResult> dense;
  EvalResult last_eval;
  int64_t mask_verifications = 0;
  int64_t skipped_steps = 0;
  int64_t micro_batches_run = 0;  // on this rank, since this process started
  double running_loss = 0;
  int64_t running_count = 0;
  std::optional<int64_t> stopped_early_at;

  StateRefs state() { return StateRefs{parameters, masks, *optimizer, comm}; }
  // Picks this rank's device (training.device), every rank the same kind; false (every rank)
  // with a message when they cannot agree.
  bool choose_device();
  // Restores weights, masks, optimizer, scorer, snapshot and selection state from
  // options.resume (UserError when it belongs to another recipe).
  void resume();
  // Checkpoint attributes at `step`, and the state blobs beside weights and optimizer.
  std::map<std::string, std::string> attributes_at(int64_t step) const;
  std::map<std::string, std::vector<uint8_t>> extra_state() const;
  void save_checkpoint(const std::string& path, int64_t step);
};

}  // namespace topiary::train
