// libFuzzer harness: recipe text from elsewhere must never crash Topiary. Any input is parsed,
// written back as the effective YAML, parsed again (parse_recipe promises the effective YAML
// round-trips) and checked against TextCNN's parameter names. A UserError is the only
// acceptable failure; any other exception, sanitizer report or abort is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "core/error.h"
#include "recipe/recipe.h"

namespace {

const std::vector<std::string> kTextCnnParameters{
    "embedding.weight", "convs.0.weight", "convs.0.bias", "convs.1.weight", "convs.1.bias",
    "convs.2.weight",   "convs.2.bias",   "fc.weight",    "fc.bias"};

[[noreturn]] void finding(const char* stage, const char* what) {
  std::fprintf(stderr, "recipe_fuzzer: %s threw a non-UserError: %s\n", stage, what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  topiary::recipe::Recipe recipe;
  try {
    recipe = topiary::recipe::parse_recipe(text, "fuzz.yaml");
  } catch (const topiary::UserError&) {
    return 0;
  } catch (const std::exception& e) {
    finding("parse_recipe", e.what());
  } catch (...) {
    finding("parse_recipe", "(not a std::exception)");
  }
  std::string yaml;
  try {
    yaml = topiary::recipe::to_yaml(recipe);
  } catch (const std::exception& e) {
    finding("to_yaml of an accepted recipe", e.what());
  }
  try {
    const topiary::recipe::Recipe again = topiary::recipe::parse_recipe(yaml, "effective.yaml");
    if (topiary::recipe::to_yaml(again) != yaml) {
      std::fprintf(stderr, "recipe_fuzzer: effective YAML is not a fixed point:\n%s\n---\n%s\n",
                   yaml.c_str(), topiary::recipe::to_yaml(again).c_str());
      std::abort();
    }
  } catch (const topiary::UserError& e) {
    std::fprintf(stderr, "recipe_fuzzer: effective YAML of an accepted recipe is refused: %s\n%s\n",
                 e.what(), yaml.c_str());
    std::abort();
  } catch (const std::exception& e) {
    finding("parse_recipe of the effective YAML", e.what());
  }
  try {
    topiary::recipe::validate_targets(recipe, kTextCnnParameters);
  } catch (const topiary::UserError&) {
  } catch (const std::exception& e) {
    finding("validate_targets", e.what());
  }
  return 0;
}
