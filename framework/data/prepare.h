#pragma once
// `topiary prepare`: read labelled text (or, with format "text", plain documents for a language
// model), split it, tokenize it, build the vocabulary from the training split and store the
// result with write_dataset (see dataset.h for the file layout).
#include <cstdint>
#include <string>
#include <vector>

#include "data/dataset.h"

namespace topiary::data {

struct PrepareOptions {
  std::string input;
  std::string format = "tsv";  // tsv, csv, dir, jsonl (classification); text (language model)
  std::string output;

  // tsv / csv: header name or 0-based index; jsonl: field name or dotted path ("meta.label").
  // Empty = the format's default: "sentence" (tsv/csv) or "text" (jsonl); "label".
  std::string text_column;
  std::string label_column;
  bool header = true;
  // dir
  std::string record_delimiter = "%";
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  // text: one document per file of the --input directory (include/exclude apply), not per line
  bool document_per_file = false;
  // any format: drop classes with fewer training records (0 = keep all)
  int64_t min_records = 0;
  std::string encoding = "utf-8";
  std::string on_bad = "error";  // "skip": leave out (and count) bad records instead

  // Validation split: a separate input in the same format, or a seeded random fraction.
  std::string valid_path;
  double valid_fraction = 0.1;  // used when valid_path is empty
  uint64_t seed = 1;
  // Test split (held out for reporting; classification only): a separate input in the same
  // format, or a seeded fraction of --input carved before the validation split. Neither: no
  // test split, and the train/valid split is the same as without these options.
  std::string test_path;
  double test_fraction = 0.0;

  // Tokenizer and vocabulary. Classification: word, sentencepiece or wordpiece; text: char,
  // byte, word or sentencepiece.
  std::string tokenizer = "word";
  bool lowercase = true;  // word tokenizer only
  int64_t min_frequency = 1;
  int64_t max_vocab = 0;  // 0 = unlimited; counts <pad> and <unk>
  // Tokens kept per example (classification; [CLS] and [SEP] included); 0 = all, or for
  // wordpiece the tokenizer.json's truncation length when it sets one.
  int64_t max_length = 0;
  // --tokenizer wordpiece: a BERT tokenizer.json, or a folder holding one (the vocabulary).
  std::string vocab;

  // --format text: inputs larger than this are prepared in shards, in parallel under MPI
  // (sharded_prepare.h); smaller ones give one dataset file.
  double shard_mb = 32;

  // --tokenizer sentencepiece: train a model on the training split, or load --sp-model.
  std::string sp_model_type = "bpe";  // bpe or unigram
  int64_t sp_vocab_size = 8000;
  std::string sp_model;
  double sp_character_coverage = 0.9995;

  // Classification: exactly these classes in this order (any other label is an error);
  // empty = the labels found in the training data.
  std::vector<std::string> labels;
};

struct PrepareSummary {
  std::string output;
  std::string kind = kClassificationKind;
  int64_t train_examples = 0;
  int64_t valid_examples = 0;
  int64_t test_examples = 0;  // 0: no test split
  int64_t vocabulary_size = 0;
  std::vector<std::string> label_names;
  std::vector<int64_t> train_label_counts;   // per label_names entry
  int64_t dropped_empty = 0;                 // examples with no tokens, both splits
  std::vector<std::string> dropped_classes;  // fewer than min_records records
  int64_t dropped_class_records = 0;         // records of those classes, both splits
  int64_t truncated_examples = 0;            // cut to max_length
  int64_t valid_unknown_tokens = 0;          // valid tokens mapped to <unk>
  int64_t valid_tokens = 0;
  int64_t train_tokens = 0;
  int64_t skipped_bad_records = 0;            // --on-bad skip, both splits
  std::vector<std::string> skipped_messages;  // the first few, "<file>:<line>: why"
  int64_t shards = 0;                         // shard files behind a manifest; 0 = one dataset file
  int ranks = 1;                              // ranks that prepared it
  bool up_to_date = false;  // a sharded rerun found the same inputs and options: wrote nothing
};

struct SentencePieceOptions;
struct RawExample;
SentencePieceOptions sentencepiece_options(const PrepareOptions& options);
// The serialised SentencePiece model for a prepare run: trained on the texts of `examples` (the
// training split), or read from --sp-model.
std::string sentencepiece_model_for(const std::vector<const RawExample*>& examples,
                                    const PrepareOptions& options);

// The test-split options are valid together (a fraction in [0, 1), for classification only);
// otherwise a UserError naming the option.
void check_test_split_options(const PrepareOptions& options, bool language_model);

// Reads, splits and tokenizes; writes nothing. Every input problem is a UserError naming the
// file (and line where there is one). Fills `summary` when given.
Dataset build_dataset(const PrepareOptions& options, PrepareSummary* summary = nullptr);

// build_dataset + write_dataset(options.output).
PrepareSummary prepare_dataset(const PrepareOptions& options);

// A few human-readable lines for the CLI.
std::string format_summary(const PrepareSummary& summary);

}  // namespace topiary::data
