// topiary: one binary, one subcommand per file (see commands.h).
#include <csignal>
#include <cstdio>
#include <exception>
#include <string_view>

#include "cli/commands.h"
#include "core/error.h"

namespace {

// CLI11's version flag prints and exits as soon as it is parsed, so the one flag it can modify,
// `--json`, is recognised here, in either order.
bool asks_for_json_version(int argc, char** argv) {
  if (argc != 3) return false;
  const std::string_view first = argv[1], second = argv[2];
  return (first == "--version" && second == "--json") ||
         (first == "--json" && second == "--version");
}

int run(int argc, char** argv) {
  if (asks_for_json_version(argc, argv)) {
    std::puts(topiary::cli::version_json().c_str());
    return topiary::kExitOk;
  }
  CLI::App app{"Topiary: train NLP models and prune them, on one core or a cluster"};
  app.require_subcommand(1);
  app.set_version_flag(
      "--version", [] { return topiary::cli::version_text(); },
      "Print the version, commit, LibTorch, CUDA/NCCL and MPI library, then exit; with "
      "--json, also the libraries compiled against and every loaded shared library");
  topiary::cli::add_prepare_command(app);
  topiary::cli::add_train_command(app);
  topiary::cli::add_recipe_command(app);
  topiary::cli::add_inspect_command(app);
  topiary::cli::add_data_command(app);
  topiary::cli::add_eval_command(app);
  topiary::cli::add_export_command(app);
  topiary::cli::add_predict_command(app);
  topiary::cli::add_thin_command(app);
  topiary::cli::add_sensitivity_command(app);
  topiary::cli::add_report_command(app);
  topiary::cli::add_import_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? topiary::kExitOk : topiary::kExitUserError;
  }
  return topiary::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  // A file-size limit (or quota) then makes writes fail with EFBIG, which becomes a clear error
  // with the previous checkpoint intact, instead of killing the process mid-write.
  std::signal(SIGXFSZ, SIG_IGN);
  // A user error anywhere (a command's callback, --version --json) is one line and exit 2;
  // anything else is an internal error, and nothing escapes main.
  try {
    return run(argc, argv);
  } catch (const topiary::UserError& e) {
    std::fprintf(stderr, "topiary: error: %s\n", e.what());
    return topiary::kExitUserError;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "topiary: internal error: %s\n", e.what());
    return topiary::kExitInternalError;
  } catch (...) {
    std::fputs("topiary: internal error: unknown exception\n", stderr);
    return topiary::kExitInternalError;
  }
}
