#pragma once
// Labelled text as read from the input files, before tokenization. Every example remembers
// where it came from so later errors (unknown label, ...) can name the file and line.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"

namespace topiary::data {

// What a reader does with a record it cannot use (invalid UTF-8, bad JSON, a missing field, a
// short row): stop with a UserError (--on-bad error, the default) or leave the record out and
// count it (--on-bad skip). Errors that make the rest of the file unreadable (an unterminated
// quote, a truncated gzip stream) stop in either mode.
enum class OnBad { kError, kSkip };

struct RawExample {
  std::string text;
  std::string label;
  int32_t file = 0;  // index into RawCorpus::files
  int64_t line = 0;  // 1-based line where the example starts
};

struct RawCorpus {
  std::vector<std::string> files;  // the input files actually read, in reading order
  std::vector<RawExample> examples;
  // Records left out under OnBad::kSkip, and the messages of the first few of them.
  int64_t skipped = 0;
  std::vector<std::string> skipped_messages;
  static constexpr size_t kMaxSkippedMessages = 5;

  // A bad record: throws UserError(message) under kError, else counts it.
  void reject(OnBad on_bad, std::string message) {
    if (on_bad == OnBad::kError) throw UserError(message);
    ++skipped;
    if (skipped_messages.size() < kMaxSkippedMessages) {
      skipped_messages.push_back(std::move(message));
    }
  }

  std::string where(const RawExample& example) const {
    return files.at(static_cast<size_t>(example.file)) + ":" + std::to_string(example.line);
  }
};

}  // namespace topiary::data
