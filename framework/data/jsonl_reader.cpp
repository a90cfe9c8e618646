#include "data/jsonl_reader.h"

#include <nlohmann/json.hpp>

#include <string_view>

#include "core/error.h"
#include "data/text_lines.h"

namespace topiary::data {
namespace {

using nlohmann::json;

std::string keys_of(const json& object) {
  std::string out;
  for (const auto& item : object.items()) out += (out.empty() ? "'" : ", '") + item.key() + "'";
  return out.empty() ? "none" : out;
}

// The value at `path`, or an error message saying which part is missing.
const json* find_field(const json& root, const std::string& path, std::string& error) {
  if (const auto it = root.find(path); it != root.end()) return &*it;
  const json* node = &root;
  std::string walked;
  size_t start = 0;
  while (true) {
    const size_t dot = path.find('.', start);
    const std::string key = path.substr(start, dot == std::string::npos ? dot : dot - start);
    if (!node->is_object()) {
      error = "'" + walked + "' is " + std::string(node->type_name()) + ", not an object";
      return nullptr;
    }
    const auto it = node->find(key);
    if (it == node->end()) {
      error = "no field '" + path + "'" +
              (walked.empty() ? "" : " ('" + walked + "' has no key '" + key + "')") + "; keys " +
              (walked.empty() ? "" : "of '" + walked + "' ") + "are " + keys_of(*node);
      return nullptr;
    }
    walked += (walked.empty() ? "" : ".") + key;
    node = &*it;
    if (dot == std::string::npos) return node;
    start = dot + 1;
  }
}

}  // namespace

RawCorpus read_jsonl(const std::string& path, const JsonlOptions& options) {
  if (options.text_column.empty()) throw UserError("--text-column must not be empty for jsonl");
  const DecodedText decoded = read_text(path, options.decode);
  RawCorpus corpus;
  corpus.files.push_back(path);
  // A CR of a CRLF line stays: JSON reads it as white space, and error columns stay exact.
  TextLines lines(decoded.text, /*strip_carriage_return=*/false);
  std::string_view line;
  while (lines.next(line)) {
    const int64_t line_number = lines.number();
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    const std::string where = path + ":" + std::to_string(line_number) + ": ";
    if (decoded.has_bad_line(line_number, line_number)) {
      corpus.reject(options.decode.on_bad, where + "invalid UTF-8 in this record");
      continue;
    }
    json record;
    try {
      record = json::parse(line);
    } catch (const json::parse_error& e) {
      // e.byte is 1-based within the line.
      corpus.reject(options.decode.on_bad,
                    where + "invalid JSON at column " + std::to_string(e.byte) + ": " + e.what());
      continue;
    } catch (const json::exception& e) {
      // Well-formed but unrepresentable, e.g. a number beyond double range (1e999): found by
      // tsv_csv_fuzzer (regression input tests/data/fuzz/tsv_csv_fuzzer/jsonl_number_overflow).
      corpus.reject(options.decode.on_bad, where + "unreadable JSON value: " + e.what());
      continue;
    }
    if (!record.is_object()) {
      corpus.reject(options.decode.on_bad,
                    where + "expected a JSON object, got " + std::string(record.type_name()));
      continue;
    }
    std::string error;
    const json* text_value = find_field(record, options.text_column, error);
    if (!text_value) {
      corpus.reject(options.decode.on_bad, where + "text " + error + " (--text-column)");
      continue;
    }
    if (!text_value->is_string()) {
      corpus.reject(options.decode.on_bad, where + "text field '" + options.text_column + "' is " +
                                               std::string(text_value->type_name()) +
                                               ", expected a string");
      continue;
    }
    RawExample example{text_value->get<std::string>(), "", 0, line_number};
    if (!options.label_column.empty()) {
      const json* label = find_field(record, options.label_column, error);
      if (!label) {
        corpus.reject(options.decode.on_bad, where + "label " + error + " (--label-column)");
        continue;
      }
      if (label->is_string()) {
        example.label = label->get<std::string>();
      } else if (label->is_number_integer() || label->is_boolean()) {
        example.label = label->dump();
      } else {
        corpus.reject(options.decode.on_bad, where + "label field '" + options.label_column +
                                                 "' is " + std::string(label->type_name()) +
                                                 ", expected a string, an integer or a boolean");
        continue;
      }
      if (example.label.empty()) {
        corpus.reject(options.decode.on_bad,
                      where + "empty label in field '" + options.label_column + "'");
        continue;
      }
    }
    corpus.examples.push_back(std::move(example));
  }
  if (corpus.examples.empty()) {
    throw UserError(path + ": no examples (" + std::to_string(corpus.skipped) +
                    " bad records skipped)");
  }
  return corpus;
}

}  // namespace topiary::data
