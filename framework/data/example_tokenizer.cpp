#include "data/example_tokenizer.h"

#include "core/error.h"
#include "data/sentencepiece_tokenizer.h"
#include "data/tokenizer_json.h"
#include "data/word_tokenizer.h"
#include "data/wordpiece_tokenizer.h"

namespace topiary::data {
namespace {

// The vocabulary of a tokenizer.json is fixed: options that would build or change one are
// mistakes, not preferences to ignore.
void check_wordpiece_options(const PrepareOptions& options, const std::string& file) {
  const std::string fixed =
      ": the wordpiece vocabulary is fixed, the one in " + file + "; leave the option out";
  if (options.min_frequency != 1) throw UserError("--min-frequency" + fixed);
  if (options.max_vocab != 0) throw UserError("--max-vocab" + fixed);
  if (!options.sp_model.empty()) throw UserError("--sp-model is for --tokenizer sentencepiece");
  if (!options.lowercase) {
    throw UserError("--no-lowercase: " + file +
                    " decides lowercasing (normalizer.lowercase); leave it out");
  }
}

}  // namespace

void check_vocab_option(const PrepareOptions& options, bool language_model) {
  const bool wordpiece = options.tokenizer == "wordpiece";
  if (!wordpiece && !options.vocab.empty()) {
    throw UserError("--vocab is for --tokenizer wordpiece, not '" + options.tokenizer + "'");
  }
  if (wordpiece && language_model) {
    throw UserError(
        "--tokenizer wordpiece is for classification (--format tsv, csv, jsonl or dir), the "
        "task of BERT-family models; --format text takes char, byte, word or sentencepiece");
  }
  if (wordpiece && options.vocab.empty()) {
    throw UserError(
        "--tokenizer wordpiece needs --vocab: a folder holding a BERT tokenizer.json (or the "
        "tokenizer.json itself)");
  }
}

ExampleTokenizer::ExampleTokenizer(const PrepareOptions& options)
    : options_(options), max_length_(options.max_length) {
  if (options.max_length < 0) throw UserError("--max-length must be >= 0 (0 = all)");
  check_vocab_option(options, false);
  if (options.tokenizer == "word") {
    words_ = std::make_unique<WordTokenizer>(WordTokenizerOptions{options.lowercase});
  } else if (options.tokenizer == "wordpiece") {
    WordPieceTokenizerFile file = read_tokenizer_json(options.vocab);
    check_wordpiece_options(options, file.path);
    wordpiece_ =
        std::make_unique<WordPieceTokenizer>(std::move(file.settings), std::move(file.vocabulary));
    if (max_length_ == 0) max_length_ = wordpiece_->settings().max_length;
    wordpiece_->set_max_length(max_length_);
  } else if (options.tokenizer != "sentencepiece") {
    throw UserError("--tokenizer '" + options.tokenizer +
                    "': classification formats use the word, sentencepiece or wordpiece "
                    "tokenizer; char and byte are for --format text");
  }
}

ExampleTokenizer::~ExampleTokenizer() = default;

void ExampleTokenizer::fit(const std::vector<const RawExample*>& train) {
  if (options_.tokenizer != "sentencepiece") return;
  pieces_ = std::make_unique<SentencePieceEncoder>(sentencepiece_model_for(train, options_));
}

std::vector<std::string> ExampleTokenizer::tokens(std::string_view text,
                                                  PrepareSummary& summary) const {
  std::vector<std::string> result;
  if (wordpiece_) {
    const std::vector<int32_t> content = wordpiece_->content_ids(text);
    const int64_t limit = wordpiece_->content_limit();
    summary.truncated_examples += limit > 0 && static_cast<int64_t>(content.size()) > limit;
    if (!content.empty()) {
      for (const int32_t id : wordpiece_->frame(content)) {
        result.push_back(wordpiece_->vocabulary()[static_cast<size_t>(id)]);
      }
    }
  } else {
    result = pieces_ ? pieces_->pieces(text) : words_->tokenize(text);
    if (max_length_ > 0 && static_cast<int64_t>(result.size()) > max_length_) {
      result.resize(static_cast<size_t>(max_length_));
      ++summary.truncated_examples;
    }
  }
  if (result.empty()) ++summary.dropped_empty;
  return result;
}

std::vector<std::string> ExampleTokenizer::vocabulary(const TokenCounter& counter) const {
  if (wordpiece_) return wordpiece_->vocabulary();
  if (pieces_) return pieces_->vocabulary(false);
  return build_vocabulary(counter, {options_.min_frequency, options_.max_vocab});
}

std::string ExampleTokenizer::description() const {
  if (wordpiece_) return wordpiece_->description();
  if (pieces_) return sentencepiece_description(pieces_->model());
  return words_->describe();
}

std::string ExampleTokenizer::unknown_token() const {
  return wordpiece_ ? wordpiece_->settings().model.unk_token : kUnkToken;
}

}  // namespace topiary::data
