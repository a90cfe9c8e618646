#pragma once
// `topiary sensitivity`: how much the validation loss rises when one prunable parameter alone is
// pruned further, for every target of a recipe's prune modifiers and every sparsity of a grid;
// then a per-layer allocation (prune/allocation.h, sensitivity) that meets a global target.
// Part of module `analysis` (see evaluate_checkpoint.h): it measures a trained checkpoint and
// suggests a recipe change; the pruning itself stays in `prune` and `train`.
//
// Note [Sensitivity sweep]
// Targets are the parameters recipe::select_parameters picks over every prune modifier of the
// recipe, in parameter order; a parameter selected by several modifiers takes the pattern of the
// first. A point (target, s) scores the target's checkpoint weights by magnitude -- whatever the
// modifier's method: gradient scorers would need passes over the training data -- prunes it to s
// with the modifier's pattern at layer scope, keeping its existing mask (an entry already pruned
// stays pruned, so s at or below the current sparsity may change nothing), evaluates the
// validation split and restores the weights. Point 0 is the checkpoint as it is (the baseline);
// points 1.. run target-major, grid ascending.
// Ranks split points, not examples: point i is evaluated by rank i % W alone, on a loopback
// communicator, so every point's result is what a single process computes and the CSV is the
// same bytes on any number of ranks (with the same thread count and CPU kind). After each round
// of W points the records are all-gathered, so ranks wait at most one point for each other
// (TOPIARY_COLLECTIVE_TIMEOUT must exceed one validation pass). Only rank 0 writes.
#include <optional>
#include <string>
#include <vector>

namespace topiary::analysis {

struct SensitivityOptions {
  std::string checkpoint;
  std::string recipe_path;             // default: the checkpoint's effective recipe
  std::vector<std::string> overrides;  // --set key=value, on whichever recipe is used
  std::vector<double> grid{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9};  // each in (0, 1)
  std::string output_dir;        // default: <checkpoint's directory>/sensitivity
  std::optional<double> target;  // allocation target; default: largest final_sparsity
};

// Writes DIR/sensitivity.csv, DIR/sensitivity.png (python/topiary_plots/sensitivity.py; a
// plotting failure only warns) and DIR/allocation.yaml. Returns the process exit code (every
// rank agrees on failures found before or during the sweep).
int run_sensitivity(const SensitivityOptions& options);

}  // namespace topiary::analysis
