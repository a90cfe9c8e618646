#include "data/lm_prepare.h"

#include <fmt/format.h>

#include <optional>

#include "core/error.h"
#include "data/document_tokenizer.h"
#include "data/lm_tokenizer.h"
#include "data/sentencepiece_tokenizer.h"
#include "data/split.h"
#include "data/vocabulary.h"
#include "data/word_tokenizer.h"

namespace topiary::data {
namespace {

void append_document(TokenizedSplit& split, const std::vector<int32_t>& ids) {
  if (split.offsets.empty()) split.offsets.push_back(0);
  split.tokens.insert(split.tokens.end(), ids.begin(), ids.end());
  split.offsets.push_back(static_cast<int64_t>(split.tokens.size()));
}

}  // namespace

Dataset build_language_model_dataset(const PrepareOptions& options, const InputOptions& input,
                                     PrepareSummary& summary) {
  const bool subword = options.tokenizer == "sentencepiece";
  const LmTokenizerKind kind =
      subword ? LmTokenizerKind::kWord : parse_lm_tokenizer(options.tokenizer);
  const InputCorpora corpora = read_input_corpora(options, input, summary);
  const bool separate_valid = corpora.separate_valid;
  const RawCorpus& train_corpus = corpora.train;
  const RawCorpus& valid_corpus = corpora.valid;

  std::vector<const RawExample*> train_raw, valid_raw;
  if (separate_valid) {
    for (const RawExample& example : train_corpus.examples) train_raw.push_back(&example);
    for (const RawExample& example : valid_corpus.examples) valid_raw.push_back(&example);
  } else {
    // By documents, so that no document is split between training and validation.
    const SplitIndices split = split_by_fraction(static_cast<int64_t>(train_corpus.examples.size()),
                                                 options.valid_fraction, options.seed);
    for (int64_t i : split.train) train_raw.push_back(&train_corpus.examples[size_t(i)]);
    for (int64_t i : split.valid) valid_raw.push_back(&train_corpus.examples[size_t(i)]);
  }

  std::optional<SentencePieceEncoder> pieces;
  if (subword) pieces.emplace(sentencepiece_model_for(train_raw, options));
  const DocumentTokenizer tokenizer{kind, WordTokenizer(WordTokenizerOptions{options.lowercase}),
                                    pieces ? &*pieces : nullptr};
  Dataset dataset;
  dataset.kind = kLanguageModelKind;
  std::vector<std::vector<std::string>> train_tokens;
  if (kind == LmTokenizerKind::kByte) {
    dataset.vocabulary = byte_vocabulary();
  } else if (pieces) {
    dataset.vocabulary = pieces->vocabulary(true);
  } else {
    TokenCounter counter;
    for (const RawExample* example : train_raw) {
      std::vector<std::string> tokens = tokenizer.counting_tokens(example->text);
      counter.add(tokens);
      train_tokens.push_back(std::move(tokens));
    }
    if (options.max_vocab > 0 && options.max_vocab < 4) {
      throw UserError(
          "--max-vocab must be 0 or >= 4 for a language model (<pad>, <unk>, <eos> "
          "and one token)");
    }
    dataset.vocabulary = build_vocabulary(
        counter, {options.min_frequency, options.max_vocab > 0 ? options.max_vocab - 1 : 0});
    dataset.vocabulary.insert(dataset.vocabulary.begin() + kEosId, kEosToken);
  }
  const VocabularyIndex index(dataset.vocabulary);
  std::vector<int32_t> ids;
  const auto encode = [&](const RawExample& example, const std::vector<std::string>* tokens) {
    ids.clear();
    if (kind == LmTokenizerKind::kByte) {
      for (const char c : example.text) ids.push_back(3 + static_cast<unsigned char>(c));
      return;
    }
    std::vector<std::string> own;
    if (!tokens) own = tokenizer.tokens(example.text), tokens = &own;
    for (const std::string& token : *tokens) ids.push_back(index.id(token));
  };
  for (size_t i = 0; i < train_raw.size(); ++i) {
    encode(*train_raw[i], train_tokens.empty() ? nullptr : &train_tokens[i]);
    if (ids.empty()) {
      ++summary.dropped_empty;
      continue;
    }
    append_document(dataset.train, ids);
  }
  for (const RawExample* example : valid_raw) {
    encode(*example, nullptr);
    if (ids.empty()) {
      ++summary.dropped_empty;
      continue;
    }
    for (int32_t id : ids) summary.valid_unknown_tokens += id == kUnkId ? 1 : 0;
    summary.valid_tokens += static_cast<int64_t>(ids.size());
    append_document(dataset.valid, ids);
  }
  if (dataset.train.size() == 0) throw UserError(options.input + ": no training documents");
  if (dataset.valid.size() == 0) {
    throw UserError((separate_valid ? options.valid_path : options.input) +
                    ": no documents in the validation split (need at least 2 documents for "
                    "--valid-fraction, or pass --valid)");
  }

  summary.kind = kLanguageModelKind;
  summary.train_examples = dataset.train.size();
  summary.valid_examples = dataset.valid.size();
  summary.train_tokens = static_cast<int64_t>(dataset.train.tokens.size());
  summary.vocabulary_size = static_cast<int64_t>(dataset.vocabulary.size());

  add_language_model_attributes(dataset.attributes, options, summary, tokenizer.describe());
  add_source_provenance(dataset.attributes, options, train_corpus, corpora.valid_or_null(),
                        "train_source split by documents");
  return dataset;
}

InputCorpora read_input_corpora(const PrepareOptions& options, const InputOptions& input,
                                PrepareSummary& summary) {
  InputCorpora corpora;
  corpora.separate_valid = !options.valid_path.empty();
  corpora.train = read_corpus(options.input, input);
  corpora.separate_test = !options.test_path.empty();
  if (corpora.separate_valid) corpora.valid = read_corpus(options.valid_path, input);
  if (corpora.separate_test) corpora.test = read_corpus(options.test_path, input);
  note_skipped(corpora.train, summary);
  note_skipped(corpora.valid, summary);
  note_skipped(corpora.test, summary);
  return corpora;
}

void add_language_model_attributes(std::map<std::string, std::string>& a,
                                   const PrepareOptions& options, const PrepareSummary& summary,
                                   const std::string& tokenizer) {
  a["created_by"] = "topiary prepare";
  a["source_format"] = "text";
  a["document_unit"] = options.document_per_file ? "file" : "line";
  a["encoding"] = encoding_name(parse_encoding(options.encoding));
  a["tokenizer"] = tokenizer;
  a["separator_token"] = kEosToken;
  a["train_tokens"] = std::to_string(summary.train_tokens);
  a["valid_tokens"] = std::to_string(summary.valid_tokens);
  add_shared_prepare_attributes(a, options, summary);
}

void add_shared_prepare_attributes(std::map<std::string, std::string>& a,
                                   const PrepareOptions& options, const PrepareSummary& summary) {
  a["on_bad"] = options.on_bad;
  a["skipped_bad_records"] = std::to_string(summary.skipped_bad_records);
  a["min_frequency"] = std::to_string(options.min_frequency);
  a["max_vocab"] = std::to_string(options.max_vocab);
  a["train_examples"] = std::to_string(summary.train_examples);
  a["valid_examples"] = std::to_string(summary.valid_examples);
  a["dropped_empty"] = std::to_string(summary.dropped_empty);
}

void add_source_provenance(std::map<std::string, std::string>& attributes,
                           const PrepareOptions& options, const RawCorpus& train_corpus,
                           const RawCorpus* valid_corpus, const std::string& split) {
  attributes["train_source"] = options.input;
  attributes["train_source_sha256"] = corpus_sha256(train_corpus);
  if (valid_corpus != nullptr) {
    attributes["valid_source"] = options.valid_path;
    attributes["valid_source_sha256"] = corpus_sha256(*valid_corpus);
  } else {
    attributes["valid_source"] =
        fmt::format("{}: valid_fraction={} seed={}", split, options.valid_fraction, options.seed);
  }
}

std::string format_language_model_summary(const PrepareSummary& s) {
  std::string out =
      s.up_to_date
          ? fmt::format(
                "{} is up to date (same options, same shard checksums): nothing tokenized or "
                "written\n",
                s.output)
          : fmt::format("wrote {} (language model)\n", s.output);
  if (s.shards > 0) {
    out += fmt::format("  shards: {} (in {}.shards/), prepared by {} rank(s)\n", s.shards, s.output,
                       s.ranks);
  }
  out += fmt::format("  documents: train {}, valid {}\n", s.train_examples, s.valid_examples);
  out += fmt::format("  tokens: train {}, valid {}\n", s.train_tokens, s.valid_tokens);
  if (s.up_to_date) {  // the manifest records no <unk> count
    out += fmt::format("  vocabulary: {} tokens\n", s.vocabulary_size);
  } else {
    out += fmt::format("  vocabulary: {} tokens (valid: {:.2f}% <unk>)\n", s.vocabulary_size,
                       s.valid_tokens ? 100.0 * s.valid_unknown_tokens / s.valid_tokens : 0.0);
  }
  out += fmt::format("  dropped: {} empty documents\n", s.dropped_empty);
  return out;
}

}  // namespace topiary::data
