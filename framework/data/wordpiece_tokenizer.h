#pragma once
// The tokenizer of BERT-family models, `topiary prepare --tokenizer wordpiece --vocab DIR`: the
// ids Hugging Face `tokenizers` gives for a tokenizer.json of the BERT kind (tokenizer_json.h),
// one text at a time:
//   1. added tokens ([CLS], [SEP], [MASK], ...) are found in the raw text (added_token_splitter.h)
//   2. the rest is normalized (bert_normalizer.h) and split into words (bert_pre_tokenizer.h)
//   3. each word is cut into WordPiece pieces (wordpiece_model.h)
//   4. [CLS] pieces [SEP], the pieces cut to max_length - 2 when max_length is set.
// Ids are the tokenizer's own: vocabulary() is id -> token, [PAD] = 0.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "data/added_token_splitter.h"
#include "data/wordpiece_model.h"
#include "data/wordpiece_settings.h"

namespace topiary::data {

class WordPieceTokenizer {
 public:
  // UserError when the vocabulary lacks a token the settings name or id 0 is not the pad token.
  WordPieceTokenizer(WordPieceSettings settings, std::vector<std::string> vocabulary);
  // A tokenizer.json, or a folder holding one (UserErrors name the file and key).
  static WordPieceTokenizer from_file(const std::string& path);
  // From a dataset's tokenizer description and /vocabulary.
  static WordPieceTokenizer from_description(const std::string& description,
                                             std::vector<std::string> vocabulary);

  // Steps 1-3: the ids of the text's tokens, without [CLS] and [SEP], not truncated. Empty when
  // the text has nothing but white space and characters that normalizing removes.
  std::vector<int32_t> content_ids(std::string_view text) const;
  // Step 4 on content_ids(text): what Hugging Face's encode(text).ids gives.
  std::vector<int32_t> encode(std::string_view text) const;
  // [CLS] content [SEP], the content cut to fit max_length.
  std::vector<int32_t> frame(std::vector<int32_t> content) const;
  // Content tokens that fit next to [CLS] and [SEP]; 0 = no limit.
  int64_t content_limit() const;
  // Word pieces joined into words ("##" pieces glued on), specials left out.
  std::string decode(const std::vector<int64_t>& ids) const;

  const WordPieceSettings& settings() const { return settings_; }
  const std::vector<std::string>& vocabulary() const { return vocabulary_; }
  int32_t unk_id() const { return model_.unk_id(); }
  std::string description() const { return wordpiece_description(settings_); }
  // A new max_length (0 = no limit): what `prepare --max-length` sets.
  void set_max_length(int64_t max_length);

 private:
  int32_t id_of(const std::string& token) const;
  // Steps 2 and 3 for text between added tokens.
  void append_word_pieces(std::string_view text, std::vector<int32_t>& ids) const;

  WordPieceSettings settings_;
  std::vector<std::string> vocabulary_;
  WordPieceModel model_;
  AddedTokenSplitter<char> raw_added_;             // matched before normalizing
  AddedTokenSplitter<char32_t> normalized_added_;  // matched in normalized text
  int32_t cls_id_ = 0, sep_id_ = 0;
};

}  // namespace topiary::data
