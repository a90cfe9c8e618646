#include "data/prepare.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "core/error.h"
#include "data/corpus_reader.h"
#include "data/example_tokenizer.h"
#include "data/label_set.h"
#include "data/lm_prepare.h"
#include "data/sentencepiece_tokenizer.h"
#include "data/split.h"
#include "data/vocabulary.h"

namespace topiary::data {

SentencePieceOptions sentencepiece_options(const PrepareOptions& options) {
  return {options.sp_model_type, options.sp_vocab_size, options.sp_model,
          options.sp_character_coverage, options.seed};
}

std::string sentencepiece_model_for(const std::vector<const RawExample*>& examples,
                                    const PrepareOptions& options) {
  std::vector<std::string> texts;
  texts.reserve(examples.size());
  for (const RawExample* example : examples) texts.push_back(example->text);
  return make_sentencepiece_model(texts, sentencepiece_options(options));
}

namespace {

InputOptions input_options(const PrepareOptions& options) {
  InputOptions input;
  input.format = parse_input_format(options.format);
  const DecodeOptions decode{parse_encoding(options.encoding), parse_on_bad(options.on_bad)};
  const std::string label_column = options.label_column.empty() ? "label" : options.label_column;
  input.delimited.header = options.header;
  input.delimited.text_column = options.text_column.empty() ? "sentence" : options.text_column;
  input.delimited.label_column = label_column;
  input.delimited.decode = decode;
  input.dir.record_delimiter = options.record_delimiter;
  input.dir.include = options.include;
  input.dir.exclude = options.exclude;
  input.dir.decode = decode;
  input.jsonl.text_column = options.text_column.empty() ? "text" : options.text_column;
  input.jsonl.label_column = label_column;
  input.jsonl.decode = decode;
  input.text.document_per_file = options.document_per_file;
  input.text.include = options.include;
  input.text.exclude = options.exclude;
  input.text.decode = decode;
  return input;
}

std::string quoted_list(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "'" : ", '") + name + "'";
  return out;
}

// Classes with at least min_records examples; the others go to the summary.
std::vector<std::string> frequent_classes(const RawCorpus& corpus, const PrepareOptions& options,
                                          PrepareSummary& summary) {
  if (options.min_records < 0) throw UserError("--min-records must be >= 0");
  std::map<std::string, int64_t> counts;
  for (const RawExample& example : corpus.examples) ++counts[example.label];
  std::vector<std::string> kept;
  std::string all_counts;
  for (const auto& [label, count] : counts) {
    all_counts += fmt::format("{}{}={}", all_counts.empty() ? "" : ", ", label, count);
    if (count >= options.min_records) {
      kept.push_back(label);
    } else {
      summary.dropped_classes.push_back(label);
      summary.dropped_class_records += count;
    }
  }
  if (kept.size() < 2 && options.min_records > 0) {
    throw UserError(
        fmt::format("{}: {} class(es) with at least {} records (--min-records); a "
                    "classifier needs 2 or more. Records per class: {}",
                    options.input, kept.size(), options.min_records, all_counts));
  }
  if (kept.size() < 2) {
    throw UserError(
        fmt::format("{}: only {} class ({}); a classifier needs 2 or more (check "
                    "--label-column)",
                    options.input, kept.size(), all_counts));
  }
  return sorted_label_names(kept);
}

// --labels: exactly these classes, in this order; any other label is an error naming its line.
std::vector<std::string> fixed_classes(const RawCorpus& train, const RawCorpus& valid,
                                       const RawCorpus& test, const PrepareOptions& options) {
  const std::set<std::string> known(options.labels.begin(), options.labels.end());
  if (known.size() != options.labels.size() || options.labels.size() < 2) {
    throw UserError("--labels must list 2 or more distinct labels");
  }
  if (options.min_records != 0) throw UserError("--labels and --min-records exclude each other");
  for (const RawCorpus* corpus : {&train, &valid, &test}) {
    for (const RawExample& example : corpus->examples) {
      if (!known.count(example.label)) {
        throw UserError(corpus->where(example) + ": label '" + example.label +
                        "' is not in --labels (" + quoted_list(options.labels) + ")");
      }
    }
  }
  return options.labels;
}

}  // namespace

