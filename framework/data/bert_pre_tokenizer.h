#pragma once
// The BertPreTokenizer of Hugging Face `tokenizers`: splits normalized text into words at
// white space (dropped) and around every punctuation character (kept as a word of its own), so
// "don't!" is "don" "'" "t" "!". Classes are bert_characters.h's.
#include <string>
#include <string_view>
#include <vector>

namespace topiary::data {

// The words of `text`, as UTF-8.
std::vector<std::string> bert_pre_tokenize(std::u32string_view text);

}  // namespace topiary::data
