#pragma once
// Word tokenizer: splits on whitespace and ASCII control characters, and makes every ASCII
// punctuation character (!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~) a token of its own, so "don't!"
// becomes "don" "'" "t" "!". Lowercasing (on by default) is ASCII-only; non-ASCII UTF-8 bytes
// are word characters and pass through unchanged. Because '<' and '>' always split, no text
// token can collide with the special tokens "<pad>" and "<unk>".
#include <string>
#include <string_view>
#include <vector>

namespace topiary::data {

struct WordTokenizerOptions {
  bool lowercase = true;
};

class WordTokenizer {
 public:
  explicit WordTokenizer(WordTokenizerOptions options = {}) : options_(options) {}

  std::vector<std::string> tokenize(std::string_view text) const;
  // A short description stored with the dataset ("word,lowercase=true").
  std::string describe() const;

 private:
  WordTokenizerOptions options_;
};

}  // namespace topiary::data
