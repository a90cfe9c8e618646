#pragma once
// Each subcommand lives in its own file and registers itself on the root app.
// Callbacks throw UserError for user mistakes; main() maps exceptions to exit codes.
#include <CLI/CLI.hpp>
#include <string>

namespace topiary::cli {

void add_prepare_command(CLI::App& app);
void add_train_command(CLI::App& app);
void add_recipe_command(CLI::App& app);
void add_inspect_command(CLI::App& app);
void add_data_command(CLI::App& app);
void add_eval_command(CLI::App& app);
void add_export_command(CLI::App& app);
void add_predict_command(CLI::App& app);
void add_thin_command(CLI::App& app);
void add_sensitivity_command(CLI::App& app);
void add_report_command(CLI::App& app);
void add_import_command(CLI::App& app);

// The text of `topiary --version`: version, commit, LibTorch, CUDA/NCCL, MPI library.
std::string version_text();
// `topiary --version --json`: the same, plus the versions compiled against and every loaded
// shared library (the input of launch/sbom.py).
std::string version_json();

}  // namespace topiary::cli
