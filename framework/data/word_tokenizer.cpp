#include "data/word_tokenizer.h"

namespace topiary::data {
namespace {

bool is_separator(unsigned char c) { return c <= 0x20 || c == 0x7f; }

bool is_punctuation(unsigned char c) {
  return (c >= 0x21 && c <= 0x2f) || (c >= 0x3a && c <= 0x40) || (c >= 0x5b && c <= 0x60) ||
         (c >= 0x7b && c <= 0x7e);
}

}  // namespace

std::vector<std::string> WordTokenizer::tokenize(std::string_view text) const {
  std::vector<std::string> tokens;
  std::string word;
  const auto flush = [&] {
    if (!word.empty()) tokens.push_back(std::move(word));
    word.clear();
  };
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_separator(c)) {
      flush();
    } else if (is_punctuation(c)) {
      flush();
      tokens.emplace_back(1, ch);
    } else if (options_.lowercase && c >= 'A' && c <= 'Z') {
      word += static_cast<char>(c - 'A' + 'a');
    } else {
      word += ch;
    }
  }
  flush();
  return tokens;
}

std::string WordTokenizer::describe() const {
  return std::string("word,lowercase=") + (options_.lowercase ? "true" : "false");
}

}  // namespace topiary::data
