// validate_targets: patterns checked against the model's real parameter names.
#include <gtest/gtest.h>

#include "core/error.h"
#include "recipe/recipe.h"

namespace topiary::recipe {
namespace {

const std::vector<std::string> kParams{"embedding.weight", "convs.0.weight", "convs.0.bias",
                                       "convs.1.weight",   "convs.1.bias",   "fc.weight",
                                       "fc.bias"};

// One stage until 10ep with the given modifier lines (each "- prune: {...}").
Recipe with_modifiers(const std::string& modifiers) {
  return parse_recipe("data: {path: d.h5}\nstages:\n  - until: 10ep\n    modifiers:\n" + modifiers,
                      "recipe.yaml");
}

std::string prune_line(const std::string& targets, const std::string& extra = "") {
  return "      - prune: {targets: " + targets + extra +
         ", final_sparsity: 0.5, start: 1ep, end: 5ep, every: 10it}\n";
}

std::string error_of(const Recipe& recipe, const std::vector<std::string>& params = kParams) {
  try {
    validate_targets(recipe, params);
  } catch (const UserError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(ValidateTargets, AcceptsMatchingPatternsAndSelectsInParameterOrder) {
  const Recipe r =
      with_modifiers(prune_line(R"(["convs.*.weight", 're:fc\..*'])", ", exclude: [fc.bias]"));
  EXPECT_NO_THROW(validate_targets(r, kParams));
  EXPECT_EQ(select_parameters(r.stages[0].prune[0], kParams),
            (std::vector<std::string>{"convs.0.weight", "convs.1.weight", "fc.weight"}));
}

TEST(ValidateTargets, TargetMatchingNothingIsLocatedAtThePattern) {
  const Recipe r = with_modifiers(prune_line(R"(["fc.weight", "conv.*"])"));
  EXPECT_EQ(error_of(r),
            "recipe.yaml:5:40: key 'stages.0.modifiers.0.prune.targets.1': 'conv.*' matches no "
            "parameter; parameters are: embedding.weight, convs.0.weight, convs.0.bias, "
            "convs.1.weight, convs.1.bias, fc.weight, fc.bias");
}

TEST(ValidateTargets, ExcludeMatchingNothingIsAnError) {
  const Recipe r = with_modifiers(prune_line("[fc.weight]", ", exclude: [lstm.*]"));
  EXPECT_EQ(error_of(r).rfind("recipe.yaml:5:49: key 'stages.0.modifiers.0.prune.exclude.0': "
                              "'lstm.*' matches no parameter",
                              0),
            0u)
      << error_of(r);
}

TEST(ValidateTargets, ExcludingEverythingIsAnError) {
  const Recipe r = with_modifiers(prune_line("[fc.weight]", ", exclude: [\"fc.*\"]"));
  EXPECT_EQ(error_of(r),
            "recipe.yaml:5:16: key 'stages.0.modifiers.0.prune': 'exclude' removes "
            "every parameter that 'targets' selects");
}

TEST(ValidateTargets, OverlappingModifiersInOneStageAreAnError) {
  const Recipe r = with_modifiers(prune_line(R"(["convs.*"])") + prune_line(R"(["*.weight"])"));
  EXPECT_EQ(error_of(r),
            "recipe.yaml:6:16: key 'stages.0.modifiers.1.prune': parameter 'convs.0.weight' is "
            "also pruned by the modifier at recipe.yaml:5:16 (key 'stages.0.modifiers.0.prune') in "
            "stage 'stage0'; a parameter may be pruned by one modifier per stage (use 'exclude' "
            "to split targets)");
}

TEST(ValidateTargets, DisjointModifiersAndLaterStagesMayShareParameters) {
  Recipe r = with_modifiers(prune_line(R"(["convs.*"])") + prune_line(R"(["fc.weight"])"));
  EXPECT_EQ(error_of(r), "(accepted)");
  const Recipe two_stages = parse_recipe(R"(data: {path: d.h5}
stages:
  - until: 2ep
    modifiers:
      - prune: {targets: ["fc.weight"], final_sparsity: 0.5, start: 0ep, end: 1ep, every: 1it}
  - until: 4ep
    modifiers:
      - prune: {targets: ["fc.weight"], final_sparsity: 0.8, start: 2ep, end: 3ep, every: 1it}
)",
                                         "recipe.yaml");
  EXPECT_EQ(error_of(two_stages), "(accepted)");
}

TEST(ValidateTargets, LongParameterListsAreShortened) {
  std::vector<std::string> many;
  for (int i = 0; i < 100; ++i) many.push_back("layer" + std::to_string(i) + ".weight");
  const std::string message = error_of(with_modifiers(prune_line("[fc.weight]")), many);
  EXPECT_NE(message.find("layer39.weight, ... (60 more)"), std::string::npos) << message;
  EXPECT_EQ(message.find("layer40.weight"), std::string::npos) << message;
}

TEST(ValidateTargets, OverridesMustMatchParametersOfTheirModifier) {
  const Recipe ok =
      with_modifiers(prune_line(R"(["convs.*.weight", "fc.weight"])",
                                R"(, overrides: [{targets: ["fc.weight"], final_sparsity: 0.2}])"));
  EXPECT_NO_THROW(validate_targets(ok, kParams));
  // fc.bias exists in the model but is not pruned by this modifier.
  const Recipe outside = with_modifiers(prune_line(
      R"(["convs.*.weight"])", R"(, overrides: [{targets: ["fc.bias"], final_sparsity: 0.2}])"));
  EXPECT_NE(error_of(outside).find("'fc.bias' matches no parameter; parameters are: "
                                   "convs.0.weight, convs.1.weight"),
            std::string::npos)
      << error_of(outside);
  const Recipe twice = with_modifiers(prune_line(
      R"(["convs.*.weight"])", R"(, overrides: [{targets: ["convs.0.weight"], final_sparsity: )"
                               R"(0.2}, {targets: ["convs.*"], final_sparsity: 0.3}])"));
  EXPECT_NE(error_of(twice).find("parameter 'convs.0.weight' is also matched by the override at"),
            std::string::npos)
      << error_of(twice);
}

}  // namespace
}  // namespace topiary::recipe
