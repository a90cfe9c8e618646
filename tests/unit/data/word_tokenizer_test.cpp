#include "data/word_tokenizer.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace topiary::data {
namespace {

using Tokens = std::vector<std::string>;

TEST(WordTokenizer, SplitsWhitespaceAndPunctuation) {
  const WordTokenizer tokenizer;
  EXPECT_EQ(tokenizer.tokenize("Don't panic!"), (Tokens{"don", "'", "t", "panic", "!"}));
  EXPECT_EQ(tokenizer.tokenize("  a\tb\nc  "), (Tokens{"a", "b", "c"}));
  EXPECT_EQ(tokenizer.tokenize("x<pad>y"), (Tokens{"x", "<", "pad", ">", "y"}));
  EXPECT_EQ(tokenizer.tokenize("3.14"), (Tokens{"3", ".", "14"}));
  EXPECT_EQ(tokenizer.tokenize(""), Tokens{});
  EXPECT_EQ(tokenizer.tokenize(" \t\n"), Tokens{});
}

TEST(WordTokenizer, LowercaseIsOptionalAndAsciiOnly) {
  EXPECT_EQ(WordTokenizer().tokenize("HeLLo \xc3\x89t\xc3\xa9"),
            (Tokens{"hello", "\xc3\x89t\xc3\xa9"}));
  EXPECT_EQ(WordTokenizer({.lowercase = false}).tokenize("HeLLo"), (Tokens{"HeLLo"}));
}

TEST(WordTokenizer, ControlCharactersSeparate) {
  EXPECT_EQ(WordTokenizer().tokenize(std::string("a\0b\x7f"
                                                 "c",
                                                 5)),
            (Tokens{"a", "b", "c"}));
}

// The rules written out byte by byte, without the class table: for_each_token must cut every
// string the same way, so that prepared datasets do not depend on how the loop is written.
Tokens reference_tokens(std::string_view text, bool lowercase) {
  Tokens out;
  std::string word;
  const auto flush = [&] {
    if (!word.empty()) out.push_back(word);
    word.clear();
  };
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (word_chars::is_separator(byte)) {
      flush();
    } else if (word_chars::is_punctuation(byte)) {
      flush();
      out.emplace_back(1, c);
    } else {
      word += lowercase && c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    }
  }
  flush();
  return out;
}

TEST(WordTokenizer, EveryByteFollowsTheRules) {
  std::mt19937 random(7);
  for (int round = 0; round < 2000; ++round) {
    std::string text(random() % 40, ' ');
    for (char& c : text) c = static_cast<char>(random() % 256);
    for (const bool lowercase : {true, false}) {
      EXPECT_EQ(WordTokenizer({.lowercase = lowercase}).tokenize(text),
                reference_tokens(text, lowercase));
    }
  }
}

TEST(WordTokenizer, DescribesItsSettings) {
  EXPECT_EQ(WordTokenizer().describe(), "word,lowercase=true");
  EXPECT_EQ(WordTokenizer({.lowercase = false}).describe(), "word,lowercase=false");
}

}  // namespace
}  // namespace topiary::data
