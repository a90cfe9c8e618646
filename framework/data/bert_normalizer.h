#pragma once
// The BertNormalizer of Hugging Face `tokenizers`, in its order of steps:
//   clean_text            drop U+0000, U+FFFD and control characters; white space -> ' '
//   handle_chinese_chars  put a space on each side of every CJK ideograph
//   strip_accents         NFD, then drop the non-spacing marks (Mn)
//   lowercase             full Unicode lowercasing, one code point at a time (no final sigma)
// Character classes are bert_characters.h's; NFD and lowercasing are ICU's.
#include <string>
#include <string_view>

namespace topiary::data {

struct BertNormalizerOptions {
  bool clean_text = true;
  bool handle_chinese_chars = true;
  bool strip_accents = true;  // tokenizer.json's null means "as lowercase"
  bool lowercase = true;
};

std::u32string bert_normalize(std::u32string_view text, const BertNormalizerOptions& options);

// The single steps, for tests.
std::u32string bert_clean_text(std::u32string_view text);
std::u32string bert_pad_chinese_chars(std::u32string_view text);
std::u32string bert_strip_accents(std::u32string_view text);
std::u32string bert_lowercase(std::u32string_view text);

}  // namespace topiary::data