void check_test_split_options(const PrepareOptions& options, bool language_model) {
  const bool wanted = !options.test_path.empty() || options.test_fraction != 0.0;
  if (wanted && language_model) {
    throw UserError(
        "--test and --test-fraction are for classification data; a --format text dataset has "
        "train and valid (prepare the test documents as their own file and evaluate on its "
        "valid split)");
  }
  if (!options.test_path.empty() && options.test_fraction != 0.0) {
    throw UserError("--test and --test-fraction exclude each other");
  }
  if (options.test_fraction < 0.0 || options.test_fraction >= 1.0) {
    throw UserError("--test-fraction must be in [0, 1), got " +
                    std::to_string(options.test_fraction));
  }
}

void note_skipped(const RawCorpus& corpus, PrepareSummary& summary) {
  summary.skipped_bad_records += corpus.skipped;
  for (const std::string& message : corpus.skipped_messages) {
    if (summary.skipped_messages.size() < RawCorpus::kMaxSkippedMessages) {
      summary.skipped_messages.push_back(message);
    }
  }
}

namespace {

struct ExampleSplit {
  std::vector<const RawExample*> train;
  std::vector<const RawExample*> valid;
  std::vector<const RawExample*> test;
};

// The test split's own seed, so that it is not the validation split's permutation again.
uint64_t test_split_seed(uint64_t seed) { return seed ^ 0x9E3779B97F4A7C15ULL; }

// Moves a seeded `fraction` of `pool` into `carved`, keeping input order in both.
void carve_fraction(std::vector<const RawExample*>& pool, std::vector<const RawExample*>& carved,
                    double fraction, uint64_t seed, const std::string& option) {
  const SplitIndices split =
      split_by_fraction(static_cast<int64_t>(pool.size()), fraction, seed, option);
  const std::vector<const RawExample*> all = std::move(pool);
  pool.clear();
  for (int64_t i : split.train) pool.push_back(all[static_cast<size_t>(i)]);
  for (int64_t i : split.valid) carved.push_back(all[static_cast<size_t>(i)]);
}

// The examples of a separate validation or test corpus: records of dropped rare classes are
// counted, any other label the training data lacks is an error naming its line.
void take_known(const RawCorpus& corpus, std::vector<const RawExample*>& out,
                const std::map<std::string, int32_t>& label_ids,
                const std::vector<std::string>& label_names, const PrepareOptions& options,
                PrepareSummary& summary) {
  const std::set<std::string> dropped(summary.dropped_classes.begin(),
                                      summary.dropped_classes.end());
  for (const RawExample& example : corpus.examples) {
    if (label_ids.count(example.label)) {
      out.push_back(&example);
    } else if (dropped.count(example.label)) {
      ++summary.dropped_class_records;
    } else {
      throw UserError(corpus.where(example) + ": label '" + example.label +
                      "' does not occur in the training data " + options.input +
                      "; its labels are " + quoted_list(label_names));
    }
  }
}

// The examples of the known classes, split into train, valid and (optionally) test: the given
// corpora, or seeded fractions of the training corpus (test carved first, so that without a
// test split the validation split is the same as it always was).
ExampleSplit split_examples(const InputCorpora& corpora,
                            const std::map<std::string, int32_t>& label_ids,
                            const std::vector<std::string>& label_names,
                            const PrepareOptions& options, PrepareSummary& summary) {
  ExampleSplit out;
  for (const RawExample& example : corpora.train.examples) {
    if (label_ids.count(example.label)) out.train.push_back(&example);
  }
  if (corpora.separate_test) {
    take_known(corpora.test, out.test, label_ids, label_names, options, summary);
  } else if (options.test_fraction > 0.0) {
    carve_fraction(out.train, out.test, options.test_fraction, test_split_seed(options.seed),
                   "--test-fraction");
  }
  if (corpora.separate_valid) {
    take_known(corpora.valid, out.valid, label_ids, label_names, options, summary);
  } else {
    carve_fraction(out.train, out.valid, options.valid_fraction, options.seed, "--valid-fraction");
  }
  return out;
}

// What the dataset file records about how it was made (attributes of its root).
void add_classification_attributes(std::map<std::string, std::string>& a,
                                   const PrepareOptions& options, const InputOptions& input,
                                   const RawCorpus& train_corpus, const RawCorpus* valid_corpus,
                                   const PrepareSummary& summary,
                                   const ExampleTokenizer& tokenizer) {
  a["created_by"] = "topiary prepare";
  a["source_format"] = input_format_name(input.format);
  a["encoding"] = encoding_name(parse_encoding(options.encoding));
  add_source_provenance(a, options, train_corpus, valid_corpus, "train_source split");
  if (input.format == InputFormat::kDir) {
    std::string files;
    for (const std::string& file : train_corpus.files) files += (files.empty() ? "" : "\n") + file;
    a["train_source_files"] = files;
    a["record_delimiter"] = options.record_delimiter;
  } else if (input.format == InputFormat::kJsonl) {
    a["text_column"] = input.jsonl.text_column;
    a["label_column"] = input.jsonl.label_column;
  } else {
    a["text_column"] = input.delimited.text_column;
    a["label_column"] = input.delimited.label_column;
    a["header"] = options.header ? "true" : "false";
  }
  a["min_records"] = std::to_string(options.min_records);
  a["tokenizer"] = tokenizer.description();
  a["max_length"] = std::to_string(tokenizer.max_length());
  a["dropped_classes"] = quoted_list(summary.dropped_classes);
  add_shared_prepare_attributes(a, options, summary);
}

// Where the test split came from, when there is one.
void add_test_provenance(std::map<std::string, std::string>& a, const PrepareOptions& options,
                         const RawCorpus* test_corpus, const PrepareSummary& summary) {
  if (summary.test_examples == 0) return;
  a["test_examples"] = std::to_string(summary.test_examples);
  if (test_corpus != nullptr) {
    a["test_source"] = options.test_path;
    a["test_source_sha256"] = corpus_sha256(*test_corpus);
  } else {
    a["test_source"] = fmt::format("train_source split: test_fraction={} seed={}",
                                   options.test_fraction, options.seed);
  }
}

void append(TokenizedSplit& split, const std::vector<int32_t>& ids, int32_t label) {
  if (split.offsets.empty()) split.offsets.push_back(0);
  split.tokens.insert(split.tokens.end(), ids.begin(), ids.end());
  split.offsets.push_back(static_cast<int64_t>(split.tokens.size()));
  split.labels.push_back(label);
}

// Tokenizes validation or test examples with the training vocabulary (unknown words become its
// unknown token); examples with no tokens are left out and counted in the summary.
void append_held_out(const std::vector<const RawExample*>& examples,
                     const ExampleTokenizer& tokenizer, const VocabularyIndex& index,
                     const std::map<std::string, int32_t>& label_ids, TokenizedSplit& split,
                     PrepareSummary& summary) {
  std::vector<int32_t> ids;
  for (const RawExample* example : examples) {
    const std::vector<std::string> tokens = tokenizer.tokens(example->text, summary);
    if (tokens.empty()) continue;
    ids.clear();
    for (const std::string& token : tokens) ids.push_back(index.id(token));
    append(split, ids, label_ids.at(example->label));
  }
}

}  // namespace

