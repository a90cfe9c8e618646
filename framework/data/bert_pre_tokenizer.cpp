#include "data/bert_pre_tokenizer.h"

#include "data/bert_characters.h"
#include "data/code_points.h"

namespace topiary::data {

std::vector<std::string> bert_pre_tokenize(std::u32string_view text) {
  std::vector<std::string> words;
  std::string word;
  const auto finish_word = [&] {
    if (!word.empty()) words.push_back(std::move(word));
    word.clear();
  };
  for (const char32_t c : text) {
    if (bert_characters::is_whitespace(c)) {
      finish_word();
    } else if (bert_characters::is_punctuation(c)) {
      finish_word();
      append_utf8(word, c);
      finish_word();
    } else {
      append_utf8(word, c);
    }
  }
  finish_word();
  return words;
}

}  // namespace topiary::data
