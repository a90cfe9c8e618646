#include "data/document_tokenizer.h"

#include "data/sentencepiece_tokenizer.h"

namespace topiary::data {

std::vector<std::string> DocumentTokenizer::tokens(const std::string& text) const {
  if (pieces != nullptr) return pieces->pieces(text);
  return kind == LmTokenizerKind::kWord ? word.tokenize(text) : split_code_points(text);
}

std::vector<std::string> DocumentTokenizer::counting_tokens(const std::string& text) const {
  std::vector<std::string> out = tokens(text);
  std::erase(out, std::string(1, '\0'));
  return out;
}

std::string DocumentTokenizer::describe() const {
  if (pieces != nullptr) return sentencepiece_description(pieces->model());
  return kind == LmTokenizerKind::kWord ? word.describe() : lm_tokenizer_name(kind);
}

}  // namespace topiary::data
