// core/subprocess.h: run_process says what became of the program (ran, exited non-zero, killed,
// never started), naming it; find_python's order of choice.
#include "core/subprocess.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace topiary::core {
namespace {

TEST(RunProcess, ZeroForAProgramThatSucceeds) {
  std::string error = "untouched";
  EXPECT_EQ(run_process({"true"}, &error), 0);
  EXPECT_EQ(error, "untouched");
  EXPECT_EQ(run_process({"/bin/sh", "-c", "test \"$1\" = 'a b'", "sh", "a b"}, nullptr), 0);
}

TEST(RunProcess, ExitStatusOfAProgramThatFails) {
  std::string error;
  EXPECT_EQ(run_process({"/bin/sh", "-c", "exit 3"}, &error), 3);
  EXPECT_EQ(error, "/bin/sh exited with status 3");
  EXPECT_EQ(run_process({"false"}, nullptr), 1);
}

TEST(RunProcess, SignalOfAProgramKilledByOne) {
  std::string error;
  EXPECT_EQ(run_process({"/bin/sh", "-c", "kill -9 $$"}, &error), 128 + 9);
  EXPECT_EQ(error.rfind("/bin/sh was killed by signal 9 (", 0), 0u) << error;
}

TEST(RunProcess, AMissingProgramIsNamed) {
  std::string error;
  EXPECT_EQ(run_process({"topiary-no-such-program", "x"}, &error), kProcessNotStarted);
  EXPECT_EQ(error, "topiary-no-such-program: No such file or directory");
  EXPECT_EQ(run_process({"/nonexistent/python"}, &error), kProcessNotStarted);
  EXPECT_EQ(error, "/nonexistent/python: No such file or directory");
  EXPECT_EQ(run_process({}, &error), kProcessNotStarted);
}

TEST(FindPython, EnvironmentThenVenvThenPython3) {
  namespace fs = std::filesystem;
  const fs::path root =
      fs::temp_directory_path() / ("topiary-subprocess-test-" + std::to_string(::getpid()));
  fs::create_directories(root / ".venv/bin");
  const char* saved = std::getenv("TOPIARY_PYTHON");
  const std::string restore = saved ? saved : "";
  ::unsetenv("TOPIARY_PYTHON");
  EXPECT_EQ(find_python(root), "python3");
  std::ofstream(root / ".venv/bin/python") << "";
  EXPECT_EQ(find_python(root), (root / ".venv/bin/python").string());
  ::setenv("TOPIARY_PYTHON", "/opt/python", 1);
  EXPECT_EQ(find_python(root), "/opt/python");
  if (saved) {
    ::setenv("TOPIARY_PYTHON", restore.c_str(), 1);
  } else {
    ::unsetenv("TOPIARY_PYTHON");
  }
  fs::remove_all(root);
}

TEST(FindSourceRoot, TheEnvironmentWhenItHoldsTheFile) {
  const char* saved = std::getenv("TOPIARY_SOURCE_DIR");
  const std::string restore = saved ? saved : "";
  ::setenv("TOPIARY_SOURCE_DIR", TOPIARY_TEST_SOURCE_DIR, 1);
  EXPECT_EQ(find_source_root("python/topiary_plots/report.py").string(), TOPIARY_TEST_SOURCE_DIR);
  if (saved) {
    ::setenv("TOPIARY_SOURCE_DIR", restore.c_str(), 1);
  } else {
    ::unsetenv("TOPIARY_SOURCE_DIR");
  }
}

}  // namespace
}  // namespace topiary::core
