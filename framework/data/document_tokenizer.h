#pragma once
// Text tokens of one language-model document for the char, word and sentencepiece tokenizers
// (byte ids come straight from the bytes). Shared by the one-file and the sharded prepare so
// that both cut text the same way. A char token that is NUL stays in tokens(): a vocabulary
// entry cannot hold NUL, so it becomes <unk> on lookup; counting_tokens() leaves it out.
#include <string>
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
  // The dataset's "tokenizer" attribute.
  std::string describe() const;
};

}  // namespace topiary::data
