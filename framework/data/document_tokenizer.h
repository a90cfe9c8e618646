#pragma once
// Text tokens of one language-model document for the char, word and sentencepiece tokenizers
// (byte ids come straight from the bytes). Shared by the one-file and the sharded prepare so
// that both cut text the same way. A char token that is NUL stays in tokens(): a vocabulary
// entry cannot hold NUL, so it becomes <unk> on lookup; counting_tokens() leaves it out.
#include <string>
#include <string_view>
#include <vector>

#include "data/lm_tokenizer.h"
#include "data/word_tokenizer.h"

namespace topiary::data {

class SentencePieceEncoder;

struct DocumentTokenizer {
  LmTokenizerKind kind = LmTokenizerKind::kChar;
  WordTokenizer word;
  const SentencePieceEncoder* pieces = nullptr;  // --tokenizer sentencepiece

  std::vector<std::string> tokens(const std::string& text) const;
  // tokens() without NUL: what the vocabulary counts.
  std::vector<std::string> counting_tokens(const std::string& text) const;
  // tokens() / counting_tokens() one at a time as std::string_view; the word and char
  // tokenizers build no string per token (a word cannot hold NUL: NUL separates words).
  template <typename Emit>
  void for_each_token(std::string_view text, Emit&& emit) const {
    if (pieces != nullptr) {
      for (const std::string& token : tokens(std::string(text))) emit(std::string_view(token));
    } else if (kind == LmTokenizerKind::kWord) {
      word.for_each_token(text, emit);
    } else {
      for_each_code_point(text, emit);
    }
  }
  template <typename Emit>
  void for_each_counting_token(std::string_view text, Emit&& emit) const {
    for_each_token(text, [&](std::string_view token) {
      if (token != std::string_view("\0", 1)) emit(token);
    });
  }
  // The dataset's "tokenizer" attribute.
  std::string describe() const;
};

}  // namespace topiary::data
