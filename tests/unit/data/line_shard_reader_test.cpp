// LineShardReader: whatever the shard size, the shards together give every line once, in
// order, with the offset of its first byte, and each shard's raw hash is the SHA-256 of exactly
// the bytes of its lines ('\n' included) -- also for lines longer than the reader's 1 MiB
// buffer, lines that cross a buffer refill, CRLF endings and a last line without '\n'.
#include "data/line_shard_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "io/sha256.h"
#include "test_support.h"

namespace topiary::data {
namespace {

std::string make_text() {
  std::string text;
  for (int i = 0; i < 30000; ++i) {
    text += "line " + std::to_string(i) + std::string(static_cast<size_t>(i % 97), 'x');
    text += i % 5 == 0 ? "\r\n" : "\n";
    if (i == 12345) text += std::string(1500000, 'y') + "\n";  // longer than the buffer
    if (i % 1000 == 0) text += "\n";                           // empty lines
  }
  return text + "no newline at the end";
}

void check_shards(const std::string& path, const std::string& text, int64_t shard_bytes) {
  LineShardReader reader(path);
  int64_t next = 0;  // offset of the next line expected
  for (int64_t index = 0;; ++index) {
    io::Sha256 raw;
    int64_t first = -1;
    const bool exists = reader.read_shard(
        index, shard_bytes,
        [&](std::string_view line, int64_t offset) {
          ASSERT_EQ(offset, next) << "shard " << index;
          ASSERT_EQ(line, std::string_view(text).substr(static_cast<size_t>(offset), line.size()));
          if (first < 0) first = offset;
          next = offset + static_cast<int64_t>(line.size()) + 1;
        },
        &raw);
    if (!exists) break;
    const auto end = std::min<size_t>(static_cast<size_t>(next), text.size());
    const std::string bytes = first < 0 ? "" : text.substr(static_cast<size_t>(first), end - first);
    EXPECT_EQ(raw.hex_digest(), io::sha256_hex(bytes))
        << "shard " << index << " of " << shard_bytes << " bytes";
  }
  EXPECT_EQ(next, static_cast<int64_t>(text.size()) + 1);  // the last line had no '\n'
}

TEST(LineShardReader, ShardsCoverEveryLineOnceWithTheirHash) {
  test::TempDir dir;
  const std::string text = make_text();
  test::write_file(dir / "text.txt", text);
  for (const int64_t shard_bytes :
       {int64_t{1000}, int64_t{65537}, int64_t{1} << 20, int64_t{3} << 20, int64_t{64} << 20}) {
    check_shards(dir / "text.txt", text, shard_bytes);
  }
}

}  // namespace
}  // namespace topiary::data
