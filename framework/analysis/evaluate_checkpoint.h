#pragma once
// `topiary eval`: a checkpoint's model (built from the effective recipe stored in it, weights
// and masks applied) evaluated on a dataset split, split across the ranks of the job.
//
// Module `analysis`: what a trained checkpoint is worth -- its quality on a dataset (here) and
// how each layer's loss responds to more pruning (sensitivity.h). Both read a checkpoint
// (train/open_checkpoint.h) and run the trainer's evaluation (train/evaluate.h) outside
// training; they are neither training (`train`) nor a product for inference (`deploy`).
#include <string>

namespace topiary::analysis {

struct EvalCheckpointOptions {
  std::string checkpoint;
  std::string data;             // default: the recipe's data.path
  std::string split = "valid";  // valid | train | test
  bool json = false;            // one JSON object instead of a table line
};

// Returns the process exit code (every rank agrees).
int evaluate_checkpoint(const EvalCheckpointOptions& options);

}  // namespace topiary::analysis
