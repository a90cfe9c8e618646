// `topiary report RUN_DIR [RUN_DIR...] [-o OUT_DIR]`: an HTML page of plots from the metrics a
// training run logged. The work is done by python/topiary_plots/report.py (matplotlib); this file
// only checks the run directories, finds python and the script, and runs it.
#include <spawn.h>
#include <sys/wait.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "core/error.h"

extern char** environ;

namespace topiary::cli {
namespace {
namespace fs = std::filesystem;

constexpr const char* kReportScript = "python/topiary_plots/report.py";

// $TOPIARY_SOURCE_DIR, else the first directory above the binary that holds the script (as
// train/sensitivity.cpp finds its plot script).
fs::path find_source_root() {
  std::error_code error;
  if (const char* env = std::getenv("TOPIARY_SOURCE_DIR"); env != nullptr && *env != '\0') {
    if (fs::exists(fs::path(env) / kReportScript, error)) return env;
  }
  const fs::path exe = fs::read_symlink("/proc/self/exe", error);
  for (fs::path dir = exe.parent_path(); !error && !dir.empty(); dir = dir.parent_path()) {
    if (fs::exists(dir / kReportScript, error)) return dir;
    if (dir == dir.root_path()) break;
  }
  return {};
}

// $TOPIARY_PYTHON, else the source tree's .venv, else python3 from PATH.
std::string find_python(const fs::path& root) {
  if (const char* env = std::getenv("TOPIARY_PYTHON"); env != nullptr && *env != '\0') return env;
  std::error_code error;
  if (fs::exists(root / ".venv/bin/python", error)) return (root / ".venv/bin/python").string();
  return "python3";
}

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
  const fs::path root = find_source_root();
  if (root.empty()) {
    throw UserError(std::string("cannot find ") + kReportScript +
                    " above the topiary binary (set TOPIARY_SOURCE_DIR to the source tree)");
  }
  const std::string python = find_python(root);
  const std::string script = (root / kReportScript).string();
  std::vector<std::string> args{python, script};
  args.insert(args.end(), runs.begin(), runs.end());
  args.insert(args.end(), {"-o", output});
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (const int code = posix_spawnp(&pid, python.c_str(), nullptr, nullptr, argv.data(), environ);
      code != 0) {
    throw UserError(python + ": " + std::strerror(code) +
                    " (set TOPIARY_PYTHON to a python with matplotlib and h5py)");
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
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
