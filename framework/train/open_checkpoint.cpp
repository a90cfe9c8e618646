#include "train/open_checkpoint.h"

#include "core/error.h"
#include "train/model_description.h"
#include "train/model_spec.h"
#include "train/training_state.h"

namespace topiary::train {

const std::string* TrainingCheckpoint::model_description() const {
  const auto description = contents.attributes.find("model");
  return description == contents.attributes.end() ? nullptr : &description->second;
}

TrainingCheckpoint read_training_checkpoint(const std::string& path, const RecipeSource& source) {
  TrainingCheckpoint checkpoint;
  checkpoint.path = path;
  checkpoint.contents = io::read_checkpoint(path);
  if (!source.recipe_path.empty()) {
    checkpoint.recipe = recipe::load_recipe(source.recipe_path, source.overrides);
    return checkpoint;
  }
  const auto text = checkpoint.contents.attributes.find("recipe");
  if (text == checkpoint.contents.attributes.end()) {
    throw UserError(path + ": not a training checkpoint (no effective recipe)" +
                    source.missing_recipe_hint);
  }
  checkpoint.recipe = recipe::parse_recipe(text->second, path + ":recipe", source.overrides);
  return checkpoint;
}

std::string dataset_path(const recipe::Recipe& recipe, const std::string& data_override) {
  return data_override.empty() ? recipe.data.path : data_override;
}

models::ModelSpec checkpoint_model_spec(const TrainingCheckpoint& checkpoint,
                                        const data::Dataset* dataset, int64_t* max_length) {
  if (const std::string* description = checkpoint.model_description()) {
    return spec_from_description(*description, checkpoint.path, max_length);
  }
  TOPIARY_ASSERT(dataset != nullptr, "a checkpoint without a model description needs a dataset");
  *max_length = checkpoint.recipe.model.max_length;
  return model_spec(checkpoint.recipe.model, *dataset);
}

OpenedCheckpoint open_checkpoint(const std::string& path, const OpenOptions& options) {
  TrainingCheckpoint checkpoint = read_training_checkpoint(path, options.recipe);
  OpenedCheckpoint out;
  out.path = path;
  out.data_path = dataset_path(checkpoint.recipe, options.data);
  out.dataset = data::read_dataset(out.data_path);
  if (options.check_dataset) options.check_dataset(out.dataset, out.data_path);
  out.spec = checkpoint_model_spec(checkpoint, &out.dataset, &out.max_length);
  out.recipe = std::move(checkpoint.recipe);
  out.attributes = std::move(checkpoint.contents.attributes);
  checkpoint.contents = {};  // load_weights_and_masks reads the arrays itself
  out.model = models::make_model(out.spec);
  if (options.check_task &&
      out.model->is_language_model() != (out.dataset.kind == data::kLanguageModelKind)) {
    throw UserError(out.data_path + ": dataset kind '" + out.dataset.kind +
                    "' does not fit model '" + std::string(kModelTypes.name(out.spec.type)) +
                    "' of " + path);
  }
  for (const auto& item : out.model->named_parameters()) {
    out.parameters.emplace_back(item.key(), item.value());
  }
  // Shapes differ when the dataset's vocabulary or labels differ from training's.
  load_weights_and_masks(path, out.parameters, out.masks);
  return out;
}

}  // namespace topiary::train
