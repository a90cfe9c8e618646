#pragma once
// The model a recipe describes, sized for a dataset (vocabulary, classes).
#include "data/dataset.h"
#include "models/model.h"
#include "recipe/recipe.h"

namespace topiary::train {

models::ModelSpec model_spec(const recipe::ModelConfig& model, const data::Dataset& data);

}  // namespace topiary::train
