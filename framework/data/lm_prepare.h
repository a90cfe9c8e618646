#pragma once
// Internal to prepare.cpp: the language-model half of `topiary prepare` (--format text).
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

std::string format_language_model_summary(const PrepareSummary& summary);

}  // namespace topiary::data
