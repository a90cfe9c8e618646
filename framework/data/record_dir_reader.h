#pragma once
// The "dir" input format: a directory with one file per class (class name = file name) whose
// records are separated by lines holding only the delimiter, e.g. Debian's fortune files:
//
//   A quote.
//   %
//   Another quote,
//   over two lines.
//   %
//
// Files are taken in sorted name order, filtered by --include / --exclude globs (fnmatch on the
// file name; default: every regular file). Symlinks are followed, but a file reached twice (e.g.
// fortunes' "art.u8 -> art") is read once, under the first name in sorted order. Sub-directories
// and other non-regular entries are skipped. Records with no lines at all (two delimiters in a
// row, a trailing delimiter) are not records; whitespace-only records are kept so that the
// caller counts them as empty.
#include <string>
#include <vector>

#include "data/raw_corpus.h"
#include "data/text_file.h"

namespace topiary::data {

struct RecordDirOptions {
  std::string record_delimiter = "%";
  std::vector<std::string> include;  // globs; empty = all
  std::vector<std::string> exclude;  // globs
  DecodeOptions decode;              // on_bad: a record touching a line with invalid UTF-8
};

// The regular files of `directory` in sorted name order that pass the include/exclude globs,
// symlinked duplicates once. A missing directory or an empty selection is a UserError;
// `what` names the format in that message ("--format dir").
std::vector<std::string> list_input_files(const std::string& directory,
                                          const std::vector<std::string>& include,
                                          const std::vector<std::string>& exclude,
                                          const std::string& what);

// Splits one file's text into records; each record's line is where it starts.
std::vector<RawExample> split_records(const std::string& text, const std::string& delimiter);

// A missing directory, or one where no file passes the filters, is a UserError; so is a
// selection without any record ("<dir>: no examples").
RawCorpus read_record_dir(const std::string& directory, const RecordDirOptions& options);

}  // namespace topiary::data