Dataset build_dataset(const PrepareOptions& options, PrepareSummary* summary_out) {
  if (options.input.empty()) throw UserError("--input is required");
  PrepareSummary summary;
  summary.output = options.output;
  const InputOptions input = input_options(options);
  check_vocab_option(options, input.format == InputFormat::kText);
  check_test_split_options(options, input.format == InputFormat::kText);
  if (input.format == InputFormat::kText) {
    Dataset dataset = build_language_model_dataset(options, input, summary);
    if (summary_out) *summary_out = summary;
    return dataset;
  }
  ExampleTokenizer tokenizer(options);  // before reading: a bad --vocab fails fast
  const InputCorpora corpora = read_input_corpora(options, input, summary);
  const bool separate_valid = corpora.separate_valid;
  const RawCorpus& train_corpus = corpora.train;
  const RawCorpus& valid_corpus = corpora.valid;

  const std::vector<std::string> label_names =
      options.labels.empty() ? frequent_classes(train_corpus, options, summary)
                             : fixed_classes(train_corpus, valid_corpus, corpora.test, options);
  std::map<std::string, int32_t> label_ids;
  for (size_t i = 0; i < label_names.size(); ++i) {
    label_ids[label_names[i]] = static_cast<int32_t>(i);
  }

  const ExampleSplit raw = split_examples(corpora, label_ids, label_names, options, summary);
  const std::vector<const RawExample*>& train_raw = raw.train;
  const std::vector<const RawExample*>& valid_raw = raw.valid;

  tokenizer.fit(train_raw);
  std::vector<std::vector<std::string>> train_tokens;
  std::vector<int32_t> train_labels;
  TokenCounter counter;
  for (const RawExample* example : train_raw) {
    std::vector<std::string> tokens = tokenizer.tokens(example->text, summary);
    if (tokens.empty()) continue;
    counter.add(tokens);
    train_tokens.push_back(std::move(tokens));
    train_labels.push_back(label_ids.at(example->label));
  }

  Dataset dataset;
  dataset.vocabulary = tokenizer.vocabulary(counter);
  dataset.label_names = label_names;
  const VocabularyIndex index(dataset.vocabulary);
  const int32_t unknown_id = index.id(tokenizer.unknown_token());
  summary.train_label_counts.assign(label_names.size(), 0);
  std::vector<int32_t> ids;
  for (size_t i = 0; i < train_tokens.size(); ++i) {
    ids.clear();
    for (const std::string& token : train_tokens[i]) ids.push_back(index.id(token));
    append(dataset.train, ids, train_labels[i]);
    ++summary.train_label_counts[static_cast<size_t>(train_labels[i])];
  }
  append_held_out(valid_raw, tokenizer, index, label_ids, dataset.valid, summary);
  append_held_out(raw.test, tokenizer, index, label_ids, dataset.test, summary);
  summary.valid_tokens = static_cast<int64_t>(dataset.valid.tokens.size());
  summary.valid_unknown_tokens = static_cast<int64_t>(
      std::count(dataset.valid.tokens.begin(), dataset.valid.tokens.end(), unknown_id));
  if (dataset.train.size() == 0) {
    throw UserError(options.input + ": no examples (every training example has no tokens)");
  }
  if (dataset.valid.size() == 0) {
    throw UserError((separate_valid ? options.valid_path : options.input) +
                    ": no examples in the validation split");
  }
  const bool wants_test = corpora.separate_test || options.test_fraction > 0.0;
  if (wants_test && dataset.test.size() == 0) {
    throw UserError((corpora.separate_test ? options.test_path : options.input) +
                    ": no examples in the test split");
  }

  summary.train_examples = dataset.train.size();
  summary.valid_examples = dataset.valid.size();
  summary.test_examples = dataset.test.size();
  summary.vocabulary_size = static_cast<int64_t>(dataset.vocabulary.size());
  summary.label_names = label_names;

  add_classification_attributes(dataset.attributes, options, input, train_corpus,
                                corpora.valid_or_null(), summary, tokenizer);
  add_test_provenance(dataset.attributes, options, corpora.test_or_null(), summary);
  if (summary_out) *summary_out = summary;
  return dataset;
}

