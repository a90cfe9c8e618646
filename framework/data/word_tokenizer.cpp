#include "data/word_tokenizer.h"

namespace topiary::data {

std::vector<std::string> WordTokenizer::tokenize(std::string_view text) const {
  std::vector<std::string> tokens;
  for_each_token(text, [&](std::string_view token) { tokens.emplace_back(token); });
  return tokens;
}

std::string WordTokenizer::describe() const {
  return std::string("word,lowercase=") + (options_.lowercase ? "true" : "false");
}

}  // namespace topiary::data
