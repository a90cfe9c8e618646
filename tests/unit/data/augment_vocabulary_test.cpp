// Which ids augmentation may insert and mask with, and how tokens group into words, for a
// WordPiece dataset (the tiny BERT tokenizer of wordpiece_fixture.h) and a word-level one.
#include "data/augment_vocabulary.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "data/tokenizer_json.h"
#include "wordpiece_fixture.h"

namespace topiary::data {
namespace {

Dataset wordpiece_dataset() {
  const WordPieceTokenizerFile file =
      parse_tokenizer_json(test::tiny_tokenizer_json().dump(), "tokenizer.json");
  Dataset dataset;
  dataset.vocabulary = file.vocabulary;
  dataset.attributes["tokenizer"] = wordpiece_description(file.settings);
  // [CLS] un ##aff ##able [SEP] and [CLS] cafe ! [SEP]: the longest has 5 tokens.
  dataset.train.tokens = {3, 6, 7, 8, 4, 3, 9, 10, 4};
  dataset.train.offsets = {0, 5, 9};
  dataset.train.labels = {0, 1};
  return dataset;
}

TEST(AugmentVocabulary, WordPieceInsertsWholeWordsMasksWithMaskKeepsEnds) {
  const AugmentVocabulary v = augment_vocabulary(wordpiece_dataset());
  EXPECT_TRUE(v.keep_ends);
  EXPECT_EQ(v.mask_id, 5);  // [MASK]
  EXPECT_EQ(v.max_tokens, 5);
  // No special, [unused] or "##" piece: un cafe ! a 中 文 hello ' t don σ.
  EXPECT_EQ(v.insertable, (std::vector<int32_t>{6, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19}));
  ASSERT_EQ(v.continues.size(), test::tiny_vocabulary().size());
  for (size_t id = 0; id < v.continues.size(); ++id) {
    EXPECT_EQ(v.continues[id], id == 7 || id == 8 || id == 12) << test::tiny_vocabulary()[id];
  }
}

TEST(AugmentVocabulary, WordPieceWithoutMaskMasksWithTheUnknownToken) {
  Dataset dataset = wordpiece_dataset();
  dataset.vocabulary[5] = "[MASKED]";  // still bracketed: never inserted
  const AugmentVocabulary v = augment_vocabulary(dataset);
  EXPECT_EQ(v.mask_id, 2);  // [UNK]
  EXPECT_EQ(std::count(v.insertable.begin(), v.insertable.end(), 5), 0);
}

TEST(AugmentVocabulary, WordLevelEveryTokenAWordMaskedAsUnknown) {
  Dataset dataset;
  dataset.vocabulary = {"<pad>", "<unk>", "the", "film", "works"};
  dataset.attributes["tokenizer"] = "word,lowercase=1";
  const AugmentVocabulary v = augment_vocabulary(dataset);
  EXPECT_FALSE(v.keep_ends);
  EXPECT_EQ(v.mask_id, 1);
  EXPECT_EQ(v.max_tokens, 0);
  EXPECT_TRUE(v.continues.empty());
  EXPECT_EQ(v.insertable, (std::vector<int32_t>{2, 3, 4}));
}

}  // namespace
}  // namespace topiary::data
