#include "train/evaluate_checkpoint.h"

#include <torch/torch.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "comm/agree.h"
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

namespace {

// What the evaluation needs, read from the checkpoint and the dataset by every rank.
struct Loaded {
  std::string data_path;
  data::Dataset dataset;
  std::shared_ptr<models::Model> model;
  bool language_model = false;
  int64_t num_classes = 0, max_length = 0, max_positions = 0;
  double sparsity = 0.0;  // of the whole model: pruned entries over all parameters
};

Loaded load(const EvalCheckpointOptions& options) {
  Loaded out;
  const io::CheckpointContents contents = io::read_checkpoint(options.checkpoint);
  const auto recipe_text = contents.attributes.find("recipe");
  if (recipe_text == contents.attributes.end()) {
    throw UserError(options.checkpoint + ": not a training checkpoint (no effective recipe)");
  }
  const recipe::Recipe recipe =
      recipe::parse_recipe(recipe_text->second, options.checkpoint + ":recipe");
  out.data_path = options.data.empty() ? recipe.data.path : options.data;
  out.dataset = data::read_dataset(out.data_path);
  if (options.split != "valid" && options.split != "train") {
    throw UserError("--split must be valid or train, not '" + options.split + "'");
  }
  const recipe::ModelConfig& m = recipe.model;
  // A thinned checkpoint describes its own (smaller) architecture.
  const auto description = contents.attributes.find("model");
  out.max_length = m.max_length;
  out.max_positions = m.max_positions;
  const models::ModelSpec spec =
      description != contents.attributes.end()
          ? spec_from_description(description->second, options.checkpoint, &out.max_length)
          : model_spec(m, out.dataset);
  out.num_classes = spec.num_classes;
  out.model = models::make_model(spec);
  out.language_model = out.model->is_language_model();
  if (out.language_model != (out.dataset.kind == data::kLanguageModelKind)) {
    throw UserError(out.data_path + ": dataset kind '" + out.dataset.kind +
                    "' does not fit model '" + m.type + "' of " + options.checkpoint);
  }
  std::vector<std::pair<std::string, torch::Tensor>> parameters;
  for (const auto& item : out.model->named_parameters())
    parameters.emplace_back(item.key(), item.value());
  MaskSet masks;
  // Shapes differ when the dataset's vocabulary or labels differ from training's.
  load_weights_and_masks(options.checkpoint, parameters, masks);
  int64_t total = 0;
  for (const auto& [name, p] : parameters) total += p.numel();
  out.sparsity =
      total ? static_cast<double>(masks.zero_elements()) / static_cast<double>(total) : 0.0;
  return out;
}

}  // namespace

int evaluate_checkpoint(const EvalCheckpointOptions& options) {
  auto comm = comm::make_mpi_communicator();
  // Loading is agreed on before the evaluation, whose all-reduce no rank may miss. A failure on
  // any rank fails all, reported once by rank 0 (files are the same for every rank).
  Loaded loaded;
  const comm::AgreeOutcome outcome = comm::agree(
      *comm, [&] { loaded = load(options); }, "eval outcome");
  if (!outcome.ok) {
    if (comm->rank() == 0) std::fprintf(stderr, "topiary: error: %s\n", outcome.message.c_str());
    return kExitUserError;
  }
  const bool language_model = loaded.language_model;
  const std::string& data_path = loaded.data_path;
  const data::TokenizedSplit& split =
      options.split == "train" ? loaded.dataset.train : loaded.dataset.valid;
  const EvalResult result =
      language_model
          ? evaluate_language_model(*loaded.model, token_stream(split), loaded.max_positions, *comm)
          : evaluate_classifier(*loaded.model, split, loaded.num_classes, loaded.max_length, *comm);
  if (comm->rank() != 0) return kExitOk;
  nlohmann::json out = eval_fields(result, language_model);
  out.update({{"checkpoint", options.checkpoint},
              {"data", data_path},
              {"split", options.split},
              {language_model ? "tokens" : "examples", result.examples},
              {"sparsity", loaded.sparsity}});
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
