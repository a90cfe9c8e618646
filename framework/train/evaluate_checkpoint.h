#pragma once
// `topiary eval`: a checkpoint's model (built from the effective recipe stored in it, weights
// and masks applied) evaluated on a dataset split, split across the ranks of the job.
#include <string>

namespace topiary::train {

struct EvalCheckpointOptions {
  std::string checkpoint;
  std::string data;             // default: the recipe's data.path
  std::string split = "valid";  // valid | train
  bool json = false;            // one JSON object instead of a table line
};

// Returns the process exit code (every rank agrees).
int evaluate_checkpoint(const EvalCheckpointOptions& options);

}  // namespace topiary::train
