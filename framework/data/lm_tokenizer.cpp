#include "data/lm_tokenizer.h"

#include <cstdio>

#include "core/error.h"
#include "data/vocabulary.h"

namespace topiary::data {

LmTokenizerKind parse_lm_tokenizer(const std::string& name) {
  if (name == "char") return LmTokenizerKind::kChar;
  if (name == "byte") return LmTokenizerKind::kByte;
  if (name == "word") return LmTokenizerKind::kWord;
  throw UserError("--tokenizer '" + name + "' is not known; valid: char, byte, word");
}

std::string lm_tokenizer_name(LmTokenizerKind kind) {
  switch (kind) {
    case LmTokenizerKind::kChar:
      return "char";
    case LmTokenizerKind::kByte:
      return "byte";
    case LmTokenizerKind::kWord:
      return "word";
  }
  return "?";
}

std::vector<std::string> split_code_points(std::string_view text) {
  std::vector<std::string> out;
  out.reserve(text.size());
  for_each_code_point(text, [&](std::string_view point) { out.emplace_back(point); });
  return out;
}

std::string byte_token(unsigned char byte) {
  char name[8];
  std::snprintf(name, sizeof(name), "<0x%02X>", byte);
  return name;
}

std::vector<std::string> byte_vocabulary() {
  std::vector<std::string> vocabulary{kPadToken, kUnkToken, kEosToken};
  for (int b = 0; b < 256; ++b) vocabulary.push_back(byte_token(static_cast<unsigned char>(b)));
  return vocabulary;
}

}  // namespace topiary::data
