// Row flags of the row-sparse exchange: touched rows are flagged, untouched rows become +0.
#include "train/row_flags.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

namespace topiary::train {
namespace {

TEST(RowFlags, FlagsRowsWithANonZeroEntryAndCanonicalisesNegativeZeros) {
  torch::Tensor grad = torch::zeros({4, 3});
  grad[1][2] = 0.5f;
  grad[2][0] = -0.0f;  // all zero, one negative zero: untouched, rewritten to +0
  grad[3][1] = -2.0f;
  const torch::Tensor flags = flag_touched_rows(grad);
  EXPECT_EQ(flags.scalar_type(), torch::kUInt8);
  EXPECT_TRUE(torch::equal(flags, torch::tensor({0, 1, 0, 1}, torch::kUInt8)));
  EXPECT_FALSE(std::signbit(grad[2][0].item<float>()));
  EXPECT_EQ(grad[1][2].item<float>(), 0.5f);
  EXPECT_EQ(grad[3][1].item<float>(), -2.0f);
}

TEST(RowFlags, NaNAndInfinityCountAsTouched) {
  torch::Tensor grad = torch::zeros({2, 2});
  grad[0][1] = std::nanf("");
  grad[1][0] = INFINITY;
  EXPECT_TRUE(torch::equal(flag_touched_rows(grad), torch::tensor({1, 1}, torch::kUInt8)));
}

}  // namespace
}  // namespace topiary::train
