#pragma once
// Model selection over a run's evaluations (recipe: training.selection): which evaluations keep
// a checkpoint (the best k by the metric), which kept one drops out, and when to stop early.
// Pure bookkeeping, identical on every rank (all ranks see the same all-reduced metrics); the
// trainer writes and deletes the files. Torch-free, so it is unit-tested on its own.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace topiary::train {

struct SelectionEntry {
  int64_t step = 0;
  double value = 0;
};

struct SelectionDecision {
  bool keep = false;                 // write a checkpoint for this evaluation
  std::optional<int64_t> drop_step;  // a kept checkpoint that is no longer in the best k
  bool stop = false;                 // early stopping: patience exhausted
};

class ModelSelection {
 public:
  // keep_best 0: nothing is kept; patience 0: never stops.
  ModelSelection(bool higher_is_better, int64_t keep_best, int64_t patience, double min_delta);

  // One competing evaluation, in step order.
  SelectionDecision observe(int64_t step, double value);

  // Kept evaluations, best first (ties: the earlier step first).
  const std::vector<SelectionEntry>& kept() const { return kept_; }
  std::optional<SelectionEntry> best() const { return best_; }
  int64_t evaluations_without_improvement() const { return stale_; }

  // For checkpoints: one blob, "selection".
  std::map<std::string, std::vector<uint8_t>> export_state() const;
  void import_state(const std::map<std::string, std::vector<uint8_t>>& blobs);

 private:
  bool better(double a, double b) const { return higher_ ? a > b : a < b; }

  bool higher_;
  int64_t keep_best_;
  int64_t patience_;
  double min_delta_;
  std::vector<SelectionEntry> kept_;
  std::optional<SelectionEntry> best_;  // best so far (also when keep_best is 0)
  int64_t stale_ = 0;                   // competing evaluations since the last improvement
};

}  // namespace topiary::train
