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

std::vector<int32_t> run(const std::vector<int32_t>& ids, const AugmentOptions& o, int64_t step,
                         int64_t example, uint64_t seed = 7) {
  return augment_tokens(ids, o, seed, step, example, kFirstWord, kVocabulary, kMask);
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

}  // namespace
}  // namespace topiary::data
