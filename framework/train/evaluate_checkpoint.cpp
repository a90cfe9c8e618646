#include "train/evaluate_checkpoint.h"

#include <torch/torch.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "comm/mpi_communicator.h"
#include "core/error.h"
#include "data/dataset.h"
#include "io/checkpoint_file.h"
#include "recipe/recipe.h"
#include "train/evaluate.h"
#include "train/mask_set.h"
#include "train/model_description.h"
#include "train/model_spec.h"
#include "train/training_state.h"

namespace topiary::train {

int evaluate_checkpoint(const EvalCheckpointOptions& options) {
  auto comm = comm::make_mpi_communicator();
  std::string error;
  EvalResult result;
  bool language_model = false;
  int64_t parameters_total = 0, parameters_pruned = 0;
  std::string data_path;
  try {
    const io::CheckpointContents contents = io::read_checkpoint(options.checkpoint);
    const auto recipe_text = contents.attributes.find("recipe");
    if (recipe_text == contents.attributes.end()) {
      throw UserError(options.checkpoint + ": not a training checkpoint (no effective recipe)");
    }
    const recipe::Recipe recipe =
        recipe::parse_recipe(recipe_text->second, options.checkpoint + ":recipe");
    data_path = options.data.empty() ? recipe.data.path : options.data;
    const data::Dataset dataset = data::read_dataset(data_path);
    if (options.split != "valid" && options.split != "train") {
      throw UserError("--split must be valid or train, not '" + options.split + "'");
    }
    const data::TokenizedSplit& split = options.split == "train" ? dataset.train : dataset.valid;
    const recipe::ModelConfig& m = recipe.model;
    // A thinned checkpoint describes its own (smaller) architecture.
    const auto description = contents.attributes.find("model");
    int64_t max_length = m.max_length;
    const models::ModelSpec spec =
        description != contents.attributes.end()
            ? spec_from_description(description->second, options.checkpoint, &max_length)
            : model_spec(m, dataset);
    auto model = models::make_model(spec);
    language_model = model->is_language_model();
    if (language_model != (dataset.kind == data::kLanguageModelKind)) {
      throw UserError(data_path + ": dataset kind '" + dataset.kind + "' does not fit model '" +
                      m.type + "' of " + options.checkpoint);
    }
    std::vector<std::pair<std::string, torch::Tensor>> parameters;
    for (const auto& item : model->named_parameters())
      parameters.emplace_back(item.key(), item.value());
    MaskSet masks;
    // Shapes differ when the dataset's vocabulary or labels differ from training's.
    load_weights_and_masks(options.checkpoint, parameters, masks);
    for (const auto& [name, p] : parameters) parameters_total += p.numel();
    parameters_pruned = masks.zero_elements();
    result = language_model
                 ? evaluate_language_model(*model, token_stream(split), m.max_positions, *comm)
                 : evaluate_classifier(*model, split, spec.num_classes, max_length, *comm);
  } catch (const UserError& e) {
    error = e.what();
  }
  // A failure on any rank fails all, reported once (files are the same for every rank).
  int32_t failed = error.empty() ? 0 : 1;
  comm->all_reduce(&failed, 1, comm::DataType::kInt32, comm::ReduceOp::kMax, "eval outcome");
  if (failed) {
    if (!error.empty() && comm->rank() == 0)
      std::fprintf(stderr, "topiary: error: %s\n", error.c_str());
    return kExitUserError;
  }
  if (comm->rank() != 0) return kExitOk;
  nlohmann::json out = eval_fields(result, language_model);
  out.update({{"checkpoint", options.checkpoint},
              {"data", data_path},
              {"split", options.split},
              {language_model ? "tokens" : "examples", result.examples},
              {"sparsity", parameters_total ? static_cast<double>(parameters_pruned) /
                                                  static_cast<double>(parameters_total)
                                            : 0.0}});
  if (options.json) {
    std::printf("%s\n", out.dump().c_str());
  } else if (language_model) {
    std::printf("%s on %s (%s, %lld tokens): loss %.4f  perplexity %.3f  accuracy %.4f\n",
                options.checkpoint.c_str(), data_path.c_str(), options.split.c_str(),
                static_cast<long long>(result.examples), result.loss, result.perplexity,
                result.accuracy);
  } else {
    std::printf("%s on %s (%s, %lld examples): loss %.4f  accuracy %.4f  macro-F1 %.4f\n",
                options.checkpoint.c_str(), data_path.c_str(), options.split.c_str(),
                static_cast<long long>(result.examples), result.loss, result.accuracy,
                result.macro_f1);
  }
  return kExitOk;
}

}  // namespace topiary::train
