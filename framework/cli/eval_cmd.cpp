// `topiary eval CKPT`: loss/accuracy/macro-F1 (or perplexity) of a checkpoint on a dataset.
#include <cstdlib>
#include <memory>

#include "analysis/evaluate_checkpoint.h"
#include "cli/commands.h"

namespace topiary::cli {

void add_eval_command(CLI::App& app) {
  auto options = std::make_shared<analysis::EvalCheckpointOptions>();
  CLI::App* command = app.add_subcommand(
      "eval", "Evaluate a checkpoint on a dataset split (under mpirun the split is shared out)");
  command->add_option("checkpoint", options->checkpoint, "Checkpoint (.h5) written by train")
      ->required();
  command->add_option("--data", options->data,
                      "Dataset (.h5) with the same vocabulary; default: the recipe's data.path");
  command
      ->add_option("--split", options->split,
                   "valid, train or test (test: the held-out split of `prepare --test` or "
                   "`--test-fraction`)")
      ->check(CLI::IsMember({"valid", "train", "test"}))
      ->capture_default_str();
  command->add_flag("--json", options->json, "Print one JSON object");
  command->callback([options] {
    const int code = analysis::evaluate_checkpoint(*options);
    if (code != 0) std::exit(code);
  });
}

}  // namespace topiary::cli
