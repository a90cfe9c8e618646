#include "data/bert_pre_tokenizer.h"

#include <gtest/gtest.h>

namespace topiary::data {
namespace {

using Words = std::vector<std::string>;

TEST(BertPreTokenizer, SplitsWhiteSpaceAndIsolatesPunctuation) {
  EXPECT_EQ(bert_pre_tokenize(U"don't!"), (Words{"don", "'", "t", "!"}));
  EXPECT_EQ(bert_pre_tokenize(U"  a\tb\u3000c  "), (Words{"a", "b", "c"}));
  EXPECT_EQ(bert_pre_tokenize(U"$5+3=8?!"), (Words{"$", "5", "+", "3", "=", "8", "?", "!"}));
  EXPECT_EQ(bert_pre_tokenize(U"well—said…"), (Words{"well", "—", "said", "…"}));
  EXPECT_EQ(bert_pre_tokenize(U"a€b😀c"), (Words{"a€b😀c"}));  // symbols stay in words
  EXPECT_EQ(bert_pre_tokenize(U""), Words{});
  EXPECT_EQ(bert_pre_tokenize(U" \n "), Words{});
}

}  // namespace
}  // namespace topiary::data
