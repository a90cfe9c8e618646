#include "data/bert_normalizer.h"

#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

#include <algorithm>
#include <vector>

#include "core/error.h"
#include "data/bert_characters.h"

namespace topiary::data {
namespace {

std::u16string to_utf16(std::u32string_view text) {
  std::u16string out;
  out.reserve(text.size());
  for (const char32_t c : text) {
    if (c <= 0xFFFF) {
      out.push_back(static_cast<char16_t>(c));
    } else {
      out.push_back(static_cast<char16_t>(U16_LEAD(c)));
      out.push_back(static_cast<char16_t>(U16_TRAIL(c)));
    }
  }
  return out;
}

// Calls fill(buffer, capacity, &status) -> length, growing the buffer once when ICU asks.
template <typename Fill>
std::u16string icu_string(int32_t capacity, Fill&& fill) {
  std::u16string out(static_cast<size_t>(capacity), u'\0');
  UErrorCode status = U_ZERO_ERROR;
  int32_t length = fill(out.data(), capacity, &status);
  if (status == U_BUFFER_OVERFLOW_ERROR) {
    out.assign(static_cast<size_t>(length), u'\0');
    status = U_ZERO_ERROR;
    length = fill(out.data(), length, &status);
  }
  TOPIARY_ASSERT(U_SUCCESS(status), std::string("ICU: ") + u_errorName(status));
  out.resize(static_cast<size_t>(length));
  return out;
}

// Appends the code points of UTF-16 `text` for which keep(c) holds.
template <typename Keep>
void append_code_points(std::u32string& out, std::u16string_view text, Keep&& keep) {
  const auto length = static_cast<int32_t>(text.size());
  for (int32_t i = 0; i < length;) {
    UChar32 c;
    U16_NEXT(text.data(), i, length, c);
    if (keep(static_cast<char32_t>(c))) out.push_back(static_cast<char32_t>(c));
  }
}

}  // namespace

std::u32string bert_clean_text(std::u32string_view text) {
  using namespace bert_characters;
  std::u32string out;
  out.reserve(text.size());
  for (const char32_t c : text) {
    if (c == 0 || c == 0xFFFD || is_control(c)) continue;  // before white space: U+0085 goes
    out.push_back(is_whitespace(c) ? U' ' : c);
  }
  return out;
}

std::u32string bert_pad_chinese_chars(std::u32string_view text) {
  std::u32string out;
  out.reserve(text.size());
  for (const char32_t c : text) {
    if (bert_characters::is_chinese_char(c)) {
      out += U' ';
      out += c;
      out += U' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::u32string bert_strip_accents(std::u32string_view text) {
  // Below U+00C0 nothing decomposes and nothing is a mark: most text skips ICU.
  if (std::all_of(text.begin(), text.end(), [](char32_t c) { return c < 0xC0; })) {
    return std::u32string(text);
  }
  UErrorCode status = U_ZERO_ERROR;
  const UNormalizer2* nfd = unorm2_getNFDInstance(&status);
  TOPIARY_ASSERT(U_SUCCESS(status), std::string("ICU NFD: ") + u_errorName(status));
  const std::u16string source = to_utf16(text);
  const std::u16string decomposed = icu_string(
      static_cast<int32_t>(source.size() * 2 + 4), [&](char16_t* out, int32_t n, auto* s) {
        return unorm2_normalize(nfd, source.data(), static_cast<int32_t>(source.size()), out, n, s);
      });
  std::u32string out;
  out.reserve(text.size());
  append_code_points(out, decomposed,
                     [](char32_t c) { return !bert_characters::is_nonspacing_mark(c); });
  return out;
}

std::u32string bert_lowercase(std::u32string_view text) {
  std::u32string out;
  out.reserve(text.size());
  for (const char32_t c : text) {
    if (c < 0x80) {
      out.push_back(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
      continue;
    }
    // One code point at a time, in the root locale: U+0130 -> "i\u0307", and a capital sigma
    // is always σ, as Rust's char::to_lowercase does.
    const std::u16string source = to_utf16(std::u32string_view(&c, 1));
    const std::u16string lowered = icu_string(8, [&](char16_t* dest, int32_t n, auto* s) {
      return u_strToLower(dest, n, source.data(), static_cast<int32_t>(source.size()), "", s);
    });
    append_code_points(out, lowered, [](char32_t) { return true; });
  }
  return out;
}

std::u32string bert_normalize(std::u32string_view text, const BertNormalizerOptions& options) {
  std::u32string out(text);
  if (options.clean_text) out = bert_clean_text(out);
  if (options.handle_chinese_chars) out = bert_pad_chinese_chars(out);
  if (options.strip_accents) out = bert_strip_accents(out);
  if (options.lowercase) out = bert_lowercase(out);
  return out;
}

}  // namespace topiary::data
