#pragma once
// Reads a whole input file as UTF-8 text. Every input format goes through here, so encoding
// errors are reported the same way everywhere: "<file>:<line>: invalid UTF-8 byte 0xNN at byte
// offset K (column C)". A leading UTF-8 byte-order mark is dropped. A file that starts with the
// gzip magic bytes (1f 8b) is decompressed first, whatever its name.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data/raw_corpus.h"

namespace topiary::data {

enum class Encoding { kUtf8, kLatin1 };

// Accepts utf-8/utf8 and latin-1/latin1/iso-8859-1 (any case); anything else is a UserError
// listing those names.
Encoding parse_encoding(const std::string& name);
std::string encoding_name(Encoding encoding);

// Byte offset of the first byte that is not part of a well-formed UTF-8 sequence
// (overlong forms, surrogates and code points above U+10FFFF are ill-formed), or nullopt.
std::optional<size_t> find_invalid_utf8(std::string_view bytes);
std::string latin1_to_utf8(std::string_view bytes);

// Decompresses a gzip file's bytes (several concatenated members allowed). A truncated or
// corrupt stream is a UserError naming `path`.
std::string gunzip(std::string_view compressed, const std::string& path);

// The file's bytes, decompressed when they start with the gzip magic. A missing or unreadable
// file is a UserError naming it.
std::string read_input_bytes(const std::string& path);

struct DecodedText {
  std::string text;                // UTF-8, BOM dropped
  std::vector<int64_t> bad_lines;  // sorted 1-based lines that held invalid UTF-8 (kSkip only)
  std::string first_error;         // the message kError would have thrown, for the summary

  // Whether any line in [first, last] held invalid UTF-8.
  bool has_bad_line(int64_t first, int64_t last) const;
};

// How every reader decodes its files, and what it does with a record it cannot read (invalid
// UTF-8, a malformed row or JSON value): the same two choices for every input format.
struct DecodeOptions {
  Encoding encoding = Encoding::kUtf8;
  OnBad on_bad = OnBad::kError;
};

// Reads `path`, converts it to UTF-8 and validates it. Under OnBad::kError invalid UTF-8 is a
// UserError; under kSkip each invalid byte becomes U+FFFD and its line is listed in bad_lines,
// so that the reader can skip (and count) the records that touch those lines.
DecodedText read_text(const std::string& path, Encoding encoding, OnBad on_bad);
inline DecodedText read_text(const std::string& path, const DecodeOptions& decode) {
  return read_text(path, decode.encoding, decode.on_bad);
}

// Only whitespace (a line that is no record or document).
bool is_blank(std::string_view text);

// read_text(path, encoding, OnBad::kError).text
std::string read_text_file(const std::string& path, Encoding encoding);

}  // namespace topiary::data
