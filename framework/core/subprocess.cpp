#include "core/subprocess.h"

#include <spawn.h>
#include <string.h>  // strerror, and strsignal (POSIX: not in <cstring>)
#include <sys/wait.h>

#include <cerrno>
#include <cstdlib>

extern char** environ;

namespace topiary::core {
namespace fs = std::filesystem;

int run_process(const std::vector<std::string>& argv, std::string* error) {
  if (argv.empty()) {
    if (error) *error = "no program to run";
    return kProcessNotStarted;
  }
  std::vector<std::string> args = argv;  // posix_spawnp takes char* const[]
  std::vector<char*> pointers;
  pointers.reserve(args.size() + 1);
  for (std::string& a : args) pointers.push_back(a.data());
  pointers.push_back(nullptr);
  const std::string& program = argv.front();
  pid_t pid = 0;
  if (const int code =
          posix_spawnp(&pid, program.c_str(), nullptr, nullptr, pointers.data(), environ);
      code != 0) {
    if (error) *error = program + ": " + strerror(code);
    return kProcessNotStarted;
  }
  int status = 0;
  pid_t waited = 0;
  do {
    waited = waitpid(pid, &status, 0);
  } while (waited == -1 && errno == EINTR);
  if (waited != pid) {
    if (error) *error = program + ": cannot wait for it: " + strerror(errno);
    return kProcessNotWaited;
  }
  if (WIFEXITED(status)) {
    const int code = WEXITSTATUS(status);
    if (code != 0 && error) *error = program + " exited with status " + std::to_string(code);
    return code;
  }
  const int signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  if (error) {
    *error = program + " was killed by signal " + std::to_string(signal) + " (" +
             strsignal(signal) + ")";
  }
  return 128 + signal;
}

fs::path find_source_root(const std::string& relative_file) {
  std::error_code error;
  if (const char* env = std::getenv("TOPIARY_SOURCE_DIR"); env != nullptr && *env != '\0') {
    if (fs::exists(fs::path(env) / relative_file, error)) return env;
  }
  const fs::path exe = fs::read_symlink("/proc/self/exe", error);
  for (fs::path dir = exe.parent_path(); !error && !dir.empty(); dir = dir.parent_path()) {
    if (fs::exists(dir / relative_file, error)) return dir;
    if (dir == dir.root_path()) break;
  }
  return {};
}

std::string find_python(const fs::path& source_root) {
  if (const char* env = std::getenv("TOPIARY_PYTHON"); env != nullptr && *env != '\0') return env;
  std::error_code error;
  if (fs::exists(source_root / ".venv/bin/python", error)) {
    return (source_root / ".venv/bin/python").string();
  }
  return "python3";
}

}  // namespace topiary::core
