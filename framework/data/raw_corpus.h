#pragma once
// Labelled text as read from the input files, before tokenization. Every example remembers
// where it came from so later errors (unknown label, ...) can name the file and line.
#include <cstdint>
#include <string>
#include <vector>

namespace topiary::data {

struct RawExample {
  std::string text;
  std::string label;
  int32_t file = 0;  // index into RawCorpus::files
  int64_t line = 0;  // 1-based line where the example starts
};

struct RawCorpus {
  std::vector<std::string> files;  // the input files actually read, in reading order
  std::vector<RawExample> examples;

  std::string where(const RawExample& example) const {
    return files.at(static_cast<size_t>(example.file)) + ":" + std::to_string(example.line);
  }
};

}  // namespace topiary::data
