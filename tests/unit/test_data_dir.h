#pragma once
// Where unit tests find the real datasets: $TOPIARY_DATA_DIR when set, else the repository's
// data/ folder (compiled in as TOPIARY_TEST_DATA_DIR). A missing file fails the test, saying
// where it looked, so a clone with its data/ folder missing or moved cannot pass quietly.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace topiary::test {

inline std::string data_dir() {
  if (const char* dir = std::getenv("TOPIARY_DATA_DIR"); dir && *dir) return dir;
  return TOPIARY_TEST_DATA_DIR;
}

// A dataset file relative to data_dir(); ADD_FAILURE (never a skip) when it is missing.
inline std::string data_file(const std::string& relative) {
  const std::string path = data_dir() + "/" + relative;
  if (!std::filesystem::exists(path))
    ADD_FAILURE() << "dataset file missing: " << path
                  << " (the repository's data/ folder, or TOPIARY_DATA_DIR when set)";
  return path;
}

}  // namespace topiary::test
