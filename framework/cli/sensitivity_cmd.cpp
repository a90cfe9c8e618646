// `topiary sensitivity CKPT`: prune each target alone over a sparsity grid, evaluate, and suggest
// a per-layer allocation (analysis/sensitivity.h).
#include <cstdlib>
#include <memory>

#include "analysis/sensitivity.h"
#include "cli/commands.h"

namespace topiary::cli {

void add_sensitivity_command(CLI::App& app) {
  auto options = std::make_shared<analysis::SensitivityOptions>();
  auto grid = std::make_shared<std::vector<double>>();
  auto target = std::make_shared<double>(-1.0);
  CLI::App* command = app.add_subcommand(
      "sensitivity",
      "Prune each target of the recipe alone at each sparsity of a grid and evaluate "
      "(under mpirun the points are shared out); writes a CSV, a plot and an allocation");
  command->add_option("checkpoint", options->checkpoint, "Checkpoint (.h5) written by train")
      ->required();
  command->add_option("--recipe", options->recipe_path,
                      "Recipe whose prune modifiers name the targets (default: the checkpoint's)");
  command->add_option("--set", options->overrides, "Override a recipe key: key.path=value");
  command->add_option("--grid", *grid, "Sparsities, comma-separated (default 0.1,0.2,...,0.9)")
      ->delimiter(',');
  command->add_option("--output", options->output_dir,
                      "Output directory (default: <checkpoint's directory>/sensitivity)");
  command->add_option("--target", *target,
                      "Global sparsity of the suggested allocation (default: the recipe's "
                      "largest final_sparsity)");
  command->callback([options, grid, target] {
    if (!grid->empty()) options->grid = *grid;
    if (*target >= 0.0) options->target = *target;
    const int code = analysis::run_sensitivity(*options);
    if (code != 0) std::exit(code);
  });
}

}  // namespace topiary::cli
