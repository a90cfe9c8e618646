// The whole WordPiece pipeline on a tiny vocabulary: added tokens, normalizing, words, pieces,
// [CLS] ... [SEP] and truncation; and the description that carries it to `topiary predict`.
#include "data/wordpiece_tokenizer.h"

#include <gtest/gtest.h>

#include "data/sentencepiece_tokenizer.h"
#include "data/text_encoder.h"
#include "data/tokenizer_json.h"
#include "test_support.h"
#include "wordpiece_fixture.h"

namespace topiary::data {
namespace {

using Ids = std::vector<int32_t>;
using namespace std::string_literals;  // "..."s keeps NUL characters
constexpr int32_t kUnk = 2, kCls = 3, kSep = 4, kMask = 5;

WordPieceTokenizer tiny(const nlohmann::json& file = test::tiny_tokenizer_json()) {
  WordPieceTokenizerFile read = parse_tokenizer_json(file.dump(), "tiny.json");
  return WordPieceTokenizer(read.settings, read.vocabulary);
}

TEST(WordPieceTokenizer, EncodesLikeBert) {
  const WordPieceTokenizer t = tiny();
  EXPECT_EQ(t.encode("UNAFFABLE Café!"), (Ids{kCls, 6, 7, 8, 9, 10, kSep}));
  EXPECT_EQ(t.encode("Don't"), (Ids{kCls, 18, 16, 17, kSep}));
  EXPECT_EQ(t.encode("中文ab"), (Ids{kCls, 13, 14, 11, 12, kSep}));
  EXPECT_EQ(t.encode("ΣΣ σ x"), (Ids{kCls, kUnk, 19, kUnk, kSep}));  // no "##σ", no "x"
  EXPECT_EQ(t.encode("\u200Bhel\u00ADlo\0"s), (Ids{kCls, 15, kSep}));
}

TEST(WordPieceTokenizer, FindsAddedTokensInTheRawText) {
  const WordPieceTokenizer t = tiny();
  EXPECT_EQ(t.encode("hello [SEP] a[MASK]b"), (Ids{kCls, 15, kSep, 11, kMask, kUnk, kSep}));
  // Matched before lowercasing: "[sep]" is punctuation and words.
  EXPECT_EQ(t.content_ids("[sep]"), (Ids{kUnk, kUnk, kUnk}));
}

TEST(WordPieceTokenizer, NormalizedAddedTokensMatchAfterNormalizing) {
  nlohmann::json file = test::tiny_tokenizer_json();
  file["added_tokens"].push_back(
      {{"id", 20}, {"content", "[NEW]"}, {"normalized", true}, {"special", false}});
  const WordPieceTokenizer t = tiny(file);
  EXPECT_EQ(t.content_ids("a [New]b"), (Ids{11, 20, kUnk}));
  EXPECT_EQ(t.vocabulary().back(), "[NEW]");
}

TEST(WordPieceTokenizer, EmptyTextHasNoContent) {
  const WordPieceTokenizer t = tiny();
  for (const std::string& text : {""s, "   "s, "\t\n"s, "\u200B\0\uFFFD"s}) {
    EXPECT_TRUE(t.content_ids(text).empty()) << text;
    EXPECT_EQ(t.encode(text), (Ids{kCls, kSep})) << text;
  }
}

TEST(WordPieceTokenizer, TruncationKeepsClsAndSep) {
  WordPieceTokenizer t = tiny();
  t.set_max_length(4);
  EXPECT_EQ(t.content_limit(), 2);
  EXPECT_EQ(t.encode("a a a a"), (Ids{kCls, 11, 11, kSep}));
  EXPECT_EQ(t.encode("a"), (Ids{kCls, 11, kSep}));
  EXPECT_USER_ERROR(t.set_max_length(2), "--max-length 2", "at least 3");
  t.set_max_length(0);
  EXPECT_EQ(t.encode("a a a a").size(), 6u);
}

TEST(WordPieceTokenizer, DescriptionRebuildsTheSameTokenizer) {
  WordPieceTokenizer t = tiny();
  t.set_max_length(5);
  const std::string description = t.description();
  EXPECT_TRUE(is_wordpiece_description(description));
  const WordPieceTokenizer copy = WordPieceTokenizer::from_description(description, t.vocabulary());
  for (const char* text : {"UNAFFABLE Café! [SEP] don't", "中文ab a a a a"}) {
    EXPECT_EQ(copy.encode(text), t.encode(text)) << text;
  }
  EXPECT_EQ(short_tokenizer_description(description),
            "wordpiece (lowercase, accents stripped, max_length 5)");
  // What predict uses: the same ids, the truncation included.
  const TextEncoder encoder(t.vocabulary(), description);
  EXPECT_EQ(encoder.encode("a a a a a"), (std::vector<int64_t>{kCls, 11, 11, 11, kSep}));
  EXPECT_EQ(encoder.decode({kCls, 6, 7, 8, 9, 10, kSep, 0}), "unaffable cafe !");
}

TEST(WordPieceTokenizer, RefusesBrokenDescriptionsAndVocabularies) {
  const WordPieceTokenizer t = tiny();
  EXPECT_USER_ERROR(WordPieceTokenizer::from_description("wordpiece:{", t.vocabulary()),
                    "not a wordpiece description");
  EXPECT_USER_ERROR(WordPieceTokenizer::from_description("wordpiece:{}", t.vocabulary()),
                    "'clean_text'");
  std::vector<std::string> shifted = t.vocabulary();
  std::swap(shifted[0], shifted[6]);
  EXPECT_USER_ERROR(WordPieceTokenizer::from_description(t.description(), shifted),
                    "id 0 must be the pad token '[PAD]'");
  std::vector<std::string> no_sep = t.vocabulary();
  no_sep[kSep] = "[SEPARATOR]";
  EXPECT_USER_ERROR(WordPieceTokenizer::from_description(t.description(), no_sep), "'[SEP]'");
}

}  // namespace
}  // namespace topiary::data
