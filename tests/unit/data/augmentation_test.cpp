// EDA-style augmentation (data/augmentation.h): deterministic per (seed, step, example), each
// operation does what it says at about its rate, and no input is ever emptied.
#include "data/augmentation.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

namespace topiary::data {
namespace {

std::vector<int32_t> sentence(int n) {
  std::vector<int32_t> ids(static_cast<size_t>(n));
  std::iota(ids.begin(), ids.end(), 10);  // 10, 11, ...: all distinct, none special
  return ids;
}

constexpr int32_t kVocabulary = 5000, kFirstWord = 2, kMask = 1;

// A word-level vocabulary: every token a word, inserts from ids 2.., masks <unk> (id 1).
AugmentVocabulary word_level() {
  AugmentVocabulary v;
  v.mask_id = kMask;
  for (int32_t id = kFirstWord; id < kVocabulary; ++id) v.insertable.push_back(id);
  return v;
}

std::vector<int32_t> run(const std::vector<int32_t>& ids, const AugmentOptions& o, int64_t step,
                         int64_t example, uint64_t seed = 7) {
  return augment_tokens(ids, o, seed, step, example, word_level());
}

TEST(Augmentation, SameKeySameResultOtherKeyOtherResult) {
  const AugmentOptions o{0.1, 0.1, 0.1, 0.05, 2};
  const auto ids = sentence(40);
  EXPECT_EQ(run(ids, o, 3, 17), run(ids, o, 3, 17));
  EXPECT_NE(run(ids, o, 3, 17), run(ids, o, 4, 17));
  EXPECT_NE(run(ids, o, 3, 17), run(ids, o, 3, 18));
  EXPECT_NE(run(ids, o, 3, 17), run(ids, o, 3, 17, 8));
  EXPECT_EQ(run(ids, AugmentOptions{}, 3, 17), ids);  // nothing asked: unchanged
}

TEST(Augmentation, DeletionRateAndNeverEmpty) {
  const auto ids = sentence(100);
  int64_t kept = 0;
  for (int64_t e = 0; e < 200; ++e) {
    const auto out = run(ids, {0.2, 0, 0, 0, 3}, 0, e);
    EXPECT_TRUE(std::is_sorted(out.begin(), out.end()));  // order kept, only removals
    kept += static_cast<int64_t>(out.size());
  }
  EXPECT_NEAR(static_cast<double>(kept) / (200.0 * 100.0), 0.8, 0.01);
  for (int64_t e = 0; e < 50; ++e) EXPECT_EQ(run(sentence(3), {1.0, 0, 0, 0, 3}, 0, e).size(), 1u);
}

TEST(Augmentation, SwapKeepsTheMultisetInsertAddsWords) {
  const auto ids = sentence(50);
  const auto swapped = run(ids, {0, 0.2, 0, 0, 3}, 1, 1);
  EXPECT_NE(swapped, ids);
  EXPECT_TRUE(std::is_permutation(swapped.begin(), swapped.end(), ids.begin()));
  const auto inserted = run(ids, {0, 0, 0.1, 0, 3}, 1, 1);
  ASSERT_EQ(inserted.size(), 55u);  // round(0.1 * 50)
  for (int32_t id : inserted) {
    EXPECT_GE(id, kFirstWord);
    EXPECT_LT(id, kVocabulary);
  }
  // The original tokens keep their relative order.
  std::vector<int32_t> originals;
  for (int32_t id : inserted) {
    if (id >= 10 && id < 60 && std::count(originals.begin(), originals.end(), id) == 0) {
      originals.push_back(id);
    }
  }
  EXPECT_TRUE(std::includes(ids.begin(), ids.end(), originals.begin(), originals.end()));
}

TEST(Augmentation, MaskReplacesWholeSpans) {
  const auto ids = sentence(1000);
  const auto out = run(ids, {0, 0, 0, 0.05, 3}, 2, 9);
  ASSERT_EQ(out.size(), ids.size());
  int64_t masked = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == kMask) {
      ++masked;
    } else {
      EXPECT_EQ(out[i], ids[i]);
    }
  }
  // Spans of 3 starting with probability 0.05 at each unmasked position: ~ 3 * 0.05 / 1.1.
  EXPECT_GT(masked, 80);
  EXPECT_LT(masked, 200);
}

// A WordPiece-like vocabulary: ids 100-103 are [UNK] [CLS] [SEP] [MASK]; ids >= 1000 are "##"
// pieces, which continue the word before them; inserts draw from 200-299.
constexpr int32_t kCls = 101, kSep = 102, kWordPieceMask = 103, kFirstPiece = 1000;

AugmentVocabulary wordpiece_like(int64_t max_tokens = 0) {
  AugmentVocabulary v;
  v.mask_id = kWordPieceMask;
  v.keep_ends = true;
  v.max_tokens = max_tokens;
  v.continues.assign(5000, false);
  for (int32_t id = kFirstPiece; id < 5000; ++id) v.continues[static_cast<size_t>(id)] = true;
  for (int32_t id = 200; id < 300; ++id) v.insertable.push_back(id);
  return v;
}

