#include "data/bert_characters.h"

#include <unicode/uchar.h>

#include <array>
#include <utility>

namespace topiary::data::bert_characters {
namespace {

// See Note [Unicode 8.0 categories]: the code points whose category changed after Unicode 8.0
// in a way that matters here, with their 8.0 category.
constexpr std::array<std::pair<char32_t, UCharCategory>, 6> kCategoriesChangedAfter8 = {{
    {0x1734, U_NON_SPACING_MARK},        // HANUNOO SIGN PAMUDPOD, now Mc
    {0x1885, U_OTHER_LETTER},            // MONGOLIAN LETTER ALI GALI BALUDA, now Mn
    {0x1886, U_OTHER_LETTER},            // MONGOLIAN LETTER ALI GALI THREE BALUDA, now Mn
    {0x166D, U_OTHER_PUNCTUATION},       // CANADIAN SYLLABICS CHI SIGN, now So
    {0xA9BD, U_COMBINING_SPACING_MARK},  // JAVANESE CONSONANT SIGN KERET, now Mn
    {0x111C9, U_OTHER_PUNCTUATION},      // SHARADA SANDHI MARK, now Mn
}};

int8_t unicode8_category(char32_t c) {
  const auto point = static_cast<UChar32>(c);
  for (const auto& [changed, category] : kCategoriesChangedAfter8) {
    if (changed == c) return category;
  }
  UVersionInfo age;
  u_charAge(point, age);
  if (age[0] > 8 || (age[0] == 8 && age[1] > 0)) return U_UNASSIGNED;
  return u_charType(point);
}

constexpr bool is_ascii_punctuation(char32_t c) {
  return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) ||
         (c >= 123 && c <= 126);
}

}  // namespace

bool is_whitespace(char32_t c) {
  if (c < 0x80) return c == ' ' || (c >= '\t' && c <= '\r');
  return u_isUWhiteSpace(static_cast<UChar32>(c));
}

bool is_control(char32_t c) {
  if (c == '\t' || c == '\n' || c == '\r') return false;
  if (c < 0x80) return c < 0x20 || c == 0x7F;
  const int8_t category = unicode8_category(c);
  return category == U_CONTROL_CHAR || category == U_FORMAT_CHAR ||
         category == U_PRIVATE_USE_CHAR || category == U_SURROGATE;
}

bool is_punctuation(char32_t c) {
  if (c < 0x80) return is_ascii_punctuation(c);
  switch (unicode8_category(c)) {
    case U_DASH_PUNCTUATION:
    case U_START_PUNCTUATION:
    case U_END_PUNCTUATION:
    case U_CONNECTOR_PUNCTUATION:
    case U_OTHER_PUNCTUATION:
    case U_INITIAL_PUNCTUATION:
    case U_FINAL_PUNCTUATION:
      return true;
    default:
      return false;
  }
}

bool is_nonspacing_mark(char32_t c) {
  return c >= 0x300 && unicode8_category(c) == U_NON_SPACING_MARK;
}

bool is_chinese_char(char32_t c) {
  // BERT's list. 0x2B820-0x2B91F is missing from it, as in `tokenizers`.
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
         (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

}  // namespace topiary::data::bert_characters
