#pragma once
// SHA-256 (FIPS 180-4), used to record which input bytes a prepared dataset came from.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace topiary::io {

class Sha256 {
 public:
  Sha256();
  void update(std::string_view bytes);
  // Lower-case hex digest; the object must not be updated afterwards.
  std::string hex_digest();

 private:
  void compress(const unsigned char* block);

  std::array<uint32_t, 8> state_;
  std::array<unsigned char, 64> buffer_;
  size_t buffered_ = 0;
  uint64_t total_bytes_ = 0;
};

std::string sha256_hex(std::string_view bytes);
// Hashes a file's bytes; an unreadable file is a UserError naming it.
std::string sha256_file_hex(const std::string& path);

}  // namespace topiary::io