// [CLS], then `words` words of one to three pieces (a head id 300.. and "##" ids 1000..), [SEP].
std::vector<int32_t> pieces(int words) {
  std::vector<int32_t> ids{kCls};
  for (int w = 0; w < words; ++w) {
    ids.push_back(300 + w);
    for (int p = 0; p < w % 3; ++p) ids.push_back(kFirstPiece + 10 * w + p);
  }
  ids.push_back(kSep);
  return ids;
}

// The words of a [CLS] ... [SEP] sequence, each as its pieces; checks the ends are in place.
std::vector<std::vector<int32_t>> words_of(const std::vector<int32_t>& ids) {
  EXPECT_GE(ids.size(), 2u);
  EXPECT_EQ(ids.front(), kCls);
  EXPECT_EQ(ids.back(), kSep);
  std::vector<std::vector<int32_t>> words;
  for (size_t i = 1; i + 1 < ids.size(); ++i) {
    if (ids[i] >= kFirstPiece && !words.empty()) {
      words.back().push_back(ids[i]);
    } else {
      words.push_back({ids[i]});
    }
  }
  return words;
}

TEST(Augmentation, WordPieceKeepsEndsAndMovesWholeWords) {
  const auto ids = pieces(60);
  const auto original = words_of(ids);
  const AugmentVocabulary v = wordpiece_like();
  for (int64_t e = 0; e < 20; ++e) {
    // Deletion and swaps: every word left is one of the original words, pieces together.
    const auto out = augment_tokens(ids, {0.2, 0.2, 0, 0, 3}, 7, 1, e, v);
    const auto words = words_of(out);
    EXPECT_LT(words.size(), original.size());
    for (const auto& word : words) {
      EXPECT_NE(std::find(original.begin(), original.end(), word), original.end());
    }
    // Inserts are single whole-word pieces from the insertable list.
    const auto inserted = words_of(augment_tokens(ids, {0, 0, 0.1, 0, 3}, 7, 1, e, v));
    ASSERT_EQ(inserted.size(), original.size() + 6);  // round(0.1 * 60)
    int64_t new_words = 0;
    for (const auto& word : inserted) {
      if (std::find(original.begin(), original.end(), word) != original.end()) continue;
      ++new_words;
      ASSERT_EQ(word.size(), 1u);
      EXPECT_GE(word[0], 200);
      EXPECT_LT(word[0], 300);
    }
    EXPECT_EQ(new_words, 6);
  }
}

TEST(Augmentation, WordPieceMasksEveryPieceOfAWord) {
  const auto ids = pieces(300);
  const auto out = augment_tokens(ids, {0, 0, 0, 0.1, 1}, 7, 2, 3, wordpiece_like());
  ASSERT_EQ(out.size(), ids.size());
  ASSERT_EQ(out.front(), kCls);
  ASSERT_EQ(out.back(), kSep);
  // Walk the original words by position: each is either kept or [MASK] in every piece.
  int64_t masked = 0;
  size_t at = 1;
  for (const auto& word : words_of(ids)) {
    const std::vector<int32_t> now(out.begin() + static_cast<int64_t>(at),
                                   out.begin() + static_cast<int64_t>(at + word.size()));
    if (now[0] == kWordPieceMask) {
      ++masked;
      EXPECT_EQ(now, std::vector<int32_t>(word.size(), kWordPieceMask));
    } else {
      EXPECT_EQ(now, word);
    }
    at += word.size();
  }
  EXPECT_GT(masked, 15);  // ~ 300 * 0.1
  EXPECT_LT(masked, 50);
}

TEST(Augmentation, WordPieceStaysWithinMaxTokensAndShortInputsStay) {
  const auto ids = pieces(20);
  const auto limit = static_cast<int64_t>(ids.size());
  for (int64_t e = 0; e < 20; ++e) {
    const auto out = augment_tokens(ids, {0, 0, 0.3, 0, 3}, 7, 0, e, wordpiece_like(limit));
    EXPECT_EQ(static_cast<int64_t>(out.size()), limit);  // inserts cut back to the limit
    words_of(out);                                       // ... with [SEP] still last
  }
  // [CLS] [SEP] alone has no text to change; deleting everything leaves one word.
  const std::vector<int32_t> empty{kCls, kSep};
  EXPECT_EQ(augment_tokens(empty, {1.0, 1.0, 1.0, 1.0, 3}, 7, 0, 0, wordpiece_like()), empty);
  for (int64_t e = 0; e < 10; ++e) {
    EXPECT_EQ(
        words_of(augment_tokens(pieces(5), {1.0, 0, 0, 0, 3}, 7, 0, e, wordpiece_like())).size(),
        1u);
  }
}

}  // namespace
}  // namespace topiary::data
