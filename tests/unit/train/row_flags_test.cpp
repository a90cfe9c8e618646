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

// The same bits as masked_fill_ (the sign of every zero included), on rows the batch read,
// rows it did not (+0), a row holding only a -0, and NaN.
TEST(RowFlags, MaskRowsReadEqualsMaskedFillBitForBit) {
  torch::manual_seed(5);
  torch::Tensor grad = torch::zeros({50, 16});
  for (int64_t row : {1, 7, 8, 30, 49}) grad[row] = torch::randn({16});
  grad[12][3] = -0.0f;
  grad[20][0] = std::nanf("");
  const torch::Tensor pruned = torch::rand({50, 16}) < 0.8;
  torch::Tensor expected = grad.clone();
  expected.masked_fill_(pruned, 0.0f);
  mask_rows_read(grad, pruned);
  const auto as_bits = [](const torch::Tensor& t) { return t.view(torch::kInt32); };
  EXPECT_TRUE(torch::equal(as_bits(grad), as_bits(expected)));
  // A transposed (non-contiguous) gradient takes masked_fill_ itself.
  torch::Tensor wide = torch::randn({16, 50});
  torch::Tensor transposed = wide.t();
  torch::Tensor reference = transposed.clone();
  reference.masked_fill_(pruned, 0.0f);
  mask_rows_read(transposed, pruned);
  EXPECT_TRUE(torch::equal(as_bits(transposed.contiguous()), as_bits(reference)));
}

}  // namespace
}  // namespace topiary::train
