#pragma once
// Vocabulary built from training-split token counts. Order: the specials "<pad>" (id 0) and
// "<unk>" (id 1), then tokens by descending count, ties broken by byte-wise token order, so the
// same data always gives the same ids. Tokens rarer than min_frequency are left out (they map to
// <unk>); max_size > 0 caps the total size, specials included.
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

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
  // `count` more occurrences of `token` (merging counts made elsewhere, e.g. on other ranks).
  void add_count(const std::string& token, int64_t count) { counts_[token] += count; }
  const std::unordered_map<std::string, int64_t>& counts() const { return counts_; }

 private:
  std::unordered_map<std::string, int64_t> counts_;
};

// UserError when min_frequency < 1 or 0 < max_size < 3 (room for at least one real token).
std::vector<std::string> build_vocabulary(const TokenCounter& counter,
                                          const VocabularyOptions& options);

// Token -> id lookup; unknown tokens map to kUnkId.
class VocabularyIndex {
 public:
  explicit VocabularyIndex(const std::vector<std::string>& vocabulary);
  int32_t id(const std::string& token) const;

 private:
  std::unordered_map<std::string, int32_t> ids_;
};

}  // namespace topiary::data
