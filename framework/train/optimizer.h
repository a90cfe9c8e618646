#pragma once
#include <torch/optim/optimizer.h>
#include <torch/types.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "recipe/recipe.h"

namespace topiary::train {

using NamedParameters = std::vector<std::pair<std::string, torch::Tensor>>;

// adam | adamw | sgd (with momentum) | adadelta, from the recipe's training section; parameters
// matching training.no_decay are not decayed.
std::unique_ptr<torch::optim::Optimizer> make_optimizer(const recipe::TrainingConfig& config,
                                                        const NamedParameters& parameters);

// Zeroes the optimizer's per-parameter state where `mask` is 0 (see Note [Masks]).
void zero_optimizer_state(torch::optim::Optimizer& optimizer, const torch::Tensor& parameter,
                          const torch::Tensor& mask);

// training.max_norm: scales each row (slice along the first dimension) of the parameters that
// max_norm_targets names down to L2 norm max_norm where it is above; a no-op when off. Pruned
// entries stay zero (a scaling of zero).
void apply_max_norm(const recipe::TrainingConfig& config, const NamedParameters& parameters);

// Per-parameter optimizer state as plain arrays ("<param>:exp_avg", ...) plus each parameter's
// step count, so checkpoints stay readable (h5py) and byte-for-byte reproducible.
struct OptimizerStateArrays {
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  std::vector<int64_t> steps;  // one per parameter, -1 = no state yet
};
OptimizerStateArrays export_optimizer_state(
    torch::optim::Optimizer& optimizer,
    const std::vector<std::pair<std::string, torch::Tensor>>& parameters);
// `find` returns the saved tensor for "<param>:<state>" or an undefined tensor.
void import_optimizer_state(torch::optim::Optimizer& optimizer,
                            const std::vector<std::pair<std::string, torch::Tensor>>& parameters,
                            const std::vector<int64_t>& steps,
                            const std::function<torch::Tensor(const std::string&)>& find);

}  // namespace topiary::train
