#pragma once
// 16-bit floats for the wire (training.comm_dtype): conversions to and from float32 with
// IEEE round-to-nearest-even, and the element-wise sums an MPI reduction needs. Each sum is
// done in float32 and rounded once, so a + b gives the same bits on every rank (addition is
// commutative) and the result does not depend on which rank adds.
#include <cstdint>
#include <cstring>

namespace topiary::comm {

inline float bfloat16_to_float(uint16_t bits) {
  const uint32_t wide = static_cast<uint32_t>(bits) << 16;
  float value;
  std::memcpy(&value, &wide, sizeof(value));
  return value;
}

inline uint16_t float_to_bfloat16(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  if ((bits & 0x7fffffffu) > 0x7f800000u)
    return static_cast<uint16_t>((bits >> 16) | 0x40u);  // quiet NaN
  const uint32_t lsb = (bits >> 16) & 1u;
  return static_cast<uint16_t>((bits + 0x7fffu + lsb) >> 16);  // ties to even; overflow -> inf
}

// g++ 12 implements _Float16 conversions (round to nearest even) on every target we build.
inline float float16_to_float(uint16_t bits) {
  _Float16 half;
  std::memcpy(&half, &bits, sizeof(half));
  return static_cast<float>(half);
}

inline uint16_t float_to_float16(float value) {
  const auto half = static_cast<_Float16>(value);
  uint16_t bits;
  std::memcpy(&bits, &half, sizeof(bits));
  return bits;
}

// inout[i] = round(in[i] + inout[i]), the MPI user-op shape.
inline void add_bfloat16(const uint16_t* in, uint16_t* inout, int64_t count) {
  for (int64_t i = 0; i < count; ++i) {
    inout[i] = float_to_bfloat16(bfloat16_to_float(in[i]) + bfloat16_to_float(inout[i]));
  }
}

inline void add_float16(const uint16_t* in, uint16_t* inout, int64_t count) {
  for (int64_t i = 0; i < count; ++i) {
    inout[i] = float_to_float16(float16_to_float(in[i]) + float16_to_float(inout[i]));
  }
}

}  // namespace topiary::comm
