#include "train/finite_check.h"

#include <ATen/ops/_amp_foreach_non_finite_check_and_unscale.h>
#include <torch/torch.h>

#include <algorithm>
#include <cstdint>

namespace topiary::train {
namespace {

// A float is Inf or NaN exactly when its exponent bits are all ones, i.e. when its magnitude
// bits are >= 0x7f800000. A max over blocks vectorises; the exit between blocks keeps a bad
// gradient cheap to find.
bool all_finite_cpu(const torch::Tensor& tensor) {
  const auto* bits = static_cast<const uint32_t*>(tensor.const_data_ptr());
  const int64_t n = tensor.numel();
  constexpr int64_t kBlock = 4096;
  for (int64_t begin = 0; begin < n; begin += kBlock) {
    const int64_t end = std::min(n, begin + kBlock);
    uint32_t largest = 0;
    for (int64_t i = begin; i < end; ++i) largest = std::max(largest, bits[i] & 0x7fffffffu);
    if (largest >= 0x7f800000u) return false;
  }
  return true;
}

bool read_on_host(const torch::Tensor& tensor) {
  return tensor.is_cpu() && tensor.scalar_type() == torch::kFloat32 && tensor.is_contiguous();
}

}  // namespace

torch::Tensor finite_gradient_flags(
    const std::vector<std::pair<std::string, torch::Tensor>>& parameters) {
  torch::NoGradGuard no_grad;
  const torch::Device device =
      parameters.empty() ? torch::Device(torch::kCPU) : parameters.front().second.device();
  std::vector<torch::Tensor> flags;
  flags.reserve(parameters.size());
  for (const auto& [name, parameter] : parameters) {
    const torch::Tensor& grad = parameter.grad();
    if (!grad.defined()) {
      flags.push_back(torch::ones({}, torch::TensorOptions(torch::kBool).device(device)));
    } else if (read_on_host(grad)) {
      flags.push_back(torch::scalar_tensor(all_finite_cpu(grad), torch::kBool));
    } else {
      flags.push_back(torch::isfinite(grad).all());
    }
  }
  if (flags.empty()) return torch::ones({0}, torch::TensorOptions(torch::kBool).device(device));
  return torch::stack(flags);
}

torch::Tensor nonfinite_gradient_found(
    const std::vector<std::pair<std::string, torch::Tensor>>& parameters) {
  torch::NoGradGuard no_grad;
  const torch::Device device =
      parameters.empty() ? torch::Device(torch::kCPU) : parameters.front().second.device();
  const auto float_options = torch::TensorOptions(torch::kFloat32).device(device);
  torch::Tensor found = torch::zeros({1}, float_options);
  std::vector<torch::Tensor> checked_together;
  // The multi-tensor pass refuses overlapping memory and, on CUDA, any dtype but float32 and
  // float16; such gradients are checked one by one.
  std::vector<torch::Tensor> checked_alone;
  for (const auto& [name, parameter] : parameters) {
    const torch::Tensor& grad = parameter.grad();
    if (!grad.defined()) continue;
    const bool together =
        (grad.scalar_type() == torch::kFloat32 || grad.scalar_type() == torch::kFloat16) &&
        grad.is_non_overlapping_and_dense();
    (together ? checked_together : checked_alone).push_back(grad);
  }
  if (!checked_together.empty()) {
    at::_amp_foreach_non_finite_check_and_unscale_(checked_together, found,
                                                   torch::ones({1}, float_options));
  }
  for (const torch::Tensor& grad : checked_alone) {
    found = torch::maximum(found, torch::isfinite(grad).all().logical_not().to(torch::kFloat32));
  }
  return found.reshape({});
}

}  // namespace topiary::train
