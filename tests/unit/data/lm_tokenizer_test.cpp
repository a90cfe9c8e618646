#include "data/lm_tokenizer.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace topiary::data {
namespace {

TEST(LmTokenizer, SplitsCodePoints) {
  EXPECT_EQ(split_code_points("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"),
            (std::vector<std::string>{"a", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"}));
  EXPECT_TRUE(split_code_points("").empty());
}

TEST(LmTokenizer, ByteVocabularyIsFixed) {
  const std::vector<std::string> vocabulary = byte_vocabulary();
  ASSERT_EQ(vocabulary.size(), 259u);
  EXPECT_EQ(vocabulary[0], "<pad>");
  EXPECT_EQ(vocabulary[1], "<unk>");
  EXPECT_EQ(vocabulary[kEosId], "<eos>");
  EXPECT_EQ(vocabulary[3 + 0x41], "<0x41>");
  EXPECT_EQ(vocabulary[3 + 0xff], "<0xFF>");
}

TEST(LmTokenizer, ParsesNames) {
  EXPECT_EQ(parse_lm_tokenizer("char"), LmTokenizerKind::kChar);
  EXPECT_EQ(lm_tokenizer_name(parse_lm_tokenizer("byte")), "byte");
  EXPECT_USER_ERROR(parse_lm_tokenizer("bpe"), "'bpe'", "char, byte, word");
}

}  // namespace
}  // namespace topiary::data
