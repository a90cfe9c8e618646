#pragma once
// Tokenizers for language-model datasets and the vocabularies they imply.
//
//   char: one token per Unicode code point (the text is valid UTF-8 by the time it gets here);
//         vocabulary from the training split, by descending count, ties by code point.
//   byte: one token per byte; the vocabulary is fixed: the specials, then "<0x00>".."<0xFF>"
//         (named, because single bytes >= 0x80 are not UTF-8 strings), id = 3 + byte.
//   word: the classification WordTokenizer (word_tokenizer.h), vocabulary from training counts.
//
// Every language-model vocabulary starts "<pad>" (0), "<unk>" (1), "<eos>" (2); "<eos>" is the
// separator the trainer puts between concatenated documents. No text token can equal a special:
// char tokens are one code point, byte tokens are named, and the word tokenizer splits '<'.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace topiary::data {

inline constexpr int32_t kEosId = 2;
inline constexpr const char* kEosToken = "<eos>";

enum class LmTokenizerKind { kChar, kByte, kWord };

// "char", "byte" or "word"; anything else is a UserError listing them.
LmTokenizerKind parse_lm_tokenizer(const std::string& name);
std::string lm_tokenizer_name(LmTokenizerKind kind);

// The code points of valid UTF-8 text, each as its UTF-8 bytes.
std::vector<std::string> split_code_points(std::string_view text);
// The same, passed one at a time to emit(std::string_view) without building strings.
template <typename Emit>
void for_each_code_point(std::string_view text, Emit&& emit) {
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    size_t length = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    if (i + length > text.size()) length = text.size() - i;  // cannot happen for valid UTF-8
    emit(text.substr(i, length));
    i += length;
  }
}

// "<0x41>" for byte 0x41.
std::string byte_token(unsigned char byte);
// <pad>, <unk>, <eos>, <0x00> .. <0xFF>
std::vector<std::string> byte_vocabulary();

}  // namespace topiary::data
