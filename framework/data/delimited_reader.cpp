#include "data/delimited_reader.h"

#include <algorithm>

#include "core/error.h"

namespace topiary::data {
namespace {

bool is_index(const std::string& spec) {
  return !spec.empty() && spec.size() < 10 &&
         std::all_of(spec.begin(), spec.end(), [](unsigned char c) { return std::isdigit(c); });
}

std::string trim(const std::string& s) {
  const auto not_space = [](unsigned char c) { return !std::isspace(c); };
  auto begin = std::find_if(s.begin(), s.end(), not_space);
  auto end = std::find_if(s.rbegin(), s.rend(), not_space).base();
  return begin < end ? std::string(begin, end) : std::string();
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "'" : ", '") + name + "'";
  return out;
}

size_t resolve_column(const std::string& path, const std::string& spec, const char* role,
                      const std::vector<std::string>* header) {
  if (header) {
    auto it = std::find(header->begin(), header->end(), spec);
    if (it != header->end()) return static_cast<size_t>(it - header->begin());
    if (is_index(spec) && std::stoul(spec) < header->size()) return std::stoul(spec);
    throw UserError(path + ":1: " + role + " column '" + spec +
                    "' is not in the header; the columns are " + join(*header) +
                    " (or a 0-based index below " + std::to_string(header->size()) +
                    "; pass --no-header if the first row is data)");
  }
  if (is_index(spec)) return std::stoul(spec);
  throw UserError(path + ": " + role + " column '" + spec +
                  "' is a name, but the file has no header (--no-header); give a 0-based index");
}

}  // namespace

std::vector<DelimitedRow> split_delimited(const std::string& text, char delimiter, bool quoting,
                                          const std::string& path) {
  std::vector<DelimitedRow> rows;
  DelimitedRow row;
  std::string field;
  bool field_start = true;
  bool row_quoted = false;  // a quoted empty field makes a row non-blank
  int64_t line = 1;
  row.line = 1;
  const size_t n = text.size();
  const auto end_row = [&] {
    row.end_line = line;
    row.fields.push_back(std::move(field));
    field.clear();
    const bool blank = row.fields.size() == 1 && row.fields[0].empty() && !row_quoted;
    if (!blank) rows.push_back(std::move(row));
    row = DelimitedRow{};
    field_start = true;
    row_quoted = false;
  };
  size_t i = 0;
  while (i < n) {
    const char c = text[i];
    if (quoting && field_start && c == '"') {
      const int64_t start_line = line;
      row_quoted = true;
      ++i;
      while (true) {
        if (i >= n) {
          throw UserError(path + ":" + std::to_string(start_line) +
                          ": quoted field is never closed (missing '\"')");
        }
        if (text[i] == '"') {
          if (i + 1 < n && text[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        if (text[i] == '\n') ++line;
        field += text[i++];
      }
      const bool at_end = i >= n || text[i] == delimiter || text[i] == '\n' ||
                          (text[i] == '\r' && (i + 1 == n || text[i + 1] == '\n'));
      if (!at_end) {
        throw UserError(path + ":" + std::to_string(line) + ": unexpected character '" +
                        std::string(1, text[i]) +
                        "' after a closing quote (write \"\" for a "
                        "quote inside a quoted field)");
      }
      field_start = false;
      continue;
    }
    if (c == delimiter) {
      row.fields.push_back(std::move(field));
      field.clear();
      field_start = true;
      ++i;
      continue;
    }
    if (c == '\n' || (c == '\r' && (i + 1 == n || text[i + 1] == '\n'))) {
      i += (c == '\r' && i + 1 < n) ? 2 : 1;
      end_row();
      ++line;
      row.line = line;
      continue;
    }
    field += c;
    field_start = false;
    ++i;
  }
  if (!field.empty() || !row.fields.empty() || row_quoted) end_row();
  return rows;
}

RawCorpus read_delimited(const std::string& path, const DelimitedOptions& options) {
  const DecodedText decoded = read_text(path, options.decode);
  std::vector<DelimitedRow> rows =
      split_delimited(decoded.text, options.delimiter, options.quoting, path);
  const size_t first_data = options.header ? 1 : 0;
  if (rows.size() <= first_data) throw UserError(path + ": no examples");
  if (options.header && decoded.has_bad_line(rows[0].line, rows[0].end_line)) {
    throw UserError(decoded.first_error + " (in the header row, which cannot be skipped)");
  }

  const std::vector<std::string>* header = options.header ? &rows[0].fields : nullptr;
  const size_t text_index = resolve_column(path, options.text_column, "text", header);
  const size_t label_index = resolve_column(path, options.label_column, "label", header);
  const size_t needed = std::max(text_index, label_index) + 1;

  RawCorpus corpus;
  corpus.files.push_back(path);
  corpus.examples.reserve(rows.size() - first_data);
  for (size_t r = first_data; r < rows.size(); ++r) {
    DelimitedRow& row = rows[r];
    const std::string where = path + ":" + std::to_string(row.line) + ": ";
    if (decoded.has_bad_line(row.line, row.end_line)) {
      corpus.reject(options.decode.on_bad, where + "invalid UTF-8 in this row");
      continue;
    }
    if (row.fields.size() < needed) {
      corpus.reject(options.decode.on_bad, where + "row has " + std::to_string(row.fields.size()) +
                                               " field(s), but the text column is field " +
                                               std::to_string(text_index) +
                                               " and the label column is field " +
                                               std::to_string(label_index) + " (0-based)");
      continue;
    }
    std::string label = trim(row.fields[label_index]);
    if (label.empty()) {
      corpus.reject(options.decode.on_bad,
                    where + "empty label in column '" + options.label_column + "'");
      continue;
    }
    corpus.examples.push_back(
        RawExample{std::move(row.fields[text_index]), std::move(label), 0, row.line});
  }
  if (corpus.examples.empty()) {
    throw UserError(path + ": no examples (" + std::to_string(corpus.skipped) +
                    " bad records skipped)");
  }
  return corpus;
}

}  // namespace topiary::data
