#pragma once
// UTF-8 <-> code points, for the tokenizers that work on characters (bert_normalizer.h).
#include <string>
#include <string_view>

namespace topiary::data {

// An invalid byte sequence becomes U+FFFD (the readers have refused invalid UTF-8 by then;
// `topiary predict --prompt` text has not been checked).
std::u32string to_code_points(std::string_view utf8);
void append_utf8(std::string& out, char32_t c);
std::string to_utf8(std::u32string_view code_points);

}  // namespace topiary::data
