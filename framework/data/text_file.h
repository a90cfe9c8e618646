#pragma once
// Reads a whole input file as UTF-8 text. Every input format goes through here, so encoding
// errors are reported the same way everywhere: "<file>:<line>: invalid UTF-8 byte 0xNN at byte
// offset K (column C)". A leading UTF-8 byte-order mark is dropped.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

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

// Reads `path`, converts it to UTF-8 and validates it. A missing or unreadable file is a
// UserError naming it.
std::string read_text_file(const std::string& path, Encoding encoding);

}  // namespace topiary::data
