#pragma once
#include <torch/types.h>

#include <string>
#include <utility>
#include <vector>

#include "recipe/recipe.h"
#include "train/mask_set.h"

namespace topiary::train {

// Weights (masked entries are exact zeros), masks, the effective recipe and the step.
void write_training_checkpoint(const std::string& path,
                               const std::vector<std::pair<std::string, torch::Tensor>>& parameters,
                               const MaskSet& masks, const recipe::Recipe& recipe, int64_t step);

// Only the masks, from any rank: lets tests compare what each rank holds.
void write_rank_masks(const std::string& path, const MaskSet& masks);

}  // namespace topiary::train
