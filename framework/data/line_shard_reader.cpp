#include "data/line_shard_reader.h"

#include <cstring>

#include "core/error.h"

namespace topiary::data {
namespace {
constexpr size_t kBufferBytes = size_t{1} << 20;
}

LineShardReader::LineShardReader(std::string path) : path_(std::move(path)) {
  file_ = gzopen(path_.c_str(), "rb");
  if (file_ == nullptr) throw UserError(path_ + ": cannot open for reading");
  gzbuffer(file_, kBufferBytes);
  buffer_.resize(kBufferBytes);
}

LineShardReader::~LineShardReader() {
  if (file_ != nullptr) gzclose(file_);
}

void LineShardReader::seek(int64_t offset) {
  const int64_t buffer_end = buffer_start_ + static_cast<int64_t>(length_);
  if (offset >= buffer_start_ && offset <= buffer_end) {  // already buffered
    position_ = static_cast<size_t>(offset - buffer_start_);
    return;
  }
  if (gzseek(file_, static_cast<z_off_t>(offset), SEEK_SET) < 0) {
    int errnum = Z_OK;
    const char* message = gzerror(file_, &errnum);
    // Seeking past the end of a plain file succeeds; past the end of a gzip stream fails.
    if (errnum != Z_OK && errnum != Z_BUF_ERROR) {
      throw UserError(path_ + ": corrupt gzip data: " + message);
    }
    position_ = length_ = 0;
    buffer_start_ = offset;
    end_of_data_ = true;
    return;
  }
  position_ = length_ = 0;
  buffer_start_ = offset;
  end_of_data_ = false;
}

bool LineShardReader::fill() {
  if (end_of_data_) return false;
  hash_consumed(length_);  // every byte of the buffer has been read
  raw_from_ = 0;
  buffer_start_ += static_cast<int64_t>(length_);
  position_ = length_ = 0;
  const int got = gzread(file_, buffer_.data(), static_cast<unsigned>(buffer_.size()));
  int errnum = Z_OK;
  const char* message = gzerror(file_, &errnum);
  if (got < 0 || (errnum != Z_OK && errnum != Z_STREAM_END)) {
    throw UserError(path_ + ": truncated or corrupt gzip file near decompressed byte " +
                    std::to_string(buffer_start_) + " (" + message + ")");
  }
  if (got == 0) {
    end_of_data_ = true;
    return false;
  }
  length_ = static_cast<size_t>(got);
  return true;
}

int LineShardReader::peek() {
  if (position_ == length_ && !fill()) return -1;
  return static_cast<unsigned char>(buffer_[position_]);
}

bool LineShardReader::read_line(std::string& line, bool& newline) {
  line.clear();
  newline = false;
  if (peek() < 0) return false;
  while (true) {
    const char* begin = buffer_.data() + position_;
    const size_t available = length_ - position_;
    const void* found = std::memchr(begin, '\n', available);
    if (found != nullptr) {
      const size_t n = static_cast<size_t>(static_cast<const char*>(found) - begin);
      line.append(begin, n);
      position_ += n + 1;
      newline = true;
      return true;
    }
    line.append(begin, available);
    position_ = length_;
    if (!fill()) return true;
  }
}

bool LineShardReader::next_line(std::string& spill, std::string_view& line) {
  if (peek() < 0) return false;
  const char* begin = buffer_.data() + position_;
  const void* found = std::memchr(begin, '\n', length_ - position_);
  if (found == nullptr) {
    bool newline = false;
    read_line(spill, newline);
    line = spill;
    return true;
  }
  const auto n = static_cast<size_t>(static_cast<const char*>(found) - begin);
  line = std::string_view(begin, n);
  position_ += n + 1;
  return true;
}

void LineShardReader::hash_consumed(size_t to) {
  if (raw_ != nullptr && to > raw_from_) {
    raw_->update(std::string_view(buffer_.data() + raw_from_, to - raw_from_));
  }
  raw_from_ = to;
}

bool LineShardReader::read_shard(
    int64_t index, int64_t shard_bytes,
    const std::function<void(std::string_view line, int64_t offset)>& on_line, io::Sha256* raw) {
  raw_ = nullptr;
  const int64_t begin = index * shard_bytes;
  const int64_t end = begin + shard_bytes;
  std::string line;
  bool newline = false;
  if (begin == 0) {
    seek(0);
    if (peek() < 0) return false;
  } else {
    // The line that holds byte begin-1 belongs to an earlier shard unless it ended there.
    seek(begin - 1);
    const int previous = peek();
    if (previous < 0) return false;
    ++position_;
    if (peek() < 0) return false;  // the data ends exactly at `begin`
    if (previous != '\n') read_line(line, newline);
  }
  // The raw bytes go to `raw` a buffer at a time (see hash_consumed), not line by line.
  raw_ = raw;
  raw_from_ = position_;
  std::string_view view;
  while (true) {
    const int64_t offset = buffer_start_ + static_cast<int64_t>(position_);
    if (offset >= end || !next_line(line, view)) break;
    on_line(view, offset);
  }
  hash_consumed(position_);
  raw_ = nullptr;
  return true;
}

int64_t LineShardReader::line_number(int64_t offset) {
  LineShardReader again(path_);
  int64_t lines = 1;
  int64_t consumed = 0;
  while (consumed < offset && again.fill()) {
    const auto take = static_cast<size_t>(
        std::min<int64_t>(static_cast<int64_t>(again.length_), offset - consumed));
    for (size_t i = 0; i < take; ++i) lines += again.buffer_[i] == '\n' ? 1 : 0;
    consumed += static_cast<int64_t>(take);
  }
  return lines;
}

}  // namespace topiary::data
