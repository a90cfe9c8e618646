#include "data/corpus_reader.h"

#include <filesystem>

#include "core/error.h"
#include "io/sha256.h"

namespace topiary::data {

InputFormat parse_input_format(const std::string& name) {
  if (name == "tsv") return InputFormat::kTsv;
  if (name == "csv") return InputFormat::kCsv;
  if (name == "dir") return InputFormat::kDir;
  throw UserError("--format '" + name + "' is not known; valid: tsv, csv, dir");
}

std::string input_format_name(InputFormat format) {
  switch (format) {
    case InputFormat::kTsv:
      return "tsv";
    case InputFormat::kCsv:
      return "csv";
    case InputFormat::kDir:
      return "dir";
  }
  return "?";
}

RawCorpus read_corpus(const std::string& path, const InputOptions& options) {
  if (options.format == InputFormat::kDir) return read_record_dir(path, options.dir);
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
