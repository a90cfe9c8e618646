#pragma once
// The pruning masks of one model: a float 0/1 tensor per pruned parameter, in parameter order.
// Note [Masks]: a pruned weight is zeroed when its mask entry becomes 0, and so is its
// optimizer state (Adam's moments, SGD's momentum); from then on its gradient is zeroed before
// every optimizer step (masked, or left out of the compacted exchange). Adam's update of such an
// entry is lr * 0 / (0 + eps) = 0, weight decay of a zero is zero, and SGD's momentum stays zero,
// so the weight stays exactly zero with no re-masking after each step (on the TextCNN that was
// a pass over the 1.8M-entry embedding table every step). Snapshots, rewinds and resumed
// checkpoints apply the masks to the weights they load.
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
