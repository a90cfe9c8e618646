// topiary recipe check|dump: validate a recipe, or print the effective recipe, without training.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "recipe/recipe.h"

namespace topiary::cli {
namespace {

struct RecipeArgs {
  std::string file;
  std::vector<std::string> overrides;
};

// Both subcommands take the same positional file and repeatable --set.
CLI::App* add_recipe_subcommand(CLI::App* parent, const std::string& name,
                                const std::string& description,
                                const std::shared_ptr<RecipeArgs>& args) {
  CLI::App* sub = parent->add_subcommand(name, description);
  sub->add_option("recipe", args->file, "Recipe YAML file")->required();
  sub->add_option("--set", args->overrides,
                  "Override a key before validation: dotted.key.path=value, list entries by "
                  "number (stages.1.until=4ep); repeatable")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false)  // one value per --set, so the recipe file may follow it
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  return sub;
}

}  // namespace

void add_recipe_command(CLI::App& app) {
  CLI::App* recipe = app.add_subcommand("recipe", "Validate or print a recipe");
  recipe->require_subcommand(1);

  auto check_args = std::make_shared<RecipeArgs>();
  add_recipe_subcommand(recipe, "check",
                        "Validate a recipe (keys, types, ranges, times, names); prints "
                        "'ok: FILE: N stages' or the first error with file:line:col",
                        check_args)
      ->callback([check_args] {
        const recipe::Recipe parsed = recipe::load_recipe(check_args->file, check_args->overrides);
        std::printf("ok: %s: %zu stage%s\n", check_args->file.c_str(), parsed.stages.size(),
                    parsed.stages.size() == 1 ? "" : "s");
      });

  auto dump_args = std::make_shared<RecipeArgs>();
  add_recipe_subcommand(recipe, "dump",
                        "Print the effective recipe (defaults filled in, variables and --set "
                        "applied) as YAML",
                        dump_args)
      ->callback([dump_args] {
        const recipe::Recipe parsed = recipe::load_recipe(dump_args->file, dump_args->overrides);
        std::fputs(parsed.effective_yaml.c_str(), stdout);
      });
}

}  // namespace topiary::cli
