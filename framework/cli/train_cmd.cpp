#include <cstdlib>
#include <memory>

#include "cli/commands.h"
#include "train/trainer.h"

namespace topiary::cli {

void add_train_command(CLI::App& app) {
  auto options = std::make_shared<train::TrainOptions>();
  CLI::App* command = app.add_subcommand(
      "train", "Train and prune a model as a recipe says (run under mpirun for several ranks)");
  command->add_option("--recipe", options->recipe_path, "Recipe YAML file")->required();
  command->add_option("--set", options->overrides, "Override a recipe key: key.path=value");
  command->add_option("--output", options->output_dir,
                      "Output directory (default runs/<recipe name>)");
  command->add_flag("--profile", options->profile,
                    "Synchronise the device at every step phase and print where the time went "
                    "(data, forward, backward, exchange, optimizer, pruning)");
  command->add_flag("--dump-config", options->dump_config,
                    "Print the effective recipe (after variables and --set) and exit");
  command->add_flag(
      "--write-rank-masks", options->write_rank_masks,
      "Every rank also writes its own masks (masks.rank<r>.h5), for agreement checks");
  command->add_option("--init-from", options->init_from,
                      "Start from a checkpoint's weights and masks (e.g. prune an already sparse "
                      "model further); optimizer state and step start fresh");
  command->add_option("--resume", options->resume,
                      "Continue exactly from a checkpoint file or a run directory's latest one");
  command->add_option("--checkpoint-every", options->checkpoint_every,
                      "Write DIR/checkpoints/step-N.h5 this often (e.g. 200it, 1ep)");
  command->add_option("--keep-last", options->keep_last, "Periodic checkpoints to keep")
      ->check(CLI::PositiveNumber);
  command
      ->add_option("--stop-at", options->stop_at,
                   "Stop after this step with a checkpoint (preemption drills, tests)")
      ->check(CLI::NonNegativeNumber);
  command->callback([options] {
    const int code = train::run_training(*options);
    // Exit here: every rank already agreed on the outcome, and MPI is finalized at exit.
    if (code != 0) std::exit(code);
  });
}

}  // namespace topiary::cli
