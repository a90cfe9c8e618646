#pragma once
// Reads a text file (gzip-compressed or not, through zlib's gz* functions, which pass plain
// files through) in fixed-size byte shards, so that any number of ranks can split the work
// the same way: shard i holds every line whose FIRST byte lies in
// [i * shard_bytes, (i + 1) * shard_bytes) of the decompressed bytes. A line that straddles a
// boundary belongs to the shard it starts in, so the shards together hold every line exactly
// once, whatever the rank count. Plain files seek; gzip files decompress forward.
#include <zlib.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "io/sha256.h"

namespace topiary::data {

class LineShardReader {
 public:
  explicit LineShardReader(std::string path);
  ~LineShardReader();
  LineShardReader(const LineShardReader&) = delete;
  LineShardReader& operator=(const LineShardReader&) = delete;

  // Calls on_line(line, offset) for every line of shard `index`, in order: the line without its
  // '\n', and the offset of its first byte. Every raw byte of those lines ('\n' included) also
  // goes to `raw` when given. Returns false, calling nothing, when the shard starts at or past
  // the end of the data. A truncated or corrupt gzip stream is a UserError naming the file.
  bool read_shard(int64_t index, int64_t shard_bytes,
                  const std::function<void(std::string_view line, int64_t offset)>& on_line,
                  io::Sha256* raw = nullptr);

  // 1-based number of the line that starts at `offset` (counts the newlines before it by
  // reading the file again: for error messages only).
  int64_t line_number(int64_t offset);

 private:
  void seek(int64_t offset);
  bool fill();
  int peek();
  // The rest of the current line; false at the end of the data.
  bool read_line(std::string& line, bool& newline);
  // The same line as a view: of the buffer when the line (and its '\n') lies inside it, the
  // common case, which copies nothing; else of `spill`, where it is assembled. The view lasts
  // until the next read.
  bool next_line(std::string& spill, std::string_view& line);
  // Passes buffer_[raw_from_, to) to raw_ (when set) and moves raw_from_ to `to`: read_shard
  // hashes the bytes it consumed in large pieces, one per buffer fill.
  void hash_consumed(size_t to);

  std::string path_;
  gzFile file_ = nullptr;
  std::vector<char> buffer_;
  size_t position_ = 0;       // next unread byte in buffer_
  size_t length_ = 0;         // valid bytes in buffer_
  int64_t buffer_start_ = 0;  // decompressed offset of buffer_[0]
  bool end_of_data_ = false;
  io::Sha256* raw_ = nullptr;  // read_shard's `raw` while it reads lines
  size_t raw_from_ = 0;        // first byte of buffer_ not yet passed to raw_
};

}  // namespace topiary::data
