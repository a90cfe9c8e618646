#include "data/text_file.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <zlib.h>

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

namespace {
// None of the 8 bytes at p has its high bit set.
bool all_ascii8(const unsigned char* p) {
  uint64_t word;
  std::memcpy(&word, p, sizeof word);
  return (word & 0x8080808080808080ull) == 0;
}
}  // namespace

std::optional<size_t> find_invalid_utf8(std::string_view bytes) {
  const auto* s = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size();
  size_t i = 0;
  while (i < n) {
    while (i + 8 <= n && all_ascii8(s + i)) i += 8;  // most text is ASCII: 8 bytes at a time
    if (i == n) break;
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

std::string gunzip(std::string_view compressed, const std::string& path) {
  std::string out;
  z_stream stream{};
  // 16 + MAX_WBITS: gzip header and trailer (CRC and length are checked by zlib).
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) {
    throw UserError(path + ": cannot initialise zlib");
  }
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  char buffer[1 << 16];
  int status = Z_OK;
  while (true) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof(buffer);
    status = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer, sizeof(buffer) - stream.avail_out);
    if (status == Z_STREAM_END) {
      if (stream.avail_in == 0) break;
      inflateReset(&stream);  // another gzip member follows (e.g. `cat a.gz b.gz`)
      continue;
    }
    if (status == Z_OK) continue;
    if (status == Z_BUF_ERROR && stream.avail_in == 0) {
      inflateEnd(&stream);
      throw UserError(path + ": truncated gzip file: the compressed data ends after " +
                      std::to_string(compressed.size()) + " bytes, before the end of the stream (" +
                      std::to_string(out.size()) + " bytes decompressed); was the copy cut short?");
    }
    const std::string message = stream.msg ? stream.msg : "error " + std::to_string(status);
    inflateEnd(&stream);
    throw UserError(path + ": corrupt gzip file at compressed byte " +
                    std::to_string(compressed.size() - stream.avail_in) + ": " + message);
  }
  inflateEnd(&stream);
  return out;
}

std::string read_input_bytes(const std::string& path) {
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
  std::string bytes = buffer.str();
  if (bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
      static_cast<unsigned char>(bytes[1]) == 0x8b) {
    return gunzip(bytes, path);
  }
  return bytes;
}

bool is_blank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n\f\v") == std::string_view::npos;
}

bool DecodedText::has_bad_line(int64_t first, int64_t last) const {
  const auto it = std::lower_bound(bad_lines.begin(), bad_lines.end(), first);
  return it != bad_lines.end() && *it <= last;
}

namespace {

std::string invalid_utf8_message(const std::string& path, const std::string& text, size_t bad,
                                 size_t line, size_t line_start) {
  char byte[8];
  std::snprintf(byte, sizeof(byte), "0x%02x", static_cast<unsigned char>(text[bad]));
  return path + ":" + std::to_string(line) + ": invalid UTF-8 byte " + byte + " at byte offset " +
         std::to_string(bad) + " (column " + std::to_string(bad - line_start + 1) +
         "); pass --encoding latin-1 if the file is Latin-1, or --on-bad skip to leave such "
         "records out";
}

}  // namespace

DecodedText read_text(const std::string& path, Encoding encoding, OnBad on_bad) {
  DecodedText result;
  std::string text = read_input_bytes(path);
  if (encoding == Encoding::kLatin1) {
    result.text = latin1_to_utf8(text);
    return result;
  }
  size_t done = 0;  // bytes of `text` already checked and copied
  size_t line = 1, line_start = 0;
  while (const auto found = find_invalid_utf8(std::string_view(text).substr(done))) {
    const size_t bad = done + *found;
    for (size_t i = done; i < bad; ++i) {
      if (text[i] == '\n') ++line, line_start = i + 1;
    }
    const std::string message = invalid_utf8_message(path, text, bad, line, line_start);
    if (on_bad == OnBad::kError) throw UserError(message);
    if (result.first_error.empty()) result.first_error = message;
    if (result.bad_lines.empty() || result.bad_lines.back() != static_cast<int64_t>(line)) {
      result.bad_lines.push_back(static_cast<int64_t>(line));
    }
    if (result.text.empty()) result.text.reserve(text.size());
    result.text.append(text, done, bad - done);
    result.text += "\xEF\xBF\xBD";  // U+FFFD
    done = bad + 1;
  }
  if (result.bad_lines.empty()) {
    result.text = std::move(text);
  } else {
    result.text.append(text, done, std::string::npos);
  }
  if (result.text.size() >= 3 && result.text.compare(0, 3, "\xEF\xBB\xBF") == 0) {
    result.text.erase(0, 3);
  }
  return result;
}

std::string read_text_file(const std::string& path, Encoding encoding) {
  return read_text(path, encoding, OnBad::kError).text;
}

}  // namespace topiary::data
