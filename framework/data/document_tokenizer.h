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
  // tokens() / counting_tokens() one at a time as std::string_view; the word tokenizer builds
  // no string per token (it cannot produce NUL: NUL separates words).
  template <typename Emit>
  void for_each_token(const std::string& text, Emit&& emit) const {
    if (pieces == nullptr && kind == LmTokenizerKind::kWord) return word.for_each_token(text, emit);
    for (const std::string& token : tokens(text)) emit(std::string_view(token));
  }
  template <typename Emit>
  void for_each_counting_token(const std::string& text, Emit&& emit) const {
    if (pieces == nullptr && kind == LmTokenizerKind::kWord) return word.for_each_token(text, emit);
    for (const std::string& token : counting_tokens(text)) emit(std::string_view(token));
  }
  // The dataset's "tokenizer" attribute.
  std::string describe() const;
};

}  // namespace topiary::data
