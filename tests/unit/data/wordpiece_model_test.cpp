#include "data/wordpiece_model.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace topiary::data {
namespace {

using Ids = std::vector<int32_t>;

WordPieceModel tiny_model(int64_t max_chars = 100) {
  return WordPieceModel({{"[UNK]", 0},
                         {"un", 1},
                         {"##aff", 2},
                         {"##able", 3},
                         {"a", 4},
                         {"##b", 5},
                         {"é", 6},
                         {"##é", 7},
                         {"unaff", 8}},
                        {"[UNK]", "##", max_chars});
}

Ids pieces(const WordPieceModel& model, std::string_view word) {
  Ids ids;
  model.tokenize(word, ids);
  return ids;
}

TEST(WordPieceModel, LongestMatchFirst) {
  const WordPieceModel model = tiny_model();
  EXPECT_EQ(pieces(model, "unaffable"), (Ids{8, 3}));  // "unaff" beats "un"
  EXPECT_EQ(pieces(model, "ab"), (Ids{4, 5}));
  EXPECT_EQ(pieces(model, "ééé"), (Ids{6, 7, 7}));
}

TEST(WordPieceModel, AWordWithAnUnmatchedPartIsOneUnknown) {
  const WordPieceModel model = tiny_model();
  EXPECT_EQ(pieces(model, "unaffx"), (Ids{0}));
  EXPECT_EQ(pieces(model, "b"), (Ids{0}));  // "##b" only continues a word
  Ids ids{42};
  model.tokenize("abx", ids);
  EXPECT_EQ(ids, (Ids{42, 0}));  // the pieces found before the gap are taken back
}

TEST(WordPieceModel, LengthLimitCountsCodePoints) {
  const WordPieceModel model = tiny_model(3);
  EXPECT_EQ(pieces(model, "ééé"), (Ids{6, 7, 7}));  // 6 bytes, 3 code points
  EXPECT_EQ(pieces(model, "éééé"), (Ids{0}));
  const WordPieceModel hundred = tiny_model();
  EXPECT_EQ(pieces(hundred, "a" + std::string(99, 'b')).size(), 100u);
  EXPECT_EQ(pieces(hundred, "a" + std::string(100, 'b')), (Ids{0}));
}

TEST(WordPieceModel, NeedsItsUnknownToken) {
  EXPECT_USER_ERROR(WordPieceModel({{"a", 0}}, {"[UNK]", "##", 100}), "'[UNK]'",
                    "not in the vocabulary");
}

}  // namespace
}  // namespace topiary::data
