#pragma once
// For tests of the file writers: a file must be a function of its contents, not of when it was
// written (checksums of datasets and checkpoints identify what they hold).
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>

namespace topiary::test {

inline std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Calls write(first), then write(second) in a later wall-clock second (HDF5 keeps object times
// in whole seconds), and succeeds when both files hold the same, non-empty bytes.
template <typename Write>
::testing::AssertionResult written_later_is_byte_identical(const std::string& first,
                                                           const std::string& second,
                                                           Write&& write) {
  write(first);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  write(second);
  const std::string a = file_bytes(first), b = file_bytes(second);
  if (a.empty()) return ::testing::AssertionFailure() << first << " is empty or missing";
  if (a != b) return ::testing::AssertionFailure() << first << " and " << second << " differ";
  return ::testing::AssertionSuccess();
}

}  // namespace topiary::test
