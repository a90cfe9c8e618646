#pragma once
// Vocabulary built from training-split token counts. Order: the specials "<pad>" (id 0) and
// "<unk>" (id 1), then tokens by descending count, ties broken by byte-wise token order, so the
// same data always gives the same ids. Tokens rarer than min_frequency are left out (they map to
// <unk>); max_size > 0 caps the total size, specials included.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "data/string_table.h"

namespace topiary::data {

inline constexpr int32_t kPadId = 0;
inline constexpr int32_t kUnkId = 1;
inline constexpr const char* kPadToken = "<pad>";
inline constexpr const char* kUnkToken = "<unk>";

struct VocabularyOptions {
  int64_t min_frequency = 1;
  int64_t max_size = 0;  // 0 = unlimited
};

class TokenCounter {
 public:
  void add(const std::vector<std::string>& tokens);
  // One more occurrence of `token`.
  void add(std::string_view token) { add_count(token, 1); }
  // `count` more occurrences of `token` (merging counts made elsewhere, e.g. on other ranks).
  void add_count(std::string_view token, int64_t count) {
    counts_.find_or_insert(token, 0) += count;
  }
  // visit(std::string_view token, int64_t count) for every token, in no particular order.
  template <typename Visit>
  void for_each(Visit&& visit) const {
    counts_.for_each(visit);
  }
  // Every (token, count), sorted by token.
  std::map<std::string, int64_t> sorted_counts() const;

 private:
  StringTable<int64_t> counts_;
};

// UserError when min_frequency < 1 or 0 < max_size < 3 (room for at least one real token).
std::vector<std::string> build_vocabulary(const TokenCounter& counter,
                                          const VocabularyOptions& options);

// Token -> id lookup; unknown tokens map to kUnkId.
class VocabularyIndex {
 public:
  explicit VocabularyIndex(const std::vector<std::string>& vocabulary);
  // Inline: called once per token of the corpus.
  int32_t id(std::string_view token) const {
    const int32_t* id = ids_.find(token);
    return id == nullptr ? kUnkId : *id;
  }

 private:
  StringTable<int32_t> ids_;
};

}  // namespace topiary::data
