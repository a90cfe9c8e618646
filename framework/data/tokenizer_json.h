#pragma once
// Reads a Hugging Face tokenizer.json of the BERT kind: model WordPiece, normalizer
// BertNormalizer, pre_tokenizer BertPreTokenizer, post_processor [CLS] A [SEP]
// (TemplateProcessing or BertProcessing). Anything else is refused with a UserError naming the
// file and key, because Topiary would cut text differently from the model's own tokenizer.
// Added tokens must not use single_word, lstrip or rstrip (BERT's do not).
#include <string>
#include <vector>

#include "data/wordpiece_settings.h"

namespace topiary::data {

struct WordPieceTokenizerFile {
  std::string path;  // the tokenizer.json read
  // max_length: the file's truncation.max_length, 0 when it sets none.
  WordPieceSettings settings;
  // id -> token for ids 0..N-1 (model.vocab and added_tokens, no gaps); id 0 is the pad token.
  std::vector<std::string> vocabulary;
};

// `path`: a tokenizer.json, or a folder holding one.
WordPieceTokenizerFile read_tokenizer_json(const std::string& path);
// The same from the file's text; `path` names it in messages.
WordPieceTokenizerFile parse_tokenizer_json(const std::string& text, const std::string& path);

}  // namespace topiary::data
