#pragma once
// TSV and CSV input.
//
// CSV follows RFC 4180: fields separated by ',', a field may be quoted with '"', a quote inside
// a quoted field is written '""', and quoted fields may span lines. A quote inside an unquoted
// field is kept literally. TSV is plain: fields are separated by tabs and never quoted (GLUE
// files contain bare quotes). Both accept LF or CRLF line ends; blank lines are skipped.
//
// Header rule (explicit, no guessing): the first row is a header unless `header` is false
// (--no-header). A column is chosen by a name in the header; failing that, a non-negative
// integer is a 0-based index. Without a header, columns must be indices.
#include <cstdint>
#include <string>
#include <vector>

#include "data/raw_corpus.h"
#include "data/text_file.h"

namespace topiary::data {

struct DelimitedRow {
  std::vector<std::string> fields;
  int64_t line = 0;      // 1-based line where the row starts
  int64_t end_line = 0;  // 1-based line where it ends (> line for multi-line quoted fields)
};

// Splits text into rows. `quoting` enables RFC 4180 quotes. An unterminated quoted field or
// text after a closing quote is a UserError naming `path` and the line.
std::vector<DelimitedRow> split_delimited(const std::string& text, char delimiter, bool quoting,
                                          const std::string& path);

struct DelimitedOptions {
  char delimiter = '\t';
  bool quoting = false;
  bool header = true;
  std::string text_column = "sentence";
  std::string label_column = "label";
  DecodeOptions decode;
};

// Reads one TSV/CSV file into a corpus. A file without data rows is a UserError
// "<file>: no examples"; a missing column names the columns that exist. Bad records (a short
// row, naming its line and field count; an empty label; invalid UTF-8) go through
// RawCorpus::reject, so --on-bad skip leaves them out and counts them.
RawCorpus read_delimited(const std::string& path, const DelimitedOptions& options);

}  // namespace topiary::data
