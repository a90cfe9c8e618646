#pragma once
// Running another program and waiting for it: how `topiary report` and `topiary sensitivity`
// run their Python plotting scripts (python/topiary_plots/), and how they find those scripts
// and a Python to run them with.
#include <filesystem>
#include <string>
#include <vector>

namespace topiary::core {

// run_process's results when the program cannot be started (not found, not executable), and
// when it started but could not be waited for.
inline constexpr int kProcessNotStarted = -1;
inline constexpr int kProcessNotWaited = -2;

// Runs argv[0] (looked up in PATH when it has no '/') with the arguments argv, this process's
// environment and standard streams, and waits for it. Returns 0 when it exits with status 0.
// Otherwise the result is kProcessNotStarted, kProcessNotWaited, the exit status, or 128 + the
// signal number for a program ended by a signal (as shells report it), and `*error` (when not
// null) says which, naming the program: "python3: No such file or directory", "python3 exited
// with status 3", "python3 was killed by signal 9 (Killed)".
int run_process(const std::vector<std::string>& argv, std::string* error);

// The source tree, which holds the scripts: $TOPIARY_SOURCE_DIR when it holds `relative_file`,
// else the nearest directory above the running binary that does; empty when neither does.
std::filesystem::path find_source_root(const std::string& relative_file);

// The Python for the scripts: $TOPIARY_PYTHON, else `source_root`/.venv/bin/python when it
// exists, else python3 from PATH.
std::string find_python(const std::filesystem::path& source_root);

}  // namespace topiary::core
