#pragma once
// Picks the reader for an input format and hashes what was read, for provenance.
#include <string>

#include "data/delimited_reader.h"
#include "data/document_reader.h"
#include "data/jsonl_reader.h"
#include "data/raw_corpus.h"
#include "data/record_dir_reader.h"

namespace topiary::data {

enum class InputFormat { kTsv, kCsv, kDir, kJsonl, kText };

// "tsv", "csv", "dir", "jsonl" or "text"; anything else is a UserError listing those.
InputFormat parse_input_format(const std::string& name);
std::string input_format_name(InputFormat format);

struct InputOptions {
  InputFormat format = InputFormat::kTsv;
  // For tsv/csv; delimiter and quoting are set from `format` by read_corpus.
  DelimitedOptions delimited;
  RecordDirOptions dir;  // for dir
  JsonlOptions jsonl;    // for jsonl
  DocumentOptions text;  // for text (language-model documents, no labels)
};

// "error" or "skip"; anything else is a UserError listing them.
OnBad parse_on_bad(const std::string& name);

RawCorpus read_corpus(const std::string& path, const InputOptions& options);

// sha256 of the single file read, or, for several files, of the manifest
// "<sha256>  <file name>\n" over the files in reading order (the format of sha256sum).
std::string corpus_sha256(const RawCorpus& corpus);

}  // namespace topiary::data
