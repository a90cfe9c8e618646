#include "data/word_tokenizer.h"

#include <gtest/gtest.h>

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

TEST(WordTokenizer, DescribesItsSettings) {
  EXPECT_EQ(WordTokenizer().describe(), "word,lowercase=true");
  EXPECT_EQ(WordTokenizer({.lowercase = false}).describe(), "word,lowercase=false");
}

}  // namespace
}  // namespace topiary::data
