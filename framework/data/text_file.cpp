#include "data/text_file.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"

namespace topiary::data {

Encoding parse_encoding(const std::string& name) {
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "utf-8" || lower == "utf8") return Encoding::kUtf8;
  if (lower == "latin-1" || lower == "latin1" || lower == "iso-8859-1") return Encoding::kLatin1;
  throw UserError("unknown encoding '" + name + "'; valid: utf-8, latin-1");
}

std::string encoding_name(Encoding encoding) {
  return encoding == Encoding::kUtf8 ? "utf-8" : "latin-1";
}

std::optional<size_t> find_invalid_utf8(std::string_view bytes) {
  const auto* s = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t length = 0;
    unsigned char low = 0x80, high = 0xbf;  // allowed range of the second byte
    if (c >= 0xc2 && c <= 0xdf) {
      length = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      length = 3;
      if (c == 0xe0) low = 0xa0;   // overlong
      if (c == 0xed) high = 0x9f;  // surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      length = 4;
      if (c == 0xf0) low = 0x90;   // overlong
      if (c == 0xf4) high = 0x8f;  // above U+10FFFF
    } else {
      return i;
    }
    if (i + 1 >= n || s[i + 1] < low || s[i + 1] > high) return i;
    for (size_t k = 2; k < length; ++k) {
      if (i + k >= n || (s[i + k] & 0xc0) != 0x80) return i;
    }
    i += length;
  }
  return std::nullopt;
}

std::string latin1_to_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (const char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      out += ch;
    } else {
      out += static_cast<char>(0xc0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3f));
    }
  }
  return out;
}

std::string read_text_file(const std::string& path, Encoding encoding) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw UserError(path + ": no such file");
  if (std::filesystem::is_directory(path, ec)) {
    throw UserError(path + ": is a directory, expected a file (use --format dir for a directory)");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError(path + ": cannot open file for reading");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw UserError(path + ": read error");
  std::string text = buffer.str();
  if (encoding == Encoding::kLatin1) return latin1_to_utf8(text);
  if (const auto bad = find_invalid_utf8(text)) {
    const size_t line_start = text.rfind('\n', *bad == 0 ? 0 : *bad - 1);
    const size_t line = 1 + std::count(text.begin(), text.begin() + *bad, '\n');
    const size_t column =
        line_start == std::string::npos || *bad == 0 ? *bad + 1 : *bad - line_start;
    char byte[8];
    std::snprintf(byte, sizeof(byte), "0x%02x", static_cast<unsigned char>(text[*bad]));
    throw UserError(path + ":" + std::to_string(line) + ": invalid UTF-8 byte " + byte +
                    " at byte offset " + std::to_string(*bad) + " (column " +
                    std::to_string(column) + "); pass --encoding latin-1 if the file is Latin-1");
  }
  if (text.size() >= 3 && text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.erase(0, 3);
  return text;
}

}  // namespace topiary::data
