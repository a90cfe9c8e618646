#pragma once
// Shared by the gpu-labelled tests: the skip condition and a tolerant tensor comparison.
#include <torch/types.h>

#include <string>

namespace topiary::gpu_test {

// Empty when a CUDA device is usable, else why the GPU tests skip.
std::string cuda_skip_reason();

// Largest |a - b| over all elements (both moved to CPU fp32).
double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b);

// Fraction of elements with |a - b| > atol + rtol * |b|.
double fraction_outside(const torch::Tensor& a, const torch::Tensor& b, double rtol, double atol);

}  // namespace topiary::gpu_test

// Skips the calling test with the reason when no CUDA device is usable.
#define TOPIARY_REQUIRE_CUDA()                                                     \
  do {                                                                             \
    const std::string topiary_skip_reason = topiary::gpu_test::cuda_skip_reason(); \
    if (!topiary_skip_reason.empty()) GTEST_SKIP() << topiary_skip_reason;         \
  } while (0)
