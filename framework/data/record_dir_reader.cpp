#include "data/record_dir_reader.h"

#include <fnmatch.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "core/error.h"

namespace topiary::data {
namespace {

namespace fs = std::filesystem;

bool matches_any(const std::vector<std::string>& globs, const std::string& name) {
  return std::any_of(globs.begin(), globs.end(), [&](const std::string& glob) {
    return fnmatch(glob.c_str(), name.c_str(), 0) == 0;
  });
}

}  // namespace

std::vector<RawExample> split_records(const std::string& text, const std::string& delimiter) {
  std::vector<RawExample> records;
  RawExample current;
  bool has_lines = false;
  int64_t line_number = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    ++line_number;
    pos = end + 1;
    if (line == delimiter) {
      if (has_lines) records.push_back(std::move(current));
      current = RawExample{};
      has_lines = false;
      continue;
    }
    if (!has_lines) {
      current.line = line_number;
      has_lines = true;
    } else {
      current.text += '\n';
    }
    current.text.append(line);
  }
  if (has_lines) records.push_back(std::move(current));
  return records;
}

RawCorpus read_record_dir(const std::string& directory, const RecordDirOptions& options) {
  std::error_code ec;
  if (!fs::is_directory(directory, ec)) {
    throw UserError(directory +
                    ": not a directory (--format dir reads a directory of files, "
                    "one class per file)");
  }
  if (options.record_delimiter.empty() ||
      options.record_delimiter.find('\n') != std::string::npos) {
    throw UserError("--record-delimiter must be a non-empty single line, got '" +
                    options.record_delimiter + "'");
  }
  std::vector<fs::path> entries;
  for (const fs::directory_entry& entry : fs::directory_iterator(directory, ec)) {
    entries.push_back(entry.path());
  }
  if (ec) throw UserError(directory + ": cannot list directory: " + ec.message());
  std::sort(entries.begin(), entries.end(),
            [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });

  RawCorpus corpus;
  std::set<fs::path> seen;  // canonical targets, so symlinked duplicates count once
  for (const fs::path& entry : entries) {
    const std::string name = entry.filename().string();
    if (!options.include.empty() && !matches_any(options.include, name)) continue;
    if (matches_any(options.exclude, name)) continue;
    if (!fs::is_regular_file(entry, ec)) continue;  // follows symlinks; skips dirs, broken links
    const fs::path target = fs::canonical(entry, ec);
    if (ec || !seen.insert(target).second) continue;

    const std::string path = entry.string();
    std::vector<RawExample> records =
        split_records(read_text_file(path, options.encoding), options.record_delimiter);
    const auto file_index = static_cast<int32_t>(corpus.files.size());
    corpus.files.push_back(path);
    for (RawExample& record : records) {
      record.label = name;
      record.file = file_index;
      corpus.examples.push_back(std::move(record));
    }
  }
  if (corpus.files.empty()) {
    throw UserError(directory + ": no regular file passes --include/--exclude");
  }
  if (corpus.examples.empty()) throw UserError(directory + ": no examples");
  return corpus;
}

}  // namespace topiary::data
