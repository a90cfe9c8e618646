#include "data/vocabulary.h"

#include <algorithm>
#include <utility>

#include "core/error.h"

namespace topiary::data {

void TokenCounter::add(const std::vector<std::string>& tokens) {
  for (const std::string& token : tokens) add(std::string_view(token));
}

std::map<std::string, int64_t> TokenCounter::sorted_counts() const {
  std::map<std::string, int64_t> out;
  counts_.for_each([&](std::string_view token, int64_t count) { out.emplace(token, count); });
  return out;
}

std::vector<std::string> build_vocabulary(const TokenCounter& counter,
                                          const VocabularyOptions& options) {
  if (options.min_frequency < 1) {
    throw UserError("--min-frequency must be at least 1, got " +
                    std::to_string(options.min_frequency));
  }
  if (options.max_size < 0 || (options.max_size > 0 && options.max_size < 3)) {
    throw UserError(
        "--max-vocab must be 0 (unlimited) or at least 3 (<pad>, <unk> and one "
        "token), got " +
        std::to_string(options.max_size));
  }
  std::vector<std::pair<std::string, int64_t>> entries;
  counter.for_each([&](std::string_view token, int64_t count) {
    if (count >= options.min_frequency) entries.emplace_back(token, count);
  });
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  std::vector<std::string> vocabulary = {kPadToken, kUnkToken};
  for (auto& entry : entries) {
    if (options.max_size > 0 && static_cast<int64_t>(vocabulary.size()) >= options.max_size) break;
    vocabulary.push_back(std::move(entry.first));
  }
  return vocabulary;
}

VocabularyIndex::VocabularyIndex(const std::vector<std::string>& vocabulary) {
  for (size_t i = 0; i < vocabulary.size(); ++i) {
    ids_.find_or_insert(vocabulary[i], static_cast<int32_t>(i));  // the first of duplicates wins
  }
}

}  // namespace topiary::data
