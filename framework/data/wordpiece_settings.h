#pragma once
// Everything but the vocabulary that decides how a BERT WordPiece tokenizer cuts text: read from
// a tokenizer.json (tokenizer_json.h) and stored with the dataset as its tokenizer description
// "wordpiece:{...json...}", so that `topiary predict` cuts raw text as `prepare` did. The
// vocabulary itself is the dataset's /vocabulary, in the tokenizer's id order.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "data/bert_normalizer.h"
#include "data/wordpiece_model.h"

namespace topiary::data {

// A tokenizer.json "added_tokens" entry: matched in the text before anything else.
struct AddedToken {
  std::string content;
  bool normalized = false;  // matched in the normalized text instead of the raw text
  bool in_vocab = true;     // also one of the WordPiece model's pieces (model.vocab)
};

struct WordPieceSettings {
  BertNormalizerOptions normalizer;
  WordPieceModelOptions model;
  std::string cls_token = "[CLS]";  // the post-processor's [CLS] A [SEP]
  std::string sep_token = "[SEP]";
  std::string pad_token = "[PAD]";  // id 0: what the models pad with
  std::vector<AddedToken> added_tokens;
  int64_t max_length = 0;  // [CLS] + word pieces + [SEP] at most this long; 0 = no limit
};

std::string wordpiece_description(const WordPieceSettings& settings);
bool is_wordpiece_description(std::string_view description);
// UserError naming the key when `description` is not one wordpiece_description wrote.
WordPieceSettings parse_wordpiece_description(const std::string& description);
// "wordpiece (lowercase, max_length 128)": for summaries.
std::string short_wordpiece_description(const WordPieceSettings& settings);

}  // namespace topiary::data
