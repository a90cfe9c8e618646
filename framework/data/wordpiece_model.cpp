#include "data/wordpiece_model.h"

#include "core/error.h"

namespace topiary::data {
namespace {

bool is_continuation_byte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

int64_t count_code_points(std::string_view text) {
  int64_t count = 0;
  for (const char c : text) count += is_continuation_byte(c) ? 0 : 1;
  return count;
}

}  // namespace

WordPieceModel::WordPieceModel(const std::vector<std::pair<std::string, int32_t>>& pieces,
                               WordPieceModelOptions options)
    : options_(std::move(options)) {
  for (const auto& [token, id] : pieces) ids_.find_or_insert(token, id);
  const int32_t* unk = ids_.find(options_.unk_token);
  if (unk == nullptr) {
    throw UserError("the WordPiece unk_token '" + options_.unk_token +
                    "' is not in the vocabulary");
  }
  unk_id_ = *unk;
}

int32_t WordPieceModel::longest_piece(std::string_view word, size_t start, size_t& end,
                                      std::string& candidate) const {
  for (end = word.size(); end > start;) {
    const std::string_view part = word.substr(start, end - start);
    const int32_t* id = nullptr;
    if (start == 0) {
      id = ids_.find(part);
    } else {
      candidate.assign(options_.continuing_subword_prefix).append(part);
      id = ids_.find(candidate);
    }
    if (id != nullptr) return *id;
    do {
      --end;  // one code point shorter
    } while (end > start && is_continuation_byte(word[end]));
  }
  return -1;
}

void WordPieceModel::tokenize(std::string_view word, std::vector<int32_t>& ids) const {
  if (count_code_points(word) > options_.max_input_chars_per_word) {
    ids.push_back(unk_id_);
    return;
  }
  const size_t first = ids.size();
  std::string candidate;
  for (size_t start = 0, end = 0; start < word.size(); start = end) {
    const int32_t id = longest_piece(word, start, end, candidate);
    if (id < 0) {
      ids.resize(first);
      ids.push_back(unk_id_);
      return;
    }
    ids.push_back(id);
  }
}

}  // namespace topiary::data
