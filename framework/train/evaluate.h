#pragma once
#include <torch/types.h>

#include "comm/communicator.h"
#include "data/dataset.h"
#include "models/classifier.h"

namespace topiary::train {

struct EvalResult {
  double loss = 0;
  double accuracy = 0;
  int64_t examples = 0;
};

// Rank r evaluates examples r, r+W, r+2W, ...; sums are all-reduced, so every example is
// counted exactly once and every rank returns the same result.
EvalResult evaluate(models::Classifier& model, const data::TokenizedSplit& split,
                    int64_t max_length, comm::Communicator& comm, int64_t batch_size = 256);

}  // namespace topiary::train
