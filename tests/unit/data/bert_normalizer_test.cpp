// The BERT normalizer's steps and character classes, on the cases where BERT differs from a
// plain reading of Unicode (tests/e2e/wordpiece_parity.sh compares every code point with
// Hugging Face `tokenizers` itself).
#include "data/bert_normalizer.h"

#include <gtest/gtest.h>

#include "data/bert_characters.h"
#include "data/code_points.h"

namespace topiary::data {
namespace {

using namespace std::string_literals;  // U"..."s keeps NUL characters

// Readable failures: compare as UTF-8.
std::string utf8(const std::u32string& text) { return to_utf8(text); }

TEST(BertNormalizer, CleanTextDropsControlsAndUnifiesWhiteSpace) {
  EXPECT_EQ(utf8(bert_clean_text(U"a\0b\uFFFDc\u0001d\u007Fe"s)), "abcde");
  // Format characters (Cf) are controls: zero-width space, soft hyphen, BOM, LRM.
  EXPECT_EQ(utf8(bert_clean_text(U"a\u200Bb\u00ADc\uFEFFd\u200Ee")), "abcde");
  EXPECT_EQ(utf8(bert_clean_text(U"a\tb\nc\rd\u00A0e\u3000f")), "a b c d e f");
  // U+000B, U+000C and U+0085 are white space to Unicode but controls first: dropped.
  EXPECT_EQ(utf8(bert_clean_text(U"a\u000Bb\u000Cc\u0085d")), "abcd");
  EXPECT_EQ(utf8(bert_clean_text(U"\uE000private")), "private");
}

TEST(BertNormalizer, ChineseCharactersGetSpaces) {
  EXPECT_EQ(utf8(bert_pad_chinese_chars(U"中文字符")), " 中  文  字  符 ");
  // Kanji are CJK ideographs; hiragana and katakana are not.
  EXPECT_EQ(utf8(bert_pad_chinese_chars(U"日本語text")), " 日  本  語 text");
  EXPECT_EQ(utf8(bert_pad_chinese_chars(U"ひらがな")), "ひらがな");
  EXPECT_TRUE(bert_characters::is_chinese_char(U'\U00020000'));
  EXPECT_FALSE(bert_characters::is_chinese_char(U'\U0002B820'));  // a gap in BERT's list
}

TEST(BertNormalizer, StripAccentsDecomposesAndDropsMarks) {
  EXPECT_EQ(utf8(bert_strip_accents(U"café Ångström naïve")), "cafe Angstrom naive");
  EXPECT_EQ(utf8(bert_strip_accents(U"e\u0301\u0323")), "e");  // a combining sequence
  EXPECT_EQ(utf8(bert_strip_accents(U"\u212B")), "A");         // ANGSTROM SIGN: NFD is A + ring
  EXPECT_EQ(utf8(bert_strip_accents(U"ﬁ")), "ﬁ");              // NFD, not NFKD
}

TEST(BertNormalizer, LowercaseOneCodePointAtATime) {
  EXPECT_EQ(utf8(bert_lowercase(U"HeLLo ΑΒΓ ΟΔΟΣ ПРИВЕТ")), "hello αβγ οδοσ привет");  // no ς
  EXPECT_EQ(utf8(bert_lowercase(U"\u0130")), "i\u0307");  // İ: two code points
  EXPECT_EQ(utf8(bert_lowercase(U"ẞ")), "ß");
}

TEST(BertNormalizer, StepsRunInBertsOrder) {
  const BertNormalizerOptions uncased;
  EXPECT_EQ(utf8(bert_normalize(U"Ångström\u200B 中x", uncased)), "angstrom  中 x");
  // İ: NFD gives I + U+0307, the mark goes, then I lowercases.
  EXPECT_EQ(utf8(bert_normalize(U"\u0130", uncased)), "i");
  const BertNormalizerOptions keep_accents{.strip_accents = false};
  EXPECT_EQ(utf8(bert_normalize(U"Ångström", keep_accents)), "ångström");
  const BertNormalizerOptions cased{.strip_accents = false, .lowercase = false};
  EXPECT_EQ(utf8(bert_normalize(U"Café\t中", cased)), "Café  中 ");
  const BertNormalizerOptions nothing{false, false, false, false};
  EXPECT_EQ(utf8(bert_normalize(U"A\0\t中"s, nothing)), utf8(U"A\0\t中"s));
}

TEST(BertCharacters, CategoriesAreUnicode8s) {
  using namespace bert_characters;
  for (const char32_t c : {U'!', U'$', U'+', U'^', U'`', U'~', U'—', U'«', U'¿', U'、'}) {
    EXPECT_TRUE(is_punctuation(c)) << static_cast<uint32_t>(c);
  }
  for (const char32_t c : {U'a', U'5', U'€', U'©', U'😀', U'\u2E4F'}) {
    EXPECT_FALSE(is_punctuation(c)) << static_cast<uint32_t>(c);
  }
  // Categories Unicode changed after 8.0 keep their 8.0 values.
  EXPECT_TRUE(is_punctuation(U'\u166D'));
  EXPECT_TRUE(is_nonspacing_mark(U'\u1734'));
  EXPECT_FALSE(is_nonspacing_mark(U'\u1885'));
  // Younger than Unicode 8.0: no category at all.
  EXPECT_FALSE(is_control(U'\u08E2'));
  EXPECT_TRUE(is_control(U'\u0600'));  // ARABIC NUMBER SIGN, Cf since 4.0
  EXPECT_TRUE(is_whitespace(U'\u2028'));
  EXPECT_FALSE(is_whitespace(U'\u200B'));
}

}  // namespace
}  // namespace topiary::data
