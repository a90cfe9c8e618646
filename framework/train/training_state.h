#pragma once
// Everything needed to continue a run bit-exactly: weights, masks, optimizer state, every rank's
// RNG state, the step (the sampler is a pure function of seed and step), the effective recipe.
// Saving is collective (every rank contributes its RNG state; rank 0 writes atomically).
// Restoring reads the file on every rank (checkpoints live on a shared filesystem).
#include <torch/types.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "comm/communicator.h"
#include "train/mask_set.h"

namespace torch::optim {
class Optimizer;
}

namespace topiary::train {

struct StateRefs {
  const std::vector<std::pair<std::string, torch::Tensor>>& parameters;
  MaskSet& masks;
  torch::optim::Optimizer& optimizer;
  comm::Communicator& comm;
};

// `attributes` carry run bookkeeping (recipe, step, dense accuracy, ...); "step" is required.
// `extra` holds further state as named byte blobs (scorer accumulators, snapshots).
void save_training_state(const std::string& path, const StateRefs& state,
                         const std::map<std::string, std::string>& attributes,
                         const std::map<std::string, std::vector<uint8_t>>& extra = {});

// Restores into `state` and returns the checkpoint's attributes. UserError when the checkpoint
// is unreadable, from another model (names/shapes), or from another world size.
// `extra` receives every blob of the checkpoint.
std::map<std::string, std::string> restore_training_state(
    const std::string& path, const StateRefs& state,
    std::map<std::string, std::vector<uint8_t>>* extra = nullptr);

// Starts a new run from a trained (possibly sparse) checkpoint: weights and masks are taken,
// optimizer state and step are not. Pruning then continues from those masks (pruned entries
// score -inf, so they stay pruned).
void load_weights_and_masks(const std::string& path,
                            const std::vector<std::pair<std::string, torch::Tensor>>& parameters,
                            MaskSet& masks);

// Only the masks, from any rank: lets tests compare what each rank holds.
void write_rank_masks(const std::string& path, const MaskSet& masks);

// DIR/<folder>/step-<8 digits>.h5 naming (periodic: checkpoints/, model selection: best/);
// latest = highest step that exists.
std::string checkpoint_path(const std::string& run_dir, int64_t step,
                            const std::string& folder = "checkpoints");
// A file is returned as is; a run directory resolves to its latest checkpoint (UserError if none).
std::string resolve_resume_path(const std::string& file_or_dir);
// Deletes all but the newest `keep` periodic checkpoints (never final.h5).
void remove_old_checkpoints(const std::string& run_dir, int keep);

}  // namespace topiary::train
