#include "data/inspect.h"

#include <fmt/format.h>

#include <algorithm>

#include "data/sentencepiece_tokenizer.h"
#include "data/vocabulary.h"
#include "data/wordpiece_settings.h"

namespace topiary::data {
namespace {

int64_t percentile(const std::vector<int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  // Nearest rank: the smallest length with at least p of the examples at or below it.
  auto rank = static_cast<size_t>(p * static_cast<double>(sorted.size()) + 0.999999);
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

// The id unknown text became: kUnkId, or a wordpiece dataset's own unknown token.
int32_t unknown_token_id(const Dataset& dataset) {
  const auto tokenizer = dataset.attributes.find("tokenizer");
  if (tokenizer == dataset.attributes.end() || !is_wordpiece_description(tokenizer->second)) {
    return kUnkId;
  }
  const std::string unk = parse_wordpiece_description(tokenizer->second).model.unk_token;
  const auto& vocabulary = dataset.vocabulary;
  return static_cast<int32_t>(std::find(vocabulary.begin(), vocabulary.end(), unk) -
                              vocabulary.begin());
}

size_t bucket_of(int64_t length) {
  size_t bucket = 0;
  while (length > 0) ++bucket, length >>= 1;
  return bucket;  // 0 -> 0, 1 -> 1, 2-3 -> 2, 4-7 -> 3, ...
}

std::string format_split(const std::string& name, const SplitStats& s, const DatasetStats& stats) {
  const char* unit = stats.kind == kLanguageModelKind ? "documents" : "examples";
  std::string out = fmt::format("{}: {} {}, {} tokens, <unk> {} ({:.2f}%, coverage {:.2f}%)\n",
                                name, s.examples, unit, s.tokens, s.unknown_tokens,
                                s.tokens ? 100.0 * s.unknown_tokens / s.tokens : 0.0,
                                s.tokens ? 100.0 - 100.0 * s.unknown_tokens / s.tokens : 0.0);
  out +=
      fmt::format("  length: min {}, mean {:.1f}, p50 {}, p90 {}, p99 {}, max {}\n", s.min_length,
                  s.mean_length, s.p50_length, s.p90_length, s.p99_length, s.max_length);
  int64_t largest = 1;
  for (const LengthBucket& b : s.length_histogram) largest = std::max(largest, b.count);
  for (const LengthBucket& b : s.length_histogram) {
    const auto bar = static_cast<size_t>(40 * b.count / largest);
    out +=
        fmt::format("  {:>17} {:>9} {}\n",
                    b.low == b.high ? std::to_string(b.low) : fmt::format("{}-{}", b.low, b.high),
                    b.count, std::string(std::max<size_t>(bar, 1), '#'));
  }
  for (size_t i = 0; i < s.label_counts.size(); ++i) {
    out += fmt::format("  label {:<20} {:>9} ({:.1f}%)\n", stats.label_names[i], s.label_counts[i],
                       s.examples ? 100.0 * s.label_counts[i] / s.examples : 0.0);
  }
  return out;
}

}  // namespace

SplitStats split_stats(const TokenizedSplit& split, size_t label_count, int32_t unknown_id) {
  SplitStats s;
  s.examples = split.size();
  s.tokens = static_cast<int64_t>(split.tokens.size());
  for (int32_t id : split.tokens) s.unknown_tokens += id == unknown_id ? 1 : 0;
  std::vector<int64_t> lengths;
  lengths.reserve(static_cast<size_t>(s.examples));
  for (int64_t i = 0; i < s.examples; ++i) {
    lengths.push_back(split.offsets[size_t(i) + 1] - split.offsets[size_t(i)]);
  }
  std::vector<int64_t> buckets;
  for (int64_t length : lengths) {
    const size_t b = bucket_of(length);
    if (buckets.size() <= b) buckets.resize(b + 1, 0);
    ++buckets[b];
  }
  for (size_t b = 0; b < buckets.size(); ++b) {
    if (buckets[b] == 0) continue;
    const int64_t low = b == 0 ? 0 : int64_t{1} << (b - 1);
    const int64_t high = b == 0 ? 0 : (int64_t{1} << b) - 1;
    s.length_histogram.push_back({low, high, buckets[b]});
  }
  std::sort(lengths.begin(), lengths.end());
  if (!lengths.empty()) {
    s.min_length = lengths.front();
    s.max_length = lengths.back();
    s.mean_length = static_cast<double>(s.tokens) / static_cast<double>(lengths.size());
    s.p50_length = percentile(lengths, 0.5);
    s.p90_length = percentile(lengths, 0.9);
    s.p99_length = percentile(lengths, 0.99);
  }
  if (label_count > 0) {
    s.label_counts.assign(label_count, 0);
    for (int32_t label : split.labels) ++s.label_counts[size_t(label)];
  }
  return s;
}

DatasetStats inspect_dataset(const Dataset& dataset) {
  DatasetStats stats;
  stats.kind = dataset.kind;
  stats.vocabulary_size = static_cast<int64_t>(dataset.vocabulary.size());
  stats.label_names = dataset.label_names;
  const int32_t unknown_id = unknown_token_id(dataset);
  stats.train = split_stats(dataset.train, dataset.label_names.size(), unknown_id);
  stats.valid = split_stats(dataset.valid, dataset.label_names.size(), unknown_id);
  stats.has_test = dataset.has_test();
  if (stats.has_test) {
    stats.test = split_stats(dataset.test, dataset.label_names.size(), unknown_id);
  }
  return stats;
}

std::string format_inspection(const DatasetStats& stats, const Dataset& dataset) {
  const auto attribute = [&](const char* name) {
    const auto it = dataset.attributes.find(name);
    return it == dataset.attributes.end() ? std::string("-") : it->second;
  };
  std::string out = fmt::format("kind: {}\n", stats.kind);
  out +=
      fmt::format("source: {} ({}), tokenizer: {}\n", attribute("train_source"),
                  attribute("source_format"), short_tokenizer_description(attribute("tokenizer")));
  out += fmt::format("vocabulary: {} tokens\n", stats.vocabulary_size);
  if (!stats.label_names.empty()) out += fmt::format("labels: {}\n", stats.label_names.size());
  out += format_split("train", stats.train, stats);
  out += format_split("valid", stats.valid, stats);
  if (stats.has_test) out += format_split("test", stats.test, stats);
  return out;
}

}  // namespace topiary::data
