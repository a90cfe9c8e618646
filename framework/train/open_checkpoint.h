#pragma once
// A training checkpoint opened for use outside training (`eval`, `sensitivity`, `predict`,
// `export`, `thin`): the effective recipe it records, the dataset that recipe names (or another),
// the model's architecture, and the model itself with the checkpoint's weights and masks.
//
// The architecture is the checkpoint's own "model" description when it has one (written by
// `topiary thin`: per-layer sizes no recipe can say), else the recipe's model sized for the
// dataset (vocabulary, classes). max_length follows the same choice.
//
// The steps are also offered one by one for callers that do not build a model: `export` and
// `thin` work on the stored arrays.
#include <torch/types.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "data/dataset.h"
#include "io/checkpoint_file.h"
#include "models/model.h"
#include "recipe/recipe.h"
#include "train/mask_set.h"

namespace topiary::train {

// Where the recipe comes from: the checkpoint's effective recipe (the default), or a recipe
// file; `overrides` (--set key=value) apply to either.
struct RecipeSource {
  std::string recipe_path;
  std::vector<std::string> overrides;
  // Appended to the "not a training checkpoint (no effective recipe)" error, e.g. "; pass
  // --recipe".
  std::string missing_recipe_hint;
};

// A checkpoint file read whole, and its recipe.
struct TrainingCheckpoint {
  std::string path;
  io::CheckpointContents contents;
  recipe::Recipe recipe;

  // The "model" attribute of a thinned checkpoint; nullptr for one the recipe describes.
  const std::string* model_description() const;
};

// UserError "PATH: not a training checkpoint (no effective recipe)" (+ the hint) when the recipe
// is to come from the checkpoint and it records none; recipe and file errors as UserErrors too.
TrainingCheckpoint read_training_checkpoint(const std::string& path,
                                            const RecipeSource& source = {});

// `data_override`, else the recipe's data.path.
std::string dataset_path(const recipe::Recipe& recipe, const std::string& data_override);

// The architecture (see the header comment) and, through `max_length`, the classifier input
// truncation. `dataset` may be nullptr only for a checkpoint with a model description.
models::ModelSpec checkpoint_model_spec(const TrainingCheckpoint& checkpoint,
                                        const data::Dataset* dataset, int64_t* max_length);

struct OpenOptions {
  std::string data;     // dataset path; default: the recipe's data.path
  RecipeSource recipe;  // default: the checkpoint's effective recipe
  // Checks the dataset must pass, run after it is read and before the model is built.
  std::function<void(const data::Dataset& dataset, const std::string& data_path)> check_dataset;
  // The dataset's kind must fit the model (language model vs classifier), checked before the
  // weights are loaded so that the error says so rather than naming a mismatched shape.
  bool check_task = false;
};

struct OpenedCheckpoint {
  std::string path;
  std::map<std::string, std::string> attributes;  // the checkpoint's (recipe, step, model, ...)
  recipe::Recipe recipe;
  std::string data_path;
  data::Dataset dataset;
  models::ModelSpec spec;
  int64_t max_length = 0;  // classifier input truncation
  std::shared_ptr<models::Model> model;
  // The model's parameters in its order (the model's own tensors), with the checkpoint's weights
  // and masks applied.
  std::vector<std::pair<std::string, torch::Tensor>> parameters;
  MaskSet masks;
};

// Reads the checkpoint, its recipe and the dataset, builds the model and loads weights and
// masks. Every failure is a UserError naming the file.
OpenedCheckpoint open_checkpoint(const std::string& path, const OpenOptions& options = {});

}  // namespace topiary::train
