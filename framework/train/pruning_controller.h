#pragma once
// Runs the recipe's prune modifiers: at each update step of a modifier's ramp it scores the
// targeted parameters, selects new masks (layer-wise or global), zeroes optimizer state where
// entries were newly pruned, and verifies that every rank holds the same masks.
#include <torch/types.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "comm/communicator.h"
#include "core/time_spec.h"
#include "prune/schedule.h"
#include "prune/scorers.h"
#include "recipe/recipe.h"
#include "train/mask_set.h"

namespace torch::optim {
class Optimizer;
}

namespace topiary::train {

struct PruneJob {
  std::string label;  // "stage <name>, modifier <i>"
  prune::ScorerKind scorer = prune::ScorerKind::kMagnitude;
  bool global = true;
  prune::SparsityRamp ramp;
  std::vector<std::string> parameters;  // resolved names, in parameter order
  int64_t stage_begin = 0;
  int64_t stage_end = 0;
};

struct PlannedUpdate {
  int64_t step;
  std::string label;
  double sparsity;
};

class PruningController {
 public:
  PruningController(const recipe::Recipe& recipe, const std::vector<std::string>& parameter_names,
                    const StepGeometry& geometry, uint64_t seed);

  // Ensures every targeted parameter has a mask.
  void register_masks(MaskSet& masks,
                      const std::vector<std::pair<std::string, torch::Tensor>>& parameters) const;
  int64_t first_update_step() const;
  std::vector<PlannedUpdate> plan() const;
  // Called after the optimizer step of `step` (1-based count of completed steps).
  // Returns true when any mask changed.
  bool on_step(int64_t step, const std::vector<std::pair<std::string, torch::Tensor>>& parameters,
               MaskSet& masks, torch::optim::Optimizer& optimizer, comm::Communicator& comm);

 private:
  std::vector<PruneJob> jobs_;
  uint64_t seed_;
};

// All-reduces each mask's fingerprint (min and max); a mismatch aborts naming the parameter.
void verify_masks_agree(const MaskSet& masks, comm::Communicator& comm);

}  // namespace topiary::train
