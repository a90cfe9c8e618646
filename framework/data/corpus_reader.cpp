#include "data/corpus_reader.h"

#include <filesystem>

#include "core/error.h"
#include "io/sha256.h"

namespace topiary::data {

InputFormat parse_input_format(const std::string& name) {
  if (name == "tsv") return InputFormat::kTsv;
  if (name == "csv") return InputFormat::kCsv;
  if (name == "dir") return InputFormat::kDir;
  if (name == "jsonl") return InputFormat::kJsonl;
  if (name == "text") return InputFormat::kText;
  throw UserError("--format '" + name + "' is not known; valid: tsv, csv, dir, jsonl, text");
}

std::string input_format_name(InputFormat format) {
  switch (format) {
    case InputFormat::kTsv:
      return "tsv";
    case InputFormat::kCsv:
      return "csv";
    case InputFormat::kDir:
      return "dir";
    case InputFormat::kJsonl:
      return "jsonl";
    case InputFormat::kText:
      return "text";
  }
  return "?";
}

OnBad parse_on_bad(const std::string& name) {
  if (name == "error") return OnBad::kError;
  if (name == "skip") return OnBad::kSkip;
  throw UserError("--on-bad '" + name + "' is not known; valid: error, skip");
}

RawCorpus read_corpus(const std::string& path, const InputOptions& options) {
  if (options.format == InputFormat::kDir) return read_record_dir(path, options.dir);
  if (options.format == InputFormat::kJsonl) return read_jsonl(path, options.jsonl);
  if (options.format == InputFormat::kText) return read_documents(path, options.text);
  DelimitedOptions delimited = options.delimited;
  delimited.delimiter = options.format == InputFormat::kCsv ? ',' : '\t';
  delimited.quoting = options.format == InputFormat::kCsv;
  return read_delimited(path, delimited);
}

std::string corpus_sha256(const RawCorpus& corpus) {
  if (corpus.files.size() == 1) return io::sha256_file_hex(corpus.files[0]);
  std::string manifest;
  for (const std::string& file : corpus.files) {
    manifest +=
        io::sha256_file_hex(file) + "  " + std::filesystem::path(file).filename().string() + "\n";
  }
  return io::sha256_hex(manifest);
}

}  // namespace topiary::data
