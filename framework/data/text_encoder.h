#pragma once
// Turns raw text into token ids exactly as `topiary prepare` did for a dataset, from the
// tokenizer description stored with it (attribute "tokenizer": "word,lowercase=true|false",
// "char", "byte", "sentencepiece:<model>" or "wordpiece:{settings}") and its vocabulary; unknown
// tokens become <unk> (id 1), or the wordpiece tokenizer's own [UNK]. A wordpiece encoding is
// whole: [CLS] ... [SEP], already cut to the max_length `prepare` used. Used where text arrives
// after preparation: `topiary predict`, exports. decode() is the inverse for generated ids (word
// tokens are joined by spaces).
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace topiary::data {

class SentencePieceEncoder;
class WordPieceTokenizer;

class TextEncoder {
 public:
  // UserError for a tokenizer description it does not know.
  TextEncoder(const std::vector<std::string>& vocabulary, const std::string& tokenizer);

  std::vector<int64_t> encode(std::string_view text) const;
  std::string decode(const std::vector<int64_t>& ids) const;

 private:
  enum class Kind { kWord, kChar, kByte, kSentencePiece, kWordPiece } kind_;
  std::shared_ptr<const SentencePieceEncoder> pieces_;
  std::shared_ptr<const WordPieceTokenizer> wordpiece_;
  bool lowercase_ = true;
  std::vector<std::string> vocabulary_;
  std::unordered_map<std::string, int64_t> ids_;
};

}  // namespace topiary::data
