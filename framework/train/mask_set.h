#pragma once
// The pruning masks of one model: a float 0/1 tensor per pruned parameter, in parameter order.
// Note [Masks]: masks multiply gradients before the all-reduce and weights after every
// optimizer step, and optimizer state is zeroed where a mask newly becomes 0, so neither
// momentum nor weight decay can revive a pruned weight.
#include <torch/types.h>

#include <map>
#include <string>
#include <vector>

namespace topiary::train {

class MaskSet {
 public:
  // Starts all-ones for each named parameter (no-op if already present).
  void add(const std::string& name, const torch::Tensor& parameter);
  bool has(const std::string& name) const { return masks_.count(name) > 0; }
  torch::Tensor& at(const std::string& name) { return masks_.at(name); }
  const std::map<std::string, torch::Tensor>& all() const { return masks_; }

  void apply_to_weights(const std::vector<std::pair<std::string, torch::Tensor>>& parameters) const;
  void apply_to_grads(const std::vector<std::pair<std::string, torch::Tensor>>& parameters) const;

  int64_t masked_elements() const;  // elements under any mask
  int64_t zero_elements() const;    // of those, pruned
  double sparsity() const;

 private:
  std::map<std::string, torch::Tensor> masks_;
};

}  // namespace topiary::train
