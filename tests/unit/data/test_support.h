#pragma once
// Shared helpers for the data tests: where the real datasets and fixtures are, temp dirs,
// and an EXPECT for "throws a UserError whose message contains all of these".
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>

#include "../test_data_dir.h"
#include "core/error.h"

namespace topiary::data::test {

using topiary::test::data_file;

inline std::string sst2_path(const std::string& file) { return data_file("sst2/" + file); }

inline std::string fixture(const std::string& name) {
  return std::string(TOPIARY_TEST_SOURCE_DIR) + "/tests/data/prepare/" + name;
}

// Debian's fortunes corpus, which launch/setup.sh installs; missing fails the test.
inline std::string fortunes_dir() {
  const std::string dir = "/usr/share/games/fortunes";
  if (!std::filesystem::is_directory(dir))
    ADD_FAILURE() << dir << " missing: install Debian's fortunes package (launch/setup.sh does)";
  return dir;
}

// A fresh directory under the system temp dir, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::temp_directory_path() /
            ("topiary-" + std::string(info->test_suite_name()) + "-" + info->name() + "-" +
             std::to_string(::getpid()));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline void write_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
}

// Returns the UserError message of fn(), failing the test when fn does not throw one.
template <typename Fn>
std::string user_error_of(Fn&& fn) {
  try {
    fn();
  } catch (const UserError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a UserError";
  return "";
}

}  // namespace topiary::data::test

#define EXPECT_USER_ERROR(statement, ...)                                                  \
  do {                                                                                     \
    const std::string message_ = ::topiary::data::test::user_error_of([&] { statement; }); \
    for (const std::string& part_ : std::initializer_list<std::string>{__VA_ARGS__}) {     \
      EXPECT_NE(message_.find(part_), std::string::npos)                                   \
          << "message: " << message_ << "\nshould contain: " << part_;                     \
    }                                                                                      \
  } while (0)
