#include "io/sha256.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "../test_data_dir.h"
#include "core/error.h"

namespace topiary::io {
namespace {

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, IncrementalEqualsOneShot) {
  const std::string million(1000000, 'a');
  Sha256 hash;
  for (size_t i = 0; i < million.size(); i += 997)
    hash.update(std::string_view(million).substr(i, 997));
  EXPECT_EQ(hash.hex_digest(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, FileMatchesPublishedChecksum) {
  const std::string path = test::data_file("sst2/dev.tsv");
  ASSERT_FALSE(HasFailure());
  EXPECT_EQ(sha256_file_hex(path),
            "54a9c12c77e402fc14d6a66a506f24d999f596b0176eb777c972cccc2f9cc4b0");
  EXPECT_THROW(sha256_file_hex("/nonexistent/file"), UserError);
}

}  // namespace
}  // namespace topiary::io
