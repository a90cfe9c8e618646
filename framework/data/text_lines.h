#pragma once
// The lines of an in-memory text, numbered from 1, each without its '\n' and (unless asked to
// keep it) without a trailing '\r' of a CRLF file. The readers of whole decoded files
// (documents, JSON lines, record folders) walk their text with it.
#include <cstdint>
#include <string_view>

namespace topiary::data {

class TextLines {
 public:
  explicit TextLines(std::string_view text, bool strip_carriage_return = true)
      : text_(text), strip_carriage_return_(strip_carriage_return) {}

  // The next line into `line`; false after the last. A last line without '\n' counts; a
  // final '\n' does not start another line.
  bool next(std::string_view& line) {
    if (position_ >= text_.size()) return false;
    size_t end = text_.find('\n', position_);
    if (end == std::string_view::npos) end = text_.size();
    line = text_.substr(position_, end - position_);
    position_ = end + 1;
    ++number_;
    if (strip_carriage_return_ && !line.empty() && line.back() == '\r') line.remove_suffix(1);
    return true;
  }

  // The number of the line next() gave last (1 for the first).
  int64_t number() const { return number_; }

 private:
  std::string_view text_;
  bool strip_carriage_return_;
  size_t position_ = 0;
  int64_t number_ = 0;
};

}  // namespace topiary::data
