#include "data/vocabulary.h"

#include <algorithm>
#include <utility>

#include "core/error.h"

namespace topiary::data {

void TokenCounter::add(const std::vector<std::string>& tokens) {
  for (const std::string& token : tokens) ++counts_[token];
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
  for (const auto& [token, count] : counter.counts()) {
    if (count >= options.min_frequency) entries.emplace_back(token, count);
  }
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
  ids_.reserve(vocabulary.size());
  for (size_t i = 0; i < vocabulary.size(); ++i) {
    ids_.emplace(vocabulary[i], static_cast<int32_t>(i));
  }
}

int32_t VocabularyIndex::id(const std::string& token) const {
  auto it = ids_.find(token);
  return it == ids_.end() ? kUnkId : it->second;
}

}  // namespace topiary::data
