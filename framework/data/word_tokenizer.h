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
namespace word_chars {
inline bool is_separator(unsigned char c) { return c <= 0x20 || c == 0x7f; }
inline bool is_punctuation(unsigned char c) {
  return (c >= 0x21 && c <= 0x2f) || (c >= 0x3a && c <= 0x40) || (c >= 0x5b && c <= 0x60) ||
         (c >= 0x7b && c <= 0x7e);
}
}  // namespace word_chars

struct WordTokenizerOptions {
  bool lowercase = true;
};

class WordTokenizer {
 public:
  explicit WordTokenizer(WordTokenizerOptions options = {}) : options_(options) {}

  std::vector<std::string> tokenize(std::string_view text) const;
  // The same tokens, passed one at a time to emit(std::string_view) without building a string
  // for each (the view is valid during the call only): the hot path of `topiary prepare`.
  template <typename Emit>
  void for_each_token(std::string_view text, Emit&& emit) const;
  // A short description stored with the dataset ("word,lowercase=true").
  std::string describe() const;

 private:
  WordTokenizerOptions options_;
};

template <typename Emit>
void WordTokenizer::for_each_token(std::string_view text, Emit&& emit) const {
  std::string lowered;
  size_t start = 0;
  bool has_upper = false;
  const auto flush = [&](size_t end) {
    if (end > start) {
      const std::string_view word = text.substr(start, end - start);
      if (has_upper) {
        lowered.assign(word);
        for (char& c : lowered) {
          if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        }
        emit(std::string_view(lowered));
      } else {
        emit(word);
      }
    }
    has_upper = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (word_chars::is_separator(c)) {
      flush(i);
      start = i + 1;
    } else if (word_chars::is_punctuation(c)) {
      flush(i);
      emit(text.substr(i, 1));
      start = i + 1;
    } else if (options_.lowercase && c >= 'A' && c <= 'Z') {
      has_upper = true;
    }
  }
  flush(text.size());
}

}  // namespace topiary::data
