// `topiary report RUN_DIR [RUN_DIR...] [-o OUT_DIR]`: an HTML page of plots from the metrics a
// training run logged. The work is done by python/topiary_plots/report.py (matplotlib); this file
// only checks the run directories, finds python and the script, and runs it.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "core/error.h"
#include "core/subprocess.h"

namespace topiary::cli {
namespace {
namespace fs = std::filesystem;

constexpr const char* kReportScript = "python/topiary_plots/report.py";

void run_report(const std::vector<std::string>& runs, std::string output) {
  std::error_code error;
  for (const std::string& run : runs) {
    if (!fs::is_directory(run, error)) {
      throw UserError(run + ": not a directory (expected a run directory written by train)");
    }
    if (!fs::is_regular_file(fs::path(run) / "metrics.jsonl", error)) {
      throw UserError((fs::path(run) / "metrics.jsonl").string() + ": missing (is " + run +
                      " a run directory written by train?)");
    }
  }
  if (output.empty()) output = (fs::path(runs.front()) / "report").string();
  const fs::path root = core::find_source_root(kReportScript);
  if (root.empty()) {
    throw UserError(std::string("cannot find ") + kReportScript +
                    " above the topiary binary (set TOPIARY_SOURCE_DIR to the source tree)");
  }
  const std::string python = core::find_python(root);
  const std::string script = (root / kReportScript).string();
  std::vector<std::string> args{python, script};
  args.insert(args.end(), runs.begin(), runs.end());
  args.insert(args.end(), {"-o", output});
  std::string why;
  const int code = core::run_process(args, &why);
  if (code == core::kProcessNotStarted) {
    throw UserError(why + " (set TOPIARY_PYTHON to a python with matplotlib and h5py)");
  }
  if (code != 0) {
    // The script has printed its own one-line reason on stderr.
    throw UserError(python + " " + script + " failed; no report written to " + output);
  }
}

}  // namespace

void add_report_command(CLI::App& app) {
  auto runs = std::make_shared<std::vector<std::string>>();
  auto output = std::make_shared<std::string>();
  CLI::App* command = app.add_subcommand(
      "report",
      "HTML page of plots from training runs: loss and accuracy curves, sparsity schedule, "
      "per-layer sparsity, summary, and across runs the accuracy-sparsity frontier");
  command->add_option("runs", *runs, "Run directories written by train (hold metrics.jsonl)")
      ->required();
  command->add_option("-o,--output", *output,
                      "Output directory for index.html and its PNGs (default: <first run>/report)");
  command->callback([runs, output] { run_report(*runs, *output); });
}

}  // namespace topiary::cli
