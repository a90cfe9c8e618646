// `topiary thin CKPT -o smaller.h5`: physically remove pruned channels, neurons, heads and
// recurrent hidden units.
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "deploy/thinning.h"

namespace topiary::cli {

void add_thin_command(CLI::App& app) {
  auto input = std::make_shared<std::string>();
  auto output = std::make_shared<std::string>();
  auto data = std::make_shared<std::string>();
  CLI::App* command = app.add_subcommand(
      "thin",
      "Remove fully pruned channels / neurons / heads / recurrent units: a smaller dense model, "
      "same outputs");
  command->add_option("checkpoint", *input, "Checkpoint (.h5) written by train")->required();
  command->add_option("-o,--output", *output, "Thinned checkpoint (.h5)")->required();
  command->add_option("--data", *data, "Dataset (default: the recipe's data.path)");
  command->callback([input, output, data] {
    const deploy::ThinResult result = deploy::thin_checkpoint(*input, *output, *data);
    std::printf("%swrote %s: %lld -> %lld parameters (%.4f)\n", result.report.c_str(),
                output->c_str(), static_cast<long long>(result.parameters_before),
                static_cast<long long>(result.parameters_after),
                result.parameters_before ? static_cast<double>(result.parameters_after) /
                                               static_cast<double>(result.parameters_before)
                                         : 0.0);
  });
}

}  // namespace topiary::cli
