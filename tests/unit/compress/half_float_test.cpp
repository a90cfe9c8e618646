#include "compress/half_float.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace topiary::compress {
namespace {

TEST(HalfFloat, Fp16KnownBitPatterns) {
  EXPECT_EQ(float_to_fp16(1.0f), 0x3C00);
  EXPECT_EQ(float_to_fp16(-2.0f), 0xC000);
  EXPECT_EQ(float_to_fp16(65504.0f), 0x7BFF);                          // largest finite
  EXPECT_EQ(float_to_fp16(65520.0f), 0x7C00);                          // rounds to inf
  EXPECT_EQ(float_to_fp16(std::ldexp(1.0f, -24)), 0x0001);             // smallest subnormal
  EXPECT_EQ(float_to_fp16(std::ldexp(1.0f, -14)), 0x0400);             // smallest normal
  EXPECT_EQ(float_to_fp16(std::ldexp(1.0f, -26)), 0x0000);             // below half a subnormal
  EXPECT_EQ(float_to_fp16(1.0f + std::ldexp(1.0f, -11)), 0x3C00);      // tie -> even
  EXPECT_EQ(float_to_fp16(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3C02);  // tie -> even (up)
  EXPECT_TRUE(std::isnan(fp16_to_float(float_to_fp16(std::numeric_limits<float>::quiet_NaN()))));
}

TEST(HalfFloat, Fp16RoundTripIsExactForRepresentableValuesAndCloseOtherwise) {
  for (uint32_t bits = 0; bits < 0x7C00; ++bits) {  // every finite positive fp16
    const auto h = static_cast<uint16_t>(bits);
    ASSERT_EQ(float_to_fp16(fp16_to_float(h)), h) << bits;
  }
  for (float x : {0.1f, -3.14159f, 1234.567f, 1e-5f}) {
    EXPECT_NEAR(fp16_to_float(float_to_fp16(x)), x, std::abs(x) * 1e-3 + 1e-7);
  }
}

TEST(HalfFloat, Bf16KeepsTheExponentAndRoundsTheMantissa) {
  EXPECT_EQ(float_to_bf16(1.0f), 0x3F80);
  EXPECT_EQ(float_to_bf16(3.0e38f), 0x7F62);                      // what torch .to(bfloat16) gives
  EXPECT_EQ(float_to_bf16(1.0f + std::ldexp(1.0f, -8)), 0x3F80);  // tie -> even
  EXPECT_NEAR(bf16_to_float(float_to_bf16(0.1f)), 0.1f, 1e-3);
  EXPECT_TRUE(std::isnan(bf16_to_float(float_to_bf16(std::numeric_limits<float>::quiet_NaN()))));
}

}  // namespace
}  // namespace topiary::compress
