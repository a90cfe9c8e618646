#pragma once
// `topiary train`: runs a recipe on every rank of the job (see DESIGN.md "One training step").
// Torch stays out of this header: the CLI includes it.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace topiary::comm {
class Communicator;
}

namespace topiary::train {

struct TrainOptions {
  std::string recipe_path;
  std::vector<std::string> overrides;  // --set key.path=value
  std::string output_dir;              // default runs/<recipe name>
  bool dump_config = false;            // print the effective recipe and exit
  bool write_rank_masks = false;       // every rank writes masks.rank<r>.h5 (agreement tests)
  std::string init_from;               // start from this checkpoint's weights and masks
  std::string resume;                  // checkpoint file, or run directory (its latest checkpoint)
  std::string checkpoint_every;        // time with unit ("200it", "1ep"); empty = only final.h5
  int keep_last = 3;                   // periodic checkpoints kept
  int64_t stop_at = 0;  // stop after this step with a checkpoint (0 = run to the end)
  // Synchronise the device at every step phase and print where the time went (step_phases.h).
  bool profile = false;
};

// Where this rank runs, when the caller knows better than the environment and the recipe.
struct Placement {
  // This rank's index on its node, which picks its GPU; -1: from MPI, else the launcher's
  // variables (train/device_choice.h).
  int local_rank = -1;
  // The communicator for gradient tensors (Note [Two communicators]); null: built from
  // training.comm for the chosen device. Must outlive the trainer.
  comm::Communicator* tensors = nullptr;
};

// SIGTERM (Slurm's preemption notice) makes every rank stop at the next step boundary, write a
// checkpoint, and return kExitPreempted; `--resume` continues from it.
inline constexpr int kExitPreempted = 3;

// One training job on this rank, in parts that every rank calls in the same order (each is
// collective): set_up() loads the recipe and data, picks the device (training.device) and
// builds model, masks, optimizer and gradient exchange on it (resuming when asked); run()
// drives the steps to the end. The host communicator is injected (MPI for a job, loopback for
// one process) and must outlive the trainer; it carries every host scalar, and the tensors too
// unless `placement` or training.comm says otherwise. Return values are process exit codes: user
// errors found on any rank give kExitUserError on every rank; anything rank-specific aborts the
// whole job.
class Trainer {
 public:
  Trainer(TrainOptions options, comm::Communicator& comm, Placement placement = {});
  ~Trainer();
  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  int set_up();
  // After set_up(): every remaining step, evaluations with model selection, checkpoints and
  // preemption, then the final checkpoint and summary.json.
  int run();

  // The parts of run(), for callers that drive the loop themselves.
  enum class StepStatus { kApplied, kSkipped, kFailed };
  // One optimizer step (`step` counts from 0): level boundaries, forward and backward over the
  // micro-batches, gradient exchange, the non-finite check, the optimizer step and masks.
  StepStatus step(int64_t step);
  // After step `completed` (= step + 1): the dense reference evaluation and mask updates.
  void after_step(int64_t completed);
  // The evaluation due at `completed`, if any, with logging and model selection; true when
  // model selection stops training early.
  bool evaluate_if_due(int64_t completed);
  // Final mask agreement, final.h5 and summary.json.
  int finish();

  int64_t start_step() const;
  int64_t total_steps() const;
  // After set_up(): "cpu" or "cuda:<index>", and the model's parameter count.
  std::string device() const;
  int64_t parameter_count() const;
  // Seconds spent so far in each step phase (train/step_phases.h), by phase name, over `steps`
  // steps; with TrainOptions::profile the device is synchronised at every phase boundary.
  struct PhaseTotals {
    int64_t steps = 0;
    std::vector<std::pair<std::string, double>> seconds;
  };
  PhaseTotals phase_totals() const;

 private:
  struct Job;  // everything set_up() builds and the steps update (trainer_job.h)
  std::unique_ptr<Job> job_;
};

// `topiary train`: a Trainer over the MPI communicator of this process.
int run_training(const TrainOptions& options);

}  // namespace topiary::train
