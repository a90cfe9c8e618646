// topiary prepare: labelled text (tsv, csv, jsonl, or a directory with one file per class), or
// plain text for a language model (--format text) -> a tokenized HDF5 dataset for `topiary train`.
// All the work is in data/prepare.h; this file only maps flags onto PrepareOptions.
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "cli/commands.h"
#include "comm/agree.h"
#include "comm/mpi_communicator.h"
#include "core/error.h"
#include "data/prepare.h"
#include "data/sharded_prepare.h"

namespace topiary::cli {

namespace {

void add_input_output_options(CLI::App* cmd, data::PrepareOptions& options) {
  cmd->add_option("--input", options.input,
                  "Training data: a file (tsv, csv, jsonl, text; gzip is detected and read) or a "
                  "directory (dir, text --document-per-file)")
      ->required();
  cmd->add_option("--format", options.format,
                  "tsv (plain tabs), csv (RFC 4180 quoting), jsonl (one JSON object per line), "
                  "dir (one file per class, records separated by --record-delimiter lines); "
                  "text: language-model documents, one per line (or --document-per-file)")
      ->capture_default_str();
  cmd->add_option("--output", options.output, "Dataset file to write (HDF5, replaced atomically)")
      ->required();
}

// How records are read from the input: columns, fields, encoding, bad records.
void add_record_options(CLI::App* cmd, data::PrepareOptions& options) {
  cmd->add_option("--text-column", options.text_column,
                  "tsv/csv: text column, a header name or a 0-based index (default sentence); "
                  "jsonl: a field name or dotted path like meta.text (default text)");
  cmd->add_option("--label-column", options.label_column,
                  "tsv/csv: label column, a header name or a 0-based index; jsonl: a field "
                  "name or dotted path like meta.label (default label)");
  cmd->add_flag("--header,!--no-header", options.header,
                "tsv/csv: the first row is a header (default) or data (--no-header; columns "
                "must then be indices)");
  cmd->add_option("--encoding", options.encoding, "Input encoding: utf-8 or latin-1")
      ->capture_default_str();
  cmd->add_option("--on-bad", options.on_bad,
                  "A bad record (invalid UTF-8, bad JSON, missing field, short row): error, or "
                  "skip it and count it in the summary")
      ->check(CLI::IsMember({"error", "skip"}))
      ->capture_default_str();
  cmd->add_flag("--document-per-file", options.document_per_file,
                "text: --input is a directory and each file is one document (--include/"
                "--exclude apply)");
}

void add_tokenizer_options(CLI::App* cmd, data::PrepareOptions& options) {
  cmd->add_option("--tokenizer", options.tokenizer,
                  "word or sentencepiece (subword, all formats); wordpiece (a BERT tokenizer.json "
                  "from --vocab, classification); char (Unicode code points) or byte (256 fixed "
                  "ids) for --format text")
      ->check(CLI::IsMember({"word", "char", "byte", "sentencepiece", "wordpiece"}))
      ->capture_default_str();
  cmd->add_option("--vocab", options.vocab,
                  "wordpiece: a folder holding the model's tokenizer.json (or that file, or a "
                  "model from `topiary import hf`); its vocabulary, ids and text normalization "
                  "are used as they are");
  cmd->add_option("--sp-model-type", options.sp_model_type,
                  "sentencepiece: bpe or unigram, trained on the training split")
      ->check(CLI::IsMember({"bpe", "unigram"}))
      ->capture_default_str();
  cmd->add_option("--sp-vocab-size", options.sp_vocab_size,
                  "sentencepiece: pieces in the trained model (fewer when the corpus is small)")
      ->capture_default_str();
  cmd->add_option("--sp-model", options.sp_model,
                  "sentencepiece: use this trained .model file instead of training one");
  cmd->add_option("--sp-character-coverage", options.sp_character_coverage,
                  "sentencepiece: share of characters the model must cover")
      ->capture_default_str();
}

// dir and text --document-per-file: which files, and how records are separated.
void add_directory_options(CLI::App* cmd, data::PrepareOptions& options) {
  cmd->add_option("--record-delimiter", options.record_delimiter,
                  "dir: a line holding only this separates records")
      ->capture_default_str();
  cmd->add_option("--include", options.include,
                  "dir, text --document-per-file: only files whose name matches this glob; "
                  "repeatable (default: all)")
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--exclude", options.exclude,
                  "dir, text --document-per-file: skip files whose name matches this glob; "
                  "repeatable")
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--min-records", options.min_records,
                  "Drop classes with fewer training records than this")
      ->capture_default_str();
}