PrepareSummary prepare_dataset(const PrepareOptions& options) {
  if (options.output.empty()) throw UserError("--output is required");
  PrepareSummary summary;
  const Dataset dataset = build_dataset(options, &summary);
  write_dataset(options.output, dataset);
  return summary;
}

std::string format_skipped(const PrepareSummary& s) {
  if (s.skipped_bad_records == 0) return "";
  std::string out =
      fmt::format("  skipped {} bad records (--on-bad skip), e.g.:\n", s.skipped_bad_records);
  for (const std::string& message : s.skipped_messages) out += "    " + message + "\n";
  return out;
}

std::string format_summary(const PrepareSummary& s) {
  if (s.kind == kLanguageModelKind) return format_language_model_summary(s) + format_skipped(s);
  std::string classes;
  for (size_t i = 0; i < s.label_names.size(); ++i) {
    classes += fmt::format("{}{} ({})", i ? ", " : "", s.label_names[i],
                           i < s.train_label_counts.size() ? s.train_label_counts[i] : 0);
  }
  std::string out = fmt::format("wrote {}\n", s.output);
  out += fmt::format("  examples: train {}, valid {}", s.train_examples, s.valid_examples);
  out += s.test_examples ? fmt::format(", test {}\n", s.test_examples) : std::string("\n");
  out += fmt::format("  classes: {} [train counts: {}]\n", s.label_names.size(), classes);
  out += fmt::format("  vocabulary: {} tokens (valid: {:.2f}% <unk>)\n", s.vocabulary_size,
                     s.valid_tokens ? 100.0 * s.valid_unknown_tokens / s.valid_tokens : 0.0);
  out += fmt::format("  dropped: {} empty examples, {} records of {} classes below --min-records",
                     s.dropped_empty, s.dropped_class_records, s.dropped_classes.size());
  if (s.truncated_examples) out += fmt::format("; truncated {} examples", s.truncated_examples);
  return out + "\n" + format_skipped(s);
}

}  // namespace topiary::data
