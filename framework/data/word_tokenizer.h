#pragma once
// Word tokenizer: splits on whitespace and ASCII control characters, and makes every ASCII
// punctuation character (!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~) a token of its own, so "don't!"
// becomes "don" "'" "t" "!". Lowercasing (on by default) is ASCII-only; non-ASCII UTF-8 bytes
// are word characters and pass through unchanged. Because '<' and '>' always split, no text
// token can collide with the special tokens "<pad>" and "<unk>".
#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace topiary::data {
namespace word_chars {
constexpr bool is_separator(unsigned char c) { return c <= 0x20 || c == 0x7f; }
constexpr bool is_punctuation(unsigned char c) {
  return (c >= 0x21 && c <= 0x2f) || (c >= 0x3a && c <= 0x40) || (c >= 0x5b && c <= 0x60) ||
         (c >= 0x7b && c <= 0x7e);
}
// Every byte's role as one table lookup, so the tokenizer's inner loop over a word's bytes is a
// load and a compare per byte instead of the range tests above.
enum Class : unsigned char { kWord, kUpper, kSeparator, kPunctuation };  // kUpper: 'A'..'Z'
inline constexpr std::array<Class, 256> kClasses = [] {
  std::array<Class, 256> classes{};
  for (int c = 0; c < 256; ++c) {
    const auto byte = static_cast<unsigned char>(c);
    classes[byte] = is_separator(byte)       ? kSeparator
                    : is_punctuation(byte)   ? kPunctuation
                    : (c >= 'A' && c <= 'Z') ? kUpper
                                             : kWord;
  }
  return classes;
}();
inline Class class_of(char c) { return kClasses[static_cast<unsigned char>(c)]; }
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
  using namespace word_chars;
  std::string lowered;
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    const Class first = class_of(text[i]);
    if (first == kSeparator) {
      ++i;
    } else if (first == kPunctuation) {
      emit(text.substr(i, 1));
      ++i;
    } else {  // a word: the run of word and upper-case bytes from i
      const size_t start = i;
      bool has_upper = false;
      for (; i < n; ++i) {
        const Class c = class_of(text[i]);
        if (c >= kSeparator) break;
        has_upper |= c == kUpper;
      }
      const std::string_view word = text.substr(start, i - start);
      if (has_upper && options_.lowercase) {
        lowered.assign(word);
        for (char& c : lowered) {
          if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        }
        emit(std::string_view(lowered));
      } else {
        emit(word);
      }
    }
  }
}

}  // namespace topiary::data
