// topiary recipe check|dump|plan: validate a recipe, print the effective recipe, or print its
// plan in optimizer steps, without training.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "core/error.h"
#include "data/dataset.h"
#include "recipe/plan.h"
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

struct PlanArgs {
  RecipeArgs recipe;
  int64_t dataset_size = 0;  // 0: read the training split's size from data.path
  int64_t world_size = 1;
  double tokens_per_example = 0;  // 0: read from data.path (or 1 with --dataset-size)
};

// Size and mean (truncated) length of the training split, read from the prepared HDF5 file.
void read_dataset_geometry(const recipe::Recipe& r, recipe::PlanOptions& options) {
  if (!std::filesystem::exists(r.data.path)) {
    throw UserError(r.data.path_key_location + ": data file '" + r.data.path +
                    "' does not exist; run `topiary prepare` first, or pass --dataset-size N");
  }
  const data::Dataset dataset = data::read_dataset(r.data.path);
  options.train_examples = dataset.train.size();
  double tokens = 0;
  const auto& offsets = dataset.train.offsets;
  for (size_t i = 0; i + 1 < offsets.size(); ++i) {
    int64_t length = offsets[i + 1] - offsets[i];
    if (r.model.max_length > 0) length = std::min(length, r.model.max_length);
    tokens += static_cast<double>(length);
  }
  options.mean_tokens_per_example =
      options.train_examples > 0 ? tokens / static_cast<double>(options.train_examples) : 1.0;
}

void print_plan(const PlanArgs& args) {
  const recipe::Recipe r = recipe::load_recipe(args.recipe.file, args.recipe.overrides);
  recipe::PlanOptions options;
  options.world_size = args.world_size;
  if (args.dataset_size > 0) {
    options.train_examples = args.dataset_size;
    options.mean_tokens_per_example = args.tokens_per_example > 0 ? args.tokens_per_example : 1.0;
  } else {
    read_dataset_geometry(r, options);
    if (args.tokens_per_example > 0) options.mean_tokens_per_example = args.tokens_per_example;
  }
  const recipe::Plan plan = recipe::plan_recipe(r, options);
  std::printf("%lld training examples; world size %lld (the plan does not depend on it)\n",
              static_cast<long long>(options.train_examples),
              static_cast<long long>(options.world_size));
  std::fputs(plan.to_text(r).c_str(), stdout);
}

}  // namespace

void add_recipe_command(CLI::App& app) {
  CLI::App* recipe = app.add_subcommand("recipe", "Validate, print or plan a recipe");
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

  auto plan_args = std::make_shared<PlanArgs>();
  auto shared_recipe = std::shared_ptr<RecipeArgs>(plan_args, &plan_args->recipe);
  CLI::App* plan = add_recipe_subcommand(
      recipe, "plan",
      "Print the plan in optimizer steps: per stage (and level) its step range, per prune "
      "modifier the steps at which masks change with their sparsity and learning rate, and the "
      "total steps",
      shared_recipe);
  plan->add_option("--dataset-size", plan_args->dataset_size,
                   "Training examples (default: read from the recipe's data.path)")
      ->check(CLI::PositiveNumber);
  plan->add_option("--world-size", plan_args->world_size,
                   "Ranks to check the global batch against; the plan itself never depends on it")
      ->check(CLI::PositiveNumber);
  plan->add_option("--tokens-per-example", plan_args->tokens_per_example,
                   "Mean tokens per example for `tok` times (default: from data.path, else 1)")
      ->check(CLI::PositiveNumber);
  plan->callback([plan_args] { print_plan(*plan_args); });
}

}  // namespace topiary::cli
