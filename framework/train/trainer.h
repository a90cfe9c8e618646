#pragma once
// `topiary train`: runs a recipe on every rank of the job (see DESIGN.md "One training step").
#include <string>
#include <vector>

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
};

// SIGTERM (Slurm's preemption notice) makes every rank stop at the next step boundary, write a
// checkpoint, and return kExitPreempted; `--resume` continues from it.
inline constexpr int kExitPreempted = 3;

// Returns the process exit code. User errors found identically on all ranks return
// kExitUserError on every rank; anything rank-specific aborts the whole job.
int run_training(const TrainOptions& options);

}  // namespace topiary::train
