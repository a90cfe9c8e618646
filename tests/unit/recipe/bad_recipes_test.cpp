// Runs every malformed recipe in tests/data/recipes/bad/. Each file starts with comments that
// say what must happen:
//   # expect: <text the error message must contain>
//   # at: <line>:<column>      (or "--set" when the error belongs to an override)
//   # set: <key=value>         (optional, repeatable: passed as --set overrides)
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "recipe/recipe.h"

namespace topiary::recipe {
namespace {

const std::filesystem::path kBadDir =
    std::filesystem::path(TOPIARY_TEST_SOURCE_DIR) / "tests/data/recipes/bad";

struct BadCase {
  std::string file;
  std::string expect;
  std::string at;
  std::vector<std::string> overrides;
};

BadCase read_case(const std::filesystem::path& path) {
  BadCase c{path.string(), "", "", {}};
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line) && line.rfind("#", 0) == 0) {
    auto value_of = [&](const std::string& tag) { return line.substr(tag.size()); };
    if (line.rfind("# expect: ", 0) == 0) c.expect = value_of("# expect: ");
    if (line.rfind("# at: ", 0) == 0) c.at = value_of("# at: ");
    if (line.rfind("# set: ", 0) == 0) c.overrides.push_back(value_of("# set: "));
  }
  return c;
}

std::vector<std::string> bad_files() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(kBadDir)) {
    if (entry.path().extension() == ".yaml") names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class BadRecipe : public ::testing::TestWithParam<std::string> {};

TEST_P(BadRecipe, FailsWithLocatedMessage) {
  const BadCase c = read_case(kBadDir / GetParam());
  ASSERT_FALSE(c.expect.empty()) << c.file << " has no '# expect: ' line";
  ASSERT_FALSE(c.at.empty()) << c.file << " has no '# at: ' line";
  try {
    load_recipe(c.file, c.overrides);
    FAIL() << c.file << " was accepted; expected an error containing: " << c.expect;
  } catch (const UserError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(c.expect), std::string::npos)
        << "message: " << message << "\nexpected to contain: " << c.expect;
    const std::string prefix = c.at == "--set" ? "--set '" : c.file + ":" + c.at + ": ";
    EXPECT_EQ(message.rfind(prefix, 0), 0u)
        << "message: " << message << "\nexpected to start with: " << prefix;
  }
}

INSTANTIATE_TEST_SUITE_P(AllFiles, BadRecipe, ::testing::ValuesIn(bad_files()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return std::filesystem::path(info.param).stem().string();
                         });

TEST(BadRecipeCorpus, HasEnoughCases) { EXPECT_GE(bad_files().size(), 30u); }

}  // namespace
}  // namespace topiary::recipe
