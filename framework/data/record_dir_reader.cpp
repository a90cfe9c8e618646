#include "data/record_dir_reader.h"

#include <fnmatch.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "core/error.h"
#include "data/text_lines.h"

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
  TextLines lines(text);
  std::string_view line;
  while (lines.next(line)) {
    const int64_t line_number = lines.number();
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

std::vector<std::string> list_input_files(const std::string& directory,
                                          const std::vector<std::string>& include,
                                          const std::vector<std::string>& exclude,
                                          const std::string& what) {
  std::error_code ec;
  if (!fs::is_directory(directory, ec)) {
    throw UserError(directory + ": not a directory (" + what + " reads a directory of files)");
  }
  std::vector<fs::path> entries;
  for (const fs::directory_entry& entry : fs::directory_iterator(directory, ec)) {
    entries.push_back(entry.path());
  }
  if (ec) throw UserError(directory + ": cannot list directory: " + ec.message());
  std::sort(entries.begin(), entries.end(),
            [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });
  std::vector<std::string> files;
  std::set<fs::path> seen;  // canonical targets, so symlinked duplicates count once
  for (const fs::path& entry : entries) {
    const std::string name = entry.filename().string();
    if (!include.empty() && !matches_any(include, name)) continue;
    if (matches_any(exclude, name)) continue;
    if (!fs::is_regular_file(entry, ec)) continue;  // follows symlinks; skips dirs, broken links
    const fs::path target = fs::canonical(entry, ec);
    if (ec || !seen.insert(target).second) continue;
    files.push_back(entry.string());
  }
  if (files.empty()) throw UserError(directory + ": no regular file passes --include/--exclude");
  return files;
}

RawCorpus read_record_dir(const std::string& directory, const RecordDirOptions& options) {
  if (options.record_delimiter.empty() ||
      options.record_delimiter.find('\n') != std::string::npos) {
    throw UserError("--record-delimiter must be a non-empty single line, got '" +
                    options.record_delimiter + "'");
  }
  RawCorpus corpus;
  for (const std::string& path : list_input_files(directory, options.include, options.exclude,
                                                  "--format dir, one class per file,")) {
    const std::string name = fs::path(path).filename().string();
    const DecodedText decoded = read_text(path, options.decode);
    std::vector<RawExample> records = split_records(decoded.text, options.record_delimiter);
    const auto file_index = static_cast<int32_t>(corpus.files.size());
    corpus.files.push_back(path);
    for (RawExample& record : records) {
      const auto last_line = record.line + static_cast<int64_t>(std::count(
                                               record.text.begin(), record.text.end(), '\n'));
      if (decoded.has_bad_line(record.line, last_line)) {
        corpus.reject(options.decode.on_bad,
                      path + ":" + std::to_string(record.line) + ": invalid UTF-8 in this record");
        continue;
      }
      record.label = name;
      record.file = file_index;
      corpus.examples.push_back(std::move(record));
    }
  }
  if (corpus.examples.empty()) throw UserError(directory + ": no examples");
  return corpus;
}

}  // namespace topiary::data