void add_validation_split_options(CLI::App* cmd, data::PrepareOptions& options) {
  CLI::Option* valid = cmd->add_option("--valid", options.valid_path,
                                       "Validation data in the same format as --input");
  CLI::Option* fraction =
      cmd->add_option("--valid-fraction", options.valid_fraction,
                      "Without --valid: this fraction of --input, chosen by --seed, validates")
          ->capture_default_str();
  valid->excludes(fraction);
  CLI::Option* test = cmd->add_option(
      "--test", options.test_path,
      "Test data in the same format as --input (a held-out split for `eval --split test`; "
      "classification)");
  CLI::Option* test_fraction =
      cmd->add_option("--test-fraction", options.test_fraction,
                      "Without --test: this fraction of --input, chosen by --seed before the "
                      "validation split, is held out as the test split (0 = none)")
          ->capture_default_str();
  test->excludes(test_fraction);
  cmd->add_option("--seed", options.seed, "Seed of the --valid-fraction and --test-fraction splits")
      ->capture_default_str();
}

void add_vocabulary_options(CLI::App* cmd, data::PrepareOptions& options) {
  cmd->add_flag("--lowercase,!--no-lowercase", options.lowercase,
                "Lowercase ASCII letters before building the vocabulary (default on)");
  cmd->add_option("--min-frequency", options.min_frequency,
                  "Leave tokens seen fewer times in training out of the vocabulary (-> <unk>)")
      ->capture_default_str();
  cmd->add_option("--max-vocab", options.max_vocab,
                  "Cap the vocabulary size, <pad> and <unk> included (0 = no cap)")
      ->capture_default_str();
  cmd->add_option("--max-length", options.max_length,
                  "Keep at most this many tokens per example (0 = all); wordpiece: [CLS] and "
                  "[SEP] included, and 0 = the tokenizer.json's truncation length if it has one")
      ->capture_default_str();
}

// Sharded: every rank prepares its shards. One output file: rank 0 writes it. Either way the
// ranks agree on the outcome; rank 0 reports a failure (the failing rank's message), the others
// only fail.
void run_prepare(const data::PrepareOptions& options) {
  auto comm = comm::make_mpi_communicator();
  const bool sharded = data::uses_sharded_prepare(options);
  const comm::AgreeOutcome outcome = comm::agree(
      *comm,
      [&] {
        if (!sharded && comm->rank() != 0) return;
        const data::PrepareSummary summary =
            sharded ? data::prepare_sharded(options, *comm) : data::prepare_dataset(options);
        if (comm->rank() == 0) std::fputs(data::format_summary(summary).c_str(), stdout);
      },
      "prepare: result");
  if (outcome.ok) return;
  if (comm->rank() != 0) std::exit(kExitUserError);
  throw UserError(outcome.message.empty() ? "prepare failed" : outcome.message);
}

}  // namespace

void add_prepare_command(CLI::App& app) {
  auto options = std::make_shared<data::PrepareOptions>();
  CLI::App* cmd = app.add_subcommand(
      "prepare",
      "Tokenize labelled text into a dataset file: vocabulary from the training split, "
      "validation split from --valid or --valid-fraction, an optional test split from --test or "
      "--test-fraction; prints a summary");

  add_input_output_options(cmd, *options);
  add_record_options(cmd, *options);
  add_tokenizer_options(cmd, *options);
  cmd->add_option("--labels", options->labels,
                  "Classification: the label set, in class-index order (comma-separated); any "
                  "other label in the data is an error naming its line")
      ->delimiter(',');
  add_directory_options(cmd, *options);
  add_validation_split_options(cmd, *options);
  add_vocabulary_options(cmd, *options);
  cmd->add_option("--shard-mb", options->shard_mb,
                  "text: an input larger than this many MiB is prepared in shards of this size "
                  "(one file each, plus a manifest at --output), split over the ranks of "
                  "`mpirun -np N topiary prepare`; the result does not depend on N")
      ->capture_default_str();

  cmd->callback([options] { run_prepare(*options); });
}

}  // namespace topiary::cli
