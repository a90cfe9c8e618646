#include "train/batch.h"

#include <gtest/gtest.h>

namespace topiary::train {
namespace {

using Bounds = std::vector<int64_t>;

TEST(MicroBatchBounds, WithoutMaxTokensTheyAreTheAccumulateParts) {
  const std::vector<int64_t> lengths(10, 7);
  EXPECT_EQ(micro_batch_bounds(lengths, 1, 0, 3), (Bounds{0, 10}));
  EXPECT_EQ(micro_batch_bounds(lengths, 3, 0, 3), (Bounds{0, 3, 6, 10}));
}

TEST(MicroBatchBounds, MaxTokensCutsGreedilyOnRowsTimesLongest) {
  // rows x longest <= 12: [4 2 3] = 3x4, [6 1] = 2x6, [2 2 2 2 2 2] = 6x2, [5] (next 7 -> 2x7).
  const std::vector<int64_t> lengths{4, 2, 3, 6, 1, 2, 2, 2, 2, 2, 2, 5, 7};
  EXPECT_EQ(micro_batch_bounds(lengths, 1, 12, 1), (Bounds{0, 3, 5, 11, 12, 13}));
  // min_length 3 pads the short rows: [4 2 3] 3x4, [6 1] 2x6, [2 2 2 2] 4x3, [2 2] + 5 -> 3x5 > 12.
  EXPECT_EQ(micro_batch_bounds(lengths, 1, 12, 3), (Bounds{0, 3, 5, 9, 11, 12, 13}));
}

TEST(MicroBatchBounds, MaxTokensCutsWithinEachAccumulatePart) {
  const std::vector<int64_t> lengths(8, 2);  // parts [0,4) and [4,8); 3 rows of 2 fit in 6
  EXPECT_EQ(micro_batch_bounds(lengths, 2, 6, 1), (Bounds{0, 3, 4, 7, 8}));
}

TEST(MicroBatchBounds, ARowLongerThanMaxTokensRunsAlone) {
  const std::vector<int64_t> lengths{2, 20, 2, 2};
  EXPECT_EQ(micro_batch_bounds(lengths, 1, 8, 1), (Bounds{0, 1, 2, 4}));
}

}  // namespace
}  // namespace topiary::train
