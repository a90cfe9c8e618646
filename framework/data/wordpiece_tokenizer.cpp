#include "data/wordpiece_tokenizer.h"

#include <algorithm>

#include "core/error.h"
#include "data/bert_normalizer.h"
#include "data/bert_pre_tokenizer.h"
#include "data/code_points.h"
#include "data/tokenizer_json.h"

namespace topiary::data {
namespace {

// The pieces the WordPiece model may produce: the vocabulary less the added tokens that are not
// in tokenizer.json's model.vocab.
std::vector<std::pair<std::string, int32_t>> model_pieces(const WordPieceSettings& settings,
                                                          const std::vector<std::string>& vocab) {
  std::vector<std::pair<std::string, int32_t>> pieces;
  pieces.reserve(vocab.size());
  for (size_t id = 0; id < vocab.size(); ++id) {
    const bool added_only =
        std::any_of(settings.added_tokens.begin(), settings.added_tokens.end(),
                    [&](const AddedToken& t) { return !t.in_vocab && t.content == vocab[id]; });
    if (!added_only) pieces.emplace_back(vocab[id], static_cast<int32_t>(id));
  }
  return pieces;
}

void check_max_length(int64_t max_length) {
  if (max_length < 0 || max_length == 1 || max_length == 2) {
    throw UserError("--max-length " + std::to_string(max_length) +
                    ": the wordpiece tokenizer needs 0 (no limit) or at least 3 ([CLS], [SEP] "
                    "and one word piece)");
  }
}

}  // namespace

WordPieceTokenizer::WordPieceTokenizer(WordPieceSettings settings,
                                       std::vector<std::string> vocabulary)
    : settings_(std::move(settings)),
      vocabulary_(std::move(vocabulary)),
      model_(model_pieces(settings_, vocabulary_), settings_.model) {
  check_max_length(settings_.max_length);
  if (vocabulary_.empty() || vocabulary_[0] != settings_.pad_token) {
    throw UserError("wordpiece vocabulary: id 0 must be the pad token '" + settings_.pad_token +
                    "'");
  }
  cls_id_ = id_of(settings_.cls_token);
  sep_id_ = id_of(settings_.sep_token);
  std::vector<std::pair<std::string, int32_t>> raw;
  std::vector<std::pair<std::u32string, int32_t>> normalized;
  for (const AddedToken& token : settings_.added_tokens) {
    if (token.normalized) {
      const std::u32string content =
          bert_normalize(to_code_points(token.content), settings_.normalizer);
      normalized.emplace_back(content, id_of(token.content));
    } else {
      raw.emplace_back(token.content, id_of(token.content));
    }
  }
  raw_added_ = AddedTokenSplitter<char>(raw);
  normalized_added_ = AddedTokenSplitter<char32_t>(normalized);
}

WordPieceTokenizer WordPieceTokenizer::from_file(const std::string& path) {
  WordPieceTokenizerFile file = read_tokenizer_json(path);
  return WordPieceTokenizer(std::move(file.settings), std::move(file.vocabulary));
}

WordPieceTokenizer WordPieceTokenizer::from_description(const std::string& description,
                                                        std::vector<std::string> vocabulary) {
  return WordPieceTokenizer(parse_wordpiece_description(description), std::move(vocabulary));
}

int32_t WordPieceTokenizer::id_of(const std::string& token) const {
  const auto it = std::find(vocabulary_.begin(), vocabulary_.end(), token);
  if (it == vocabulary_.end()) {
    throw UserError("wordpiece vocabulary: the token '" + token + "' is missing");
  }
  return static_cast<int32_t>(it - vocabulary_.begin());
}

void WordPieceTokenizer::set_max_length(int64_t max_length) {
  check_max_length(max_length);
  settings_.max_length = max_length;
}

int64_t WordPieceTokenizer::content_limit() const {
  return settings_.max_length > 0 ? settings_.max_length - 2 : 0;
}

void WordPieceTokenizer::append_word_pieces(std::string_view text,
                                            std::vector<int32_t>& ids) const {
  const std::u32string normalized = bert_normalize(to_code_points(text), settings_.normalizer);
  const auto add_words = [&](std::u32string_view part) {
    for (const std::string& word : bert_pre_tokenize(part)) model_.tokenize(word, ids);
  };
  normalized_added_.split(normalized, add_words, [&](int32_t id) { ids.push_back(id); });
}

std::vector<int32_t> WordPieceTokenizer::content_ids(std::string_view text) const {
  std::vector<int32_t> ids;
  raw_added_.split(
      text, [&](std::string_view part) { append_word_pieces(part, ids); },
      [&](int32_t id) { ids.push_back(id); });
  return ids;
}

std::vector<int32_t> WordPieceTokenizer::frame(std::vector<int32_t> content) const {
  const int64_t limit = content_limit();
  if (limit > 0 && static_cast<int64_t>(content.size()) > limit) {
    content.resize(static_cast<size_t>(limit));
  }
  content.insert(content.begin(), cls_id_);
  content.push_back(sep_id_);
  return content;
}

std::vector<int32_t> WordPieceTokenizer::encode(std::string_view text) const {
  return frame(content_ids(text));
}

std::string WordPieceTokenizer::decode(const std::vector<int64_t>& ids) const {
  const std::string& prefix = settings_.model.continuing_subword_prefix;
  std::string text;
  for (const int64_t id : ids) {
    if (id <= 0 || id >= static_cast<int64_t>(vocabulary_.size()) || id == cls_id_ ||
        id == sep_id_) {
      continue;  // padding and framing
    }
    const std::string& token = vocabulary_[static_cast<size_t>(id)];
    if (!prefix.empty() && token.starts_with(prefix)) {
      text += token.substr(prefix.size());
    } else {
      text += (text.empty() ? "" : " ") + token;
    }
  }
  return text;
}

}  // namespace topiary::data
