// topiary data inspect FILE: counts, length histogram, label distribution and vocabulary
// coverage of a dataset written by `topiary prepare`. The work is in data/inspect.h.
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "data/dataset.h"
#include "data/inspect.h"

namespace topiary::cli {

void add_data_command(CLI::App& app) {
  CLI::App* data = app.add_subcommand("data", "Look at dataset files written by `prepare`");
  data->require_subcommand(1);
  auto path = std::make_shared<std::string>();
  CLI::App* inspect = data->add_subcommand(
      "inspect",
      "Print counts per split, token-length histogram, label distribution, vocabulary size "
      "and coverage (<unk> rate) of a dataset file");
  inspect->add_option("file", *path, "Dataset file (HDF5) written by `topiary prepare`")
      ->required();
  inspect->callback([path] {
    const data::Dataset dataset = data::read_dataset(*path);
    std::fputs(data::format_inspection(data::inspect_dataset(dataset), dataset).c_str(), stdout);
  });
}

}  // namespace topiary::cli
