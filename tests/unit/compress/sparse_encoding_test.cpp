#include "compress/sparse_encoding.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace topiary::compress {
namespace {

const std::vector<int64_t> kShape{2, 8};
const std::vector<float> kValues{1, 2, 3, 4, 5, 6, 7, 8, -1, -2, -3, -4, -5, -6, -7, -8};
// 2:4 in every group of 4 of each row.
const std::vector<float> kMask{1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 1};

std::vector<float> masked() {
  std::vector<float> out(kValues.size());
  for (size_t i = 0; i < out.size(); ++i) out[i] = kValues[i] * kMask[i];
  return out;
}

TEST(SparseEncoding, EveryEncodingRoundTripsToTheMaskedWeights) {
  for (Encoding e : {Encoding::kDense, Encoding::kBitmask, Encoding::kCsr, Encoding::kNm}) {
    const EncodedTensor t = encode(kValues, kMask, kShape, e, 2, 4);
    EXPECT_EQ(decode(t, "t"), masked()) << encoding_name(e);
  }
}

TEST(SparseEncoding, LayoutsAreTheDocumentedOnes) {
  const EncodedTensor bitmask = encode(kValues, kMask, kShape, Encoding::kBitmask);
  // Entries 0, 2, 5, 6 of the first byte (LSB first) and 10, 11, 12, 15 of the second.
  EXPECT_EQ(bitmask.bits, (std::vector<uint8_t>{0b01100101, 0b10011100}));
  EXPECT_EQ(bitmask.values, (std::vector<float>{1, 3, 6, 7, -3, -4, -5, -8}));
  const EncodedTensor csr = encode(kValues, kMask, kShape, Encoding::kCsr);
  EXPECT_EQ(csr.indptr, (std::vector<int64_t>{0, 4, 8}));
  EXPECT_EQ(csr.indices, (std::vector<int32_t>{0, 2, 5, 6, 2, 3, 4, 7}));
  const EncodedTensor nm = encode(kValues, kMask, kShape, Encoding::kNm, 2, 4);
  EXPECT_EQ(nm.positions, (std::vector<uint8_t>{0, 2, 1, 2, 2, 3, 0, 3}));
  EXPECT_EQ(nm.values, bitmask.values);
}

TEST(SparseEncoding, NmNeedsAnExactNmMask) {
  EXPECT_TRUE(is_n_of_m(kMask, kShape, 2, 4));
  std::vector<float> three = kMask;
  three[1] = 1;  // 3 of the first 4
  EXPECT_FALSE(is_n_of_m(three, kShape, 2, 4));
  EXPECT_FALSE(is_n_of_m(kMask, {2, 8}, 2, 3));  // 8 columns are not groups of 3
  EXPECT_FALSE(is_n_of_m({}, kShape, 2, 4));
}

TEST(SparseEncoding, InconsistentArraysAreUserErrors) {
  EncodedTensor bitmask = encode(kValues, kMask, kShape, Encoding::kBitmask);
  bitmask.values.pop_back();
  EXPECT_THROW(decode(bitmask, "w"), UserError);
  EncodedTensor csr = encode(kValues, kMask, kShape, Encoding::kCsr);
  csr.indices[3] = 8;  // column out of range
  EXPECT_THROW(decode(csr, "w"), UserError);
  csr = encode(kValues, kMask, kShape, Encoding::kCsr);
  csr.indptr[1] = 9;  // past the values
  EXPECT_THROW(decode(csr, "w"), UserError);
  EncodedTensor nm = encode(kValues, kMask, kShape, Encoding::kNm, 2, 4);
  nm.positions[0] = 4;
  EXPECT_THROW(decode(nm, "w"), UserError);
  EncodedTensor dense = encode(kValues, {}, kShape, Encoding::kDense);
  dense.shape = {3, 8};
  EXPECT_THROW(decode(dense, "w"), UserError);
  EXPECT_THROW(parse_encoding("coo"), UserError);
}

}  // namespace
}  // namespace topiary::compress
