#pragma once
// IEEE binary16 (fp16) and bfloat16 conversions for compact exports. Both round to nearest,
// ties to even, as torch's .to(kHalf) / .to(kBFloat16) do; NaN stays NaN, overflow becomes inf.
#include <cstdint>

namespace topiary::compress {

uint16_t float_to_fp16(float value);
float fp16_to_float(uint16_t bits);
uint16_t float_to_bf16(float value);
float bf16_to_float(uint16_t bits);

}  // namespace topiary::compress
