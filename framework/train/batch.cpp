#include "train/batch.h"

#include <algorithm>

namespace topiary::train {

PaddedBatch make_batch(const data::TokenizedSplit& split, const std::vector<int64_t>& examples,
                       int64_t min_length, int64_t max_length) {
  PaddedBatch batch;
  batch.rows = static_cast<int64_t>(examples.size());
  int64_t longest = 0;
  for (int64_t e : examples) {
    int64_t n = split.offsets[e + 1] - split.offsets[e];
    if (max_length > 0) n = std::min(n, max_length);
    longest = std::max(longest, n);
  }
  batch.length = std::max(longest, min_length);
  batch.ids.assign(static_cast<size_t>(batch.rows * batch.length), 0);
  batch.labels.reserve(examples.size());
  for (int64_t row = 0; row < batch.rows; ++row) {
    const int64_t e = examples[static_cast<size_t>(row)];
    int64_t n = split.offsets[e + 1] - split.offsets[e];
    if (max_length > 0) n = std::min(n, max_length);
    const int32_t* tokens = split.tokens.data() + split.offsets[e];
    std::copy(tokens, tokens + n, batch.ids.begin() + row * batch.length);
    batch.real_tokens += n;
    batch.labels.push_back(split.labels.empty() ? 0 : split.labels[static_cast<size_t>(e)]);
  }
  return batch;
}

}  // namespace topiary::train
