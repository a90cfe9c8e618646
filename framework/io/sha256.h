#pragma once
// SHA-256 (FIPS 180-4), used to record which input bytes a prepared dataset came from.
// OpenSSL's implementation: it uses the CPU's SHA instructions where there are any, several
// times faster than portable code, and `topiary prepare` hashes every input byte.
#include <memory>
#include <string>
#include <string_view>

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX

namespace topiary::io {

class Sha256 {
 public:
  Sha256();
  void update(std::string_view bytes);
  // Lower-case hex digest; the object must not be updated afterwards.
  std::string hex_digest();

 private:
  struct Free {
    void operator()(evp_md_ctx_st* context) const;
  };
  std::unique_ptr<evp_md_ctx_st, Free> context_;
};

std::string sha256_hex(std::string_view bytes);
// Hashes a file's bytes; an unreadable file is a UserError naming it.
std::string sha256_file_hex(const std::string& path);

}  // namespace topiary::io
