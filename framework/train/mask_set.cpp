#include "train/mask_set.h"

#include <torch/torch.h>

namespace topiary::train {

void MaskSet::add(const std::string& name, const torch::Tensor& parameter) {
  if (!has(name)) masks_.emplace(name, torch::ones_like(parameter).detach());
}

void MaskSet::apply_to_weights(
    const std::vector<std::pair<std::string, torch::Tensor>>& parameters) const {
  torch::NoGradGuard no_grad;
  for (const auto& [name, parameter] : parameters) {
    auto it = masks_.find(name);
    if (it != masks_.end()) parameter.mul_(it->second);
  }
}

void MaskSet::apply_to_grads(
    const std::vector<std::pair<std::string, torch::Tensor>>& parameters) const {
  torch::NoGradGuard no_grad;
  for (const auto& [name, parameter] : parameters) {
    auto it = masks_.find(name);
    if (it != masks_.end() && parameter.grad().defined()) parameter.mutable_grad().mul_(it->second);
  }
}

int64_t MaskSet::masked_elements() const {
  int64_t total = 0;
  for (const auto& [name, mask] : masks_) total += mask.numel();
  return total;
}

int64_t MaskSet::zero_elements() const {
  int64_t zeros = 0;
  for (const auto& [name, mask] : masks_) zeros += (mask == 0).sum().item<int64_t>();
  return zeros;
}

double MaskSet::sparsity() const {
  const int64_t total = masked_elements();
  return total == 0 ? 0.0 : static_cast<double>(zero_elements()) / static_cast<double>(total);
}

}  // namespace topiary::train
