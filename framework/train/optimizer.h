#pragma once
#include <torch/optim/optimizer.h>
#include <torch/types.h>

#include <memory>
#include <vector>

#include "recipe/recipe.h"

namespace topiary::train {

// adam | adamw | sgd (with momentum), from the recipe's training section.
std::unique_ptr<torch::optim::Optimizer> make_optimizer(const recipe::TrainingConfig& config,
                                                        const std::vector<torch::Tensor>& parameters);

// Zeroes the optimizer's per-parameter state where `mask` is 0 (see Note [Masks]).
void zero_optimizer_state(torch::optim::Optimizer& optimizer, const torch::Tensor& parameter,
                          const torch::Tensor& mask);

}  // namespace topiary::train
