// Every recipe in recipes/ parses, validates against recipes/schema.json (as an editor would see
// it), round-trips through its effective YAML, and has a comment header saying what it shows.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "recipe/recipe.h"
#include "schema_validator.h"

namespace topiary::recipe {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const fs::path kRecipes = fs::path(TOPIARY_TEST_SOURCE_DIR) / "recipes";

json load_schema() {
  std::ifstream in(kRecipes / "schema.json");
  return json::parse(in);
}

std::vector<std::string> recipe_files() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kRecipes)) {
    if (entry.path().extension() == ".yaml") names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string join(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += line + "\n";
  return out;
}

class ShippedRecipe : public ::testing::TestWithParam<std::string> {};

TEST_P(ShippedRecipe, ParsesValidatesAndRoundTrips) {
  const fs::path file = kRecipes / GetParam();
  const Recipe r = load_recipe(file.string());
  const json schema = load_schema();
  EXPECT_EQ(join(testing::validate(schema, testing::yaml_to_json(YAML::LoadFile(file.string())))),
            "");
  EXPECT_EQ(join(testing::validate(schema, testing::yaml_to_json(YAML::Load(r.effective_yaml)))),
            "")
      << r.effective_yaml;
  const Recipe again = parse_recipe(r.effective_yaml, file.string());
  EXPECT_EQ(again.effective_yaml, r.effective_yaml);
}

TEST_P(ShippedRecipe, StartsWithACommentHeader) {
  std::ifstream in(kRecipes / GetParam());
  std::string line;
  int comment_lines = 0;
  while (std::getline(in, line) && line.rfind("#", 0) == 0) ++comment_lines;
  EXPECT_GE(comment_lines, 3) << "say what the recipe shows, in a few comment lines at the top";
}

INSTANTIATE_TEST_SUITE_P(All, ShippedRecipe, ::testing::ValuesIn(recipe_files()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return fs::path(info.param).stem().string();
                         });

TEST(ShippedRecipes, CoverTheMethodsUsersExpect) {
  const std::vector<std::string> files = recipe_files();
  for (const char* name :
       {"gmp_global90.yaml", "layerwise80.yaml", "random90.yaml", "taylor.yaml", "movement.yaml",
        "nm_2of4.yaml", "structured_rows.yaml", "imp_rewind.yaml"}) {
    EXPECT_NE(std::find(files.begin(), files.end(), name), files.end()) << name;
  }
}

TEST(SchemaValidator, RejectsWhatTheSchemaForbids) {
  const json schema = load_schema();
  auto errors = [&](const std::string& yaml) {
    return testing::validate(schema, testing::yaml_to_json(YAML::Load(yaml)));
  };
  const std::string ok = "data: {path: d.h5}\nstages: [{until: 1ep}]\n";
  EXPECT_TRUE(errors(ok).empty()) << join(errors(ok));
  EXPECT_FALSE(errors(ok + "zzz: 1\n").empty());                               // unknown key
  EXPECT_FALSE(errors("stages: [{until: 1ep}]\n").empty());                    // missing data
  EXPECT_FALSE(errors("data: {path: d.h5}\nstages: [{until: 1}]\n").empty());  // no unit
  EXPECT_FALSE(errors("data: {path: d.h5}\nstages: [{until: 1ep, for: 1ep}]\n").empty());
  EXPECT_FALSE(
      errors("data: {path: d.h5}\nstages: [{for: 1ep, modifiers: [{lr: {schedule: exp}}]}]\n")
          .empty());
  EXPECT_FALSE(errors("data: {path: d.h5}\nstages: [{for: 1ep, repeat: 0}]\n").empty());
  EXPECT_FALSE(errors("data: {path: d.h5}\nstages: [{for: 1ep, modifiers: [{prune: {targets: "
                      "[a], final_sparsity: 0.5, start: 0ep, end: 1ep, every: 1it, pattern: "
                      "\"2-4\"}}]}]\n")
                   .empty());
  EXPECT_FALSE(errors("seed: -1\n" + ok).empty());
  EXPECT_FALSE(errors("model: {widths: []}\n" + ok).empty());
  EXPECT_FALSE(errors("model: {dropout: 1}\n" + ok).empty());
  EXPECT_FALSE(errors("model: {embedding_dim: \"64\"}\n" + ok).empty());  // quoted: a string
  EXPECT_TRUE(errors("seed: \"${s}\"\n" + ok).empty());                   // a variable
}

}  // namespace
}  // namespace topiary::recipe
