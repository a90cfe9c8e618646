#pragma once
// Builds padded classification batches from a tokenized split (torch-free: the trainer wraps
// the ids with from_blob). Pads with id 0 to the longest example in the batch, but at least
// `min_length` (e.g. the widest convolution); truncates to `max_length` when it is > 0.
#include <cstdint>
#include <vector>

#include "data/dataset.h"

namespace topiary::train {

struct PaddedBatch {
  std::vector<int64_t> ids;  // rows * length, row-major
  std::vector<int64_t> labels;
  int64_t rows = 0;
  int64_t length = 0;
  int64_t real_tokens = 0;
};

PaddedBatch make_batch(const data::TokenizedSplit& split, const std::vector<int64_t>& examples,
                       int64_t min_length, int64_t max_length);

// Row boundaries 0 = b0 < b1 < ... < bn = lengths.size() of the micro-batches of one local
// batch whose rows have these lengths (already truncated). The rows are cut into `accumulate`
// near-equal contiguous parts; with max_tokens > 0 each part is cut again, greedily in order,
// so that rows x longest (at least min_length) stays <= max_tokens. A row longer than
// max_tokens on its own runs alone.
std::vector<int64_t> micro_batch_bounds(const std::vector<int64_t>& lengths, int64_t accumulate,
                                        int64_t max_tokens, int64_t min_length);

}  // namespace topiary::train
