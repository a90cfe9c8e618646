#pragma once
// Internal to prepare.cpp: the language-model half of `topiary prepare` (--format text).
#include <map>
#include <string>

#include "data/corpus_reader.h"
#include "data/dataset.h"
#include "data/prepare.h"

namespace topiary::data {

// Documents from options.input (and options.valid_path, or a --valid-fraction split by
// documents), tokenized with options.tokenizer; vocabulary from the training documents.
Dataset build_language_model_dataset(const PrepareOptions& options, const InputOptions& input,
                                     PrepareSummary& summary);

// Adds a corpus's skipped-record count and first messages to the summary.
void note_skipped(const RawCorpus& corpus, PrepareSummary& summary);

// The training input and, with --valid and --test, the validation and test inputs, read the same
// way; their skipped records noted in the summary.
struct InputCorpora {
  RawCorpus train;
  RawCorpus valid;              // empty without --valid
  RawCorpus test;               // empty without --test
  bool separate_valid = false;  // --valid given
  bool separate_test = false;   // --test given
  const RawCorpus* valid_or_null() const { return separate_valid ? &valid : nullptr; }
  const RawCorpus* test_or_null() const { return separate_test ? &test : nullptr; }
};
InputCorpora read_input_corpora(const PrepareOptions& options, const InputOptions& input,
                                PrepareSummary& summary);

// Format, tokenizer and count attributes of a language-model dataset (one file or sharded).
void add_language_model_attributes(std::map<std::string, std::string>& attributes,
                                   const PrepareOptions& options, const PrepareSummary& summary,
                                   const std::string& tokenizer);

// Attributes both dataset kinds record the same way: how bad records were handled, the
// vocabulary limits, and the example counts of each split.
void add_shared_prepare_attributes(std::map<std::string, std::string>& attributes,
                                   const PrepareOptions& options, const PrepareSummary& summary);

// Provenance shared by both dataset kinds: train source and checksum, and either the validation
// source and checksum or how the validation split was cut (`split` names the unit).
void add_source_provenance(std::map<std::string, std::string>& attributes,
                           const PrepareOptions& options, const RawCorpus& train_corpus,
                           const RawCorpus* valid_corpus, const std::string& split);

std::string format_language_model_summary(const PrepareSummary& summary);

}  // namespace topiary::data
