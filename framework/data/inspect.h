#pragma once
// `topiary data inspect`: what a dataset file holds, computed from a read_dataset result.
#include <cstdint>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "data/vocabulary.h"

namespace topiary::data {

struct LengthBucket {
  int64_t low = 0, high = 0;  // lengths in [low, high]; buckets are 0, 1, 2-3, 4-7, 8-15, ...
  int64_t count = 0;
};

struct SplitStats {
  int64_t examples = 0;  // documents for a language model
  int64_t tokens = 0;
  int64_t unknown_tokens = 0;  // id 1, <unk>
  int64_t min_length = 0, max_length = 0, p50_length = 0, p90_length = 0, p99_length = 0;
  double mean_length = 0.0;
  std::vector<LengthBucket> length_histogram;  // non-empty buckets only, ascending
  std::vector<int64_t> label_counts;           // per label name; empty for a language model
};

struct DatasetStats {
  std::string kind;
  int64_t vocabulary_size = 0;
  std::vector<std::string> label_names;
  SplitStats train, valid;
  bool has_test = false;
  SplitStats test;  // when has_test
};

// unknown_id: the id that counts as unknown (a wordpiece dataset's [UNK] is not kUnkId).
SplitStats split_stats(const TokenizedSplit& split, size_t label_count,
                       int32_t unknown_id = kUnkId);
DatasetStats inspect_dataset(const Dataset& dataset);

// Text for the terminal: counts per split, length percentiles and histogram, label
// distribution, vocabulary size and coverage (share of tokens that are not <unk>), and the
// tokenizer and source attributes.
std::string format_inspection(const DatasetStats& stats, const Dataset& dataset);

}  // namespace topiary::data
