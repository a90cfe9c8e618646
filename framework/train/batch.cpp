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

std::vector<int64_t> micro_batch_bounds(const std::vector<int64_t>& lengths, int64_t accumulate,
                                        int64_t max_tokens, int64_t min_length) {
  const auto rows = static_cast<int64_t>(lengths.size());
  std::vector<int64_t> bounds{0};
  for (int64_t part = 0; part < accumulate; ++part) {
    const int64_t begin = rows * part / accumulate, end = rows * (part + 1) / accumulate;
    if (max_tokens > 0) {
      int64_t start = begin, longest = min_length;
      for (int64_t row = begin; row < end; ++row) {
        const int64_t length = std::max(lengths[static_cast<size_t>(row)], min_length);
        if (row > start && (row - start + 1) * std::max(longest, length) > max_tokens) {
          bounds.push_back(row);
          start = row;
          longest = min_length;
        }
        longest = std::max(longest, length);
      }
    }
    if (end > bounds.back()) bounds.push_back(end);
  }
  return bounds;
}

}  // namespace topiary::train
