#pragma once
// Replace-on-commit output: the content is written to "<path>.tmp.<pid>" and renamed over
// <path> only once it is complete and flushed, so a reader (or a crash) sees either the previous
// file or the new one, never a half-written file. Destroying an uncommitted AtomicFile removes
// the temporary file and leaves <path> untouched.
#include <string>

namespace topiary::io {

class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  const std::string& path() const { return path_; }
  // Where the caller writes. The caller must have closed it before commit().
  const std::string& temp_path() const { return temp_path_; }

  // fsyncs the temporary file, renames it over path() and fsyncs the directory.
  // Failure is a UserError naming the path and the system error.
  void commit();

 private:
  std::string path_;
  std::string temp_path_;
  bool committed_ = false;
};

}  // namespace topiary::io
