#pragma once
// Runs the plan's prune modifiers (see recipe/plan.h for the step convention). For each planned
// prune of each level it owns one PruneJob. At a job's update step it scores the targeted
// parameters, selects masks with the modifier's pattern and scope (override groups layer-wise
// at their own sparsity), zeroes optimizer state where entries were newly pruned, and verifies
// that every rank holds the same masks. Gradient scorers (taylor, fisher, movement) are fed the
// all-reduced dense gradient every step they need it, so their sums agree on every rank.
#include <torch/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "comm/communicator.h"
#include "prune/adaptive_clock.h"
#include "prune/pattern.h"
#include "prune/scorers.h"
#include "recipe/plan.h"
#include "recipe/recipe.h"
#include "train/mask_set.h"
#include "train/score_accumulator.h"

namespace torch::optim {
class Optimizer;
}

namespace topiary::train {

using NamedParameters = std::vector<std::pair<std::string, torch::Tensor>>;

struct PruneGroup {
  std::vector<std::string> parameters;  // in parameter order
  prune::SparsityRamp ramp;
  prune::Scope scope = prune::Scope::kGlobal;
  prune::AllocationKind allocation = prune::AllocationKind::kNone;  // the modifier's
};

struct PruneJob {
  std::string label;  // "stage 'prune' level 2 modifier 0"
  std::string key;    // accumulator key: "s<stage>m<modifier>" (shared by the levels)
  prune::ScorerKind scorer = prune::ScorerKind::kMagnitude;
  prune::Pattern pattern;
  std::vector<PruneGroup> groups;  // the modifier's own parameters, then one per override
  std::vector<int64_t> update_steps;
  int64_t begin = 0;     // level begin: movement accumulates from here
  int64_t window = 1;    // taylor, fisher: steps summed before each update
  double dampening = 0;  // fisher: added to the Fisher diagonal
  // Adaptive ramps (recipe key `adaptive`): the clock decides the update steps instead of
  // update_steps, which then hold the timeline without pauses.
  std::optional<prune::AdaptiveClock> clock;
  bool clock_reads_accuracy = false;  // adaptive metric: accuracy (else loss)
  std::string clock_key;              // checkpoint blob: "adaptive:s<stage>m<modifier>l<level>"
};

// What one evaluation did to one adaptive ramp (for metrics.jsonl).
struct AdaptiveReport {
  std::string ramp;  // the job's label
  prune::ClockEvent event = prune::ClockEvent::kIgnored;
  double value = 0;      // the metric the clock saw (rank 0's)
  double reference = 0;  // best since the ramp began
  int64_t delay = 0;     // steps the ramp is behind its static timeline
  bool paused = false;
};

class PruningController {
 public:
  PruningController(const recipe::Recipe& recipe, const recipe::Plan& plan,
                    const NamedParameters& parameters, uint64_t seed);

  void register_masks(MaskSet& masks, const NamedParameters& parameters) const;
  int64_t first_update_step() const;
  // The last mask update of the whole plan (0 when nothing is pruned): from then on the model is
  // at its final sparsity.
  int64_t last_update_step() const;
  // True from the step after which no mask changes any more: past the last planned update and
  // every adaptive ramp done (model selection's at_final_sparsity).
  bool at_final_sparsity(int64_t step) const;
  // Collective when an adaptive ramp is running: after the evaluation at `step`, feeds rank 0's
  // loss and accuracy to every adaptive clock that counts it (Note [Adaptive ramp clock]), on
  // every rank alike. Returns one report per clock that counted it.
  std::vector<AdaptiveReport> observe_evaluation(int64_t step, double loss, double accuracy,
                                                 comm::Communicator& comm);
  // Parameters whose scorer needs the gradient of step `step` (1-based completed count).
  bool wants_gradients(int64_t step) const;
  // After the all-reduce of optimizer step `step` (1-based), before masking and the update.
  void accumulate(int64_t step, const NamedParameters& parameters);
  // After the optimizer step `step` (1-based). Returns true when any mask changed.
  bool on_step(int64_t step, const NamedParameters& parameters, MaskSet& masks,
               torch::optim::Optimizer& optimizer, comm::Communicator& comm);

  // Accumulator sums for checkpoints ("acc:<key>:<param>" -> doubles, "accsteps:<key>") and
  // adaptive clocks ("adaptive:<key>l<level>" -> text).
  std::map<std::string, std::vector<uint8_t>> export_state() const;
  void import_state(const std::map<std::string, std::vector<uint8_t>>& blobs);

 private:
  struct Accumulators {
    std::map<std::string, std::unique_ptr<ScoreAccumulator>> by_parameter;
  };
  bool job_accumulates(const PruneJob& job, int64_t step) const;

  std::vector<PruneJob> jobs_;
  std::map<std::string, Accumulators> accumulators_;  // by job key
  uint64_t seed_;
};

// All-reduces each mask's fingerprint (min and max); a mismatch aborts naming the parameter.
void verify_masks_agree(const MaskSet& masks, comm::Communicator& comm);

}  // namespace topiary::train
