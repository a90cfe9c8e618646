#pragma once
// Hugging Face `tokenizers` finds its added tokens ([CLS], [SEP], [MASK], ...) in the text before
// it normalizes or splits anything: "a [SEP] b" keeps "[SEP]" as one token, id and all. At each
// position the longest token that starts there wins, the leftmost match first (Aho-Corasick,
// leftmost-longest). Works on UTF-8 (tokens matched in the raw text) or on code points (tokens
// matched in normalized text).
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace topiary::data {

template <typename Char>
class AddedTokenSplitter {
 public:
  using String = std::basic_string<Char>;
  using View = std::basic_string_view<Char>;

  AddedTokenSplitter() = default;
  // (content, id) pairs; empty contents are never matched.
  explicit AddedTokenSplitter(const std::vector<std::pair<String, int32_t>>& tokens) {
    for (const auto& token : tokens) {
      if (!token.first.empty()) by_first_[token.first.front()].push_back(token);
    }
  }
  bool empty() const { return by_first_.empty(); }

  // on_text(View) for each non-empty stretch between matches, on_token(id) for each match,
  // in text order.
  template <typename OnText, typename OnToken>
  void split(View text, OnText&& on_text, OnToken&& on_token) const {
    size_t begin = 0;  // of the text not yet passed on
    for (size_t i = 0; i < text.size();) {
      const std::pair<String, int32_t>* match = longest_at(text, i);
      if (match == nullptr) {
        ++i;
        continue;
      }
      if (i > begin) on_text(text.substr(begin, i - begin));
      on_token(match->second);
      i += match->first.size();
      begin = i;
    }
    if (begin < text.size()) on_text(text.substr(begin));
  }

 private:
  const std::pair<String, int32_t>* longest_at(View text, size_t i) const {
    const auto candidates = by_first_.find(text[i]);
    if (candidates == by_first_.end()) return nullptr;
    const std::pair<String, int32_t>* best = nullptr;
    for (const auto& token : candidates->second) {
      if (text.substr(i).starts_with(token.first) &&
          (best == nullptr || token.first.size() > best->first.size())) {
        best = &token;
      }
    }
    return best;
  }

  std::unordered_map<Char, std::vector<std::pair<String, int32_t>>> by_first_;
};

}  // namespace topiary::data
