#include "io/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "core/error.h"

namespace topiary::io {
namespace {

std::string system_error_text() { return std::strerror(errno); }

void fsync_path(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags);
  if (fd < 0) return;  // Best effort: the rename is what makes the write atomic.
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

AtomicFile::AtomicFile(std::string path)
    : path_(std::move(path)), temp_path_(path_ + ".tmp." + std::to_string(::getpid())) {}

AtomicFile::~AtomicFile() {
  if (!committed_) std::remove(temp_path_.c_str());
}

void AtomicFile::commit() {
  TOPIARY_ASSERT(!committed_, "AtomicFile committed twice: " + path_);
  fsync_path(temp_path_, O_RDONLY);
  if (std::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    throw UserError(path_ + ": cannot replace the file with " + temp_path_ + ": " +
                    system_error_text());
  }
  committed_ = true;
  std::filesystem::path parent = std::filesystem::path(path_).parent_path();
  fsync_path(parent.empty() ? "." : parent.string(), O_RDONLY | O_DIRECTORY);
}

}  // namespace topiary::io
