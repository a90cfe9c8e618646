#include "data/split.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "test_support.h"

namespace topiary::data {
namespace {

TEST(Shuffle, IsAPermutationAndDependsOnTheSeed) {
  auto a = shuffled_indices(1000, 1);
  auto b = shuffled_indices(1000, 1);
  auto c = shuffled_indices(1000, 2);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  std::sort(c.begin(), c.end());
  for (int64_t i = 0; i < 1000; ++i) ASSERT_EQ(c[static_cast<size_t>(i)], i);
  EXPECT_TRUE(shuffled_indices(0, 1).empty());
  EXPECT_EQ(shuffled_indices(1, 1), std::vector<int64_t>{0});
}

TEST(Shuffle, PinnedOutputSoSplitsStayReproducible) {
  // If this changes, every dataset prepared with --valid-fraction changes: bump format_version.
  EXPECT_EQ(shuffled_indices(10, 1), (std::vector<int64_t>{1, 7, 3, 9, 4, 0, 5, 2, 6, 8}));
}

TEST(SplitByFraction, SizesAndDisjointness) {
  const SplitIndices split = split_by_fraction(100, 0.1, 7);
  EXPECT_EQ(split.valid.size(), 10u);
  EXPECT_EQ(split.train.size(), 90u);
  EXPECT_TRUE(std::is_sorted(split.train.begin(), split.train.end()));
  std::vector<int64_t> all = split.train;
  all.insert(all.end(), split.valid.begin(), split.valid.end());
  std::sort(all.begin(), all.end());
  EXPECT_EQ(std::adjacent_find(all.begin(), all.end()), all.end());
  EXPECT_EQ(all.size(), 100u);
  EXPECT_EQ(split_by_fraction(3, 0.01, 1).valid.size(), 1u);  // at least one
}

TEST(SplitByFraction, BadFractionsAreUserErrors) {
  EXPECT_USER_ERROR(split_by_fraction(10, 0.0, 1), "--valid-fraction");
  EXPECT_USER_ERROR(split_by_fraction(10, 1.0, 1), "--valid-fraction");
  EXPECT_USER_ERROR(split_by_fraction(1, 0.5, 1), "no training examples");
}

// The streaming prepare decides each document on its own; it must pick exactly the documents the
// in-memory prepare picks, so that a file's split does not depend on which path prepared it.
TEST(ValidMembership, PicksExactlyTheValidIndicesOfSplitByFraction) {
  for (const int64_t n : {2, 3, 10, 97, 1000, 40000}) {
    for (const double fraction : {0.01, 0.1, 0.5, 0.9}) {
      for (const uint64_t seed : {uint64_t{0}, uint64_t{1}, uint64_t{12345}}) {
        const int64_t count = std::max<int64_t>(1, std::llround(double(n) * fraction));
        if (count >= n) continue;
        const std::vector<bool> valid = valid_membership(n, fraction, seed);
        const SplitIndices split = split_by_fraction(n, fraction, seed);
        ASSERT_EQ(valid.size(), static_cast<size_t>(n));
        std::vector<int64_t> picked;
        for (int64_t i = 0; i < n; ++i) {
          if (valid[static_cast<size_t>(i)]) picked.push_back(i);
        }
        ASSERT_EQ(picked, split.valid) << "n=" << n << " fraction=" << fraction << " seed=" << seed;
      }
    }
  }
}

TEST(ValidMembership, BadFractionsAreTheSameUserErrors) {
  EXPECT_USER_ERROR(valid_membership(10, 0.0, 1), "--valid-fraction");
  EXPECT_USER_ERROR(valid_membership(10, 1.0, 1), "--valid-fraction");
  EXPECT_USER_ERROR(valid_membership(1, 0.5, 1), "no training examples");
}

}  // namespace
}  // namespace topiary::data
