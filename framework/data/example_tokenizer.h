#pragma once
// How `topiary prepare` turns the text of one classification example into tokens, for each
// --tokenizer: word (vocabulary from training counts), sentencepiece (a model trained on the
// training split or read from --sp-model) or wordpiece (a BERT tokenizer.json from --vocab, whose
// vocabulary is fixed). Also the vocabulary and the description each one gives the dataset.
//
// Truncation to --max-length keeps the first tokens; a wordpiece example keeps [CLS] and [SEP]
// around its first max_length - 2 pieces, as Hugging Face does. An example with no tokens is
// dropped (and counted); for wordpiece that is one with no word pieces, although Hugging Face
// would give it [CLS] [SEP]: an empty text is no example to learn from, whatever the tokenizer.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "data/prepare.h"
#include "data/raw_corpus.h"
#include "data/vocabulary.h"

namespace topiary::data {

class SentencePieceEncoder;
class WordTokenizer;
class WordPieceTokenizer;

// --vocab belongs to --tokenizer wordpiece, which needs it and classifies (no language model).
void check_vocab_option(const PrepareOptions& options, bool language_model);

class ExampleTokenizer {
 public:
  // Checks the tokenizer options (a --tokenizer classification cannot use, vocabulary options
  // a fixed vocabulary cannot honour) and reads --vocab; UserError when they do not fit.
  explicit ExampleTokenizer(const PrepareOptions& options);
  ~ExampleTokenizer();

  // sentencepiece: trains the model on the training split or reads --sp-model; else nothing.
  void fit(const std::vector<const RawExample*>& train);
  // The tokens of `text`, truncated; empty when it has none. Counts truncated and dropped
  // examples in `summary`.
  std::vector<std::string> tokens(std::string_view text, PrepareSummary& summary) const;
  // The dataset's vocabulary: from `counter` (word) or the tokenizer's own.
  std::vector<std::string> vocabulary(const TokenCounter& counter) const;
  // The dataset's "tokenizer" attribute.
  std::string description() const;
  // The dataset's "max_length" attribute: --max-length, or for wordpiece without it the
  // tokenizer.json's truncation length.
  int64_t max_length() const { return max_length_; }
  // What unknown text becomes: "<unk>", or the wordpiece tokenizer's "[UNK]".
  std::string unknown_token() const;

 private:
  const PrepareOptions& options_;
  int64_t max_length_ = 0;
  std::unique_ptr<WordTokenizer> words_;
  std::unique_ptr<SentencePieceEncoder> pieces_;
  std::unique_ptr<WordPieceTokenizer> wordpiece_;
};

}  // namespace topiary::data
