#include "data/text_encoder.h"

#include "core/error.h"
#include "data/lm_tokenizer.h"
#include "data/sentencepiece_tokenizer.h"
#include "data/vocabulary.h"
#include "data/word_tokenizer.h"
#include "data/wordpiece_tokenizer.h"

namespace topiary::data {

TextEncoder::TextEncoder(const std::vector<std::string>& vocabulary, const std::string& tokenizer)
    : vocabulary_(vocabulary) {
  if (tokenizer == "char") {
    kind_ = Kind::kChar;
  } else if (tokenizer == "byte") {
    kind_ = Kind::kByte;
  } else if (tokenizer == "word,lowercase=true" || tokenizer == "word,lowercase=false") {
    kind_ = Kind::kWord;
    lowercase_ = tokenizer == "word,lowercase=true";
  } else if (is_sentencepiece_description(tokenizer)) {
    kind_ = Kind::kSentencePiece;
    pieces_ = std::make_shared<const SentencePieceEncoder>(tokenizer);
  } else if (is_wordpiece_description(tokenizer)) {
    kind_ = Kind::kWordPiece;
    wordpiece_ = std::make_shared<const WordPieceTokenizer>(
        WordPieceTokenizer::from_description(tokenizer, vocabulary));
  } else {
    throw UserError("unknown tokenizer '" + tokenizer.substr(0, 40) +
                    "' (known: word,lowercase=true|false, char, byte, sentencepiece:<model>, "
                    "wordpiece:{...})");
  }
  for (size_t i = 0; i < vocabulary_.size(); ++i)
    ids_.emplace(vocabulary_[i], static_cast<int64_t>(i));
}

std::vector<int64_t> TextEncoder::encode(std::string_view text) const {
  if (kind_ == Kind::kWordPiece) {
    const std::vector<int32_t> ids = wordpiece_->encode(text);
    return std::vector<int64_t>(ids.begin(), ids.end());
  }
  std::vector<std::string> tokens;
  if (kind_ == Kind::kWord) {
    tokens = WordTokenizer(WordTokenizerOptions{lowercase_}).tokenize(text);
  } else if (kind_ == Kind::kChar) {
    tokens = split_code_points(text);
  } else if (kind_ == Kind::kSentencePiece) {
    tokens = pieces_->pieces(text);
  } else {
    for (unsigned char c : text) tokens.push_back(byte_token(c));
  }
  std::vector<int64_t> ids;
  ids.reserve(tokens.size());
  for (const auto& token : tokens) {
    const auto it = ids_.find(token);
    ids.push_back(it == ids_.end() ? 1 : it->second);
  }
  return ids;
}

std::string TextEncoder::decode(const std::vector<int64_t>& ids) const {
  if (kind_ == Kind::kWordPiece) return wordpiece_->decode(ids);
  if (kind_ == Kind::kSentencePiece) {
    // Pieces between <eos> separators detokenize together; documents were lines.
    std::string text;
    std::vector<std::string> pieces;
    const auto flush = [&] {
      text += pieces_->decode(pieces);
      pieces.clear();
    };
    for (int64_t id : ids) {
      if (id < 0 || id >= static_cast<int64_t>(vocabulary_.size())) continue;
      if (id == kEosId && vocabulary_.size() > 2 && vocabulary_[2] == kEosToken) {
        flush();
        text += "\n";
      } else if (id == kUnkId) {
        flush();
        text += " \u2047 ";  // what SentencePiece itself prints for an unknown piece
      } else if (id != kPadId) {
        pieces.push_back(vocabulary_[static_cast<size_t>(id)]);
      }
    }
    flush();
    return text;
  }
  std::string text;
  for (int64_t id : ids) {
    if (id < 0 || id >= static_cast<int64_t>(vocabulary_.size())) continue;
    if (id == kEosId && vocabulary_.size() > 2 && vocabulary_[2] == kEosToken) {
      text += "\n";  // documents (lines) were joined by <eos>
      continue;
    }
    const std::string& token = vocabulary_[static_cast<size_t>(id)];
    if (kind_ == Kind::kByte && token.size() == 6 && token.rfind("<0x", 0) == 0) {
      text += static_cast<char>(std::stoi(token.substr(3, 2), nullptr, 16));
    } else {
      if (kind_ == Kind::kWord && !text.empty() && text.back() != '\n') text += " ";
      text += token;
    }
  }
  return text;
}

}  // namespace topiary::data
