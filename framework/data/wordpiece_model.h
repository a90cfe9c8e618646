#pragma once
// The WordPiece model of Hugging Face `tokenizers` (models::WordPiece): cuts one pre-tokenized
// word into the longest vocabulary piece from its start, then the longest "##"-prefixed piece
// from where that ended, and so on (greedy longest match first). A word with a part that no
// piece matches, or longer than max_input_chars_per_word code points, is one unknown token.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "data/string_table.h"

namespace topiary::data {

struct WordPieceModelOptions {
  std::string unk_token = "[UNK]";
  std::string continuing_subword_prefix = "##";
  int64_t max_input_chars_per_word = 100;
};

class WordPieceModel {
 public:
  // `pieces`: (token, id) pairs, tokenizer.json's model.vocab. UserError when unk_token is not
  // one of them.
  WordPieceModel(const std::vector<std::pair<std::string, int32_t>>& pieces,
                 WordPieceModelOptions options);

  // Appends the ids of `word` (UTF-8) to `ids`.
  void tokenize(std::string_view word, std::vector<int32_t>& ids) const;
  int32_t unk_id() const { return unk_id_; }

 private:
  // The id of the longest piece that starts at word[start] (prefixed unless start is 0); sets
  // `end` to where it ends. -1 when there is none. `candidate` is scratch space.
  int32_t longest_piece(std::string_view word, size_t start, size_t& end,
                        std::string& candidate) const;

  WordPieceModelOptions options_;
  StringTable<int32_t> ids_;
  int32_t unk_id_ = 0;
};

}  // namespace topiary::data
