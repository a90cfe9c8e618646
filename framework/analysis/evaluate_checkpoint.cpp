#include "analysis/evaluate_checkpoint.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "comm/agree.h"
#include "comm/mpi_communicator.h"
#include "core/error.h"
#include "train/evaluate.h"
#include "train/open_checkpoint.h"

namespace topiary::analysis {

namespace {

// What the evaluation needs, read from the checkpoint and the dataset by every rank.
struct Loaded {
  train::OpenedCheckpoint opened;
  double sparsity = 0.0;  // of the whole model: pruned entries over all parameters
};

Loaded load(const EvalCheckpointOptions& options) {
  // The CLI allows only these, before any file is read.
  if (options.split != "valid" && options.split != "train" && options.split != "test") {
    throw UserError("--split must be valid, train or test, not '" + options.split + "'");
  }
  train::OpenOptions open;
  open.data = options.data;
  open.check_task = true;
  Loaded out;
  out.opened = train::open_checkpoint(options.checkpoint, open);
  if (options.split == "test" && !out.opened.dataset.has_test()) {
    throw UserError(out.opened.data_path +
                    ": has no test split (prepare it with --test PATH or --test-fraction F)");
  }
  int64_t total = 0;
  for (const auto& [name, p] : out.opened.parameters) total += p.numel();
  out.sparsity =
      total ? static_cast<double>(out.opened.masks.zero_elements()) / static_cast<double>(total)
            : 0.0;
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
  const train::OpenedCheckpoint& opened = loaded.opened;
  const bool language_model = opened.model->is_language_model();
  const std::string& data_path = opened.data_path;
  const data::TokenizedSplit& split = options.split == "train"  ? opened.dataset.train
                                      : options.split == "test" ? opened.dataset.test
                                                                : opened.dataset.valid;
  const train::EvalResult result =
      language_model ? train::evaluate_language_model(*opened.model, train::token_stream(split),
                                                      opened.recipe.model.max_positions, *comm)
                     : train::evaluate_classifier(*opened.model, split, opened.spec.num_classes,
                                                  opened.max_length, *comm);
  if (comm->rank() != 0) return kExitOk;
  nlohmann::json out = train::eval_fields(result, language_model);
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

}  // namespace topiary::analysis
