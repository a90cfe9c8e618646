#pragma once
// The typed recipe: what to train, on what data, and how to prune it over time.
// Layers: built-in defaults (the member initialisers below) -> recipe file -> `--set` overrides,
// merged into one struct and validated as it is built. Every user mistake is a UserError that
// names file:line:col, the dotted key path and what would be valid; see docs/recipes.md for
// every key.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/time_spec.h"

namespace topiary::recipe {

// Where a value came from. `file` is the recipe file, or "--set 'k=v'" for an override;
// line and column are 1-based, 0 when unknown. `key` is the dotted path ("stages.1.until").
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;
  std::string key;
  // "file:line:col" (parts that are unknown are left out).
  std::string to_string() const;
};

struct PruneModifier {
  std::string method = "magnitude";           // magnitude | random
  std::string scope = "global";               // global (one threshold across targets) | layer
  std::vector<std::string> targets;           // parameter-name globs, or "re:<regex>"; non-empty
  std::vector<std::string> exclude;           // same syntax, optional
  double init_sparsity = 0.0;                 // in [0,1)
  double final_sparsity = 0.0;                // in [0,1), >= init_sparsity
  TimeSpec start;                             // absolute time where the ramp starts
  TimeSpec end;                               // absolute time where final_sparsity is reached
  TimeSpec every;                             // pruning frequency, > 0
  std::string schedule = "cubic";             // cubic (Zhu & Gupta) | linear | oneshot
  SourceLocation where;                       // the modifier's map ("stages.1.modifiers.0.prune")
  std::vector<SourceLocation> targets_where;  // one per entry of `targets`
  std::vector<SourceLocation> exclude_where;  // one per entry of `exclude`
};

struct Stage {
  std::string name;                // default "stage<i>", i counted from 0 like `stages.<i>`
  TimeSpec until;                  // absolute end time (YAML `until`), valid when has_until
  std::optional<TimeSpec> length;  // relative length (YAML `for`); exactly one of until/for
  bool has_until = false;
  std::vector<PruneModifier> prune;  // from `modifiers: [ {prune: {...}}, ... ]`
  SourceLocation where;
};

struct ModelConfig {
  std::string type = "textcnn";  // registry; see known_model_types()
  int64_t embedding_dim = 128;
  int64_t filters = 100;
  std::vector<int64_t> widths{3, 4, 5};
  double dropout = 0.5;
  int64_t max_length = 0;  // 0 = no truncation
};

struct DataConfig {
  // `data: {path: ...}`, resolved against the recipe file's directory unless absolute, then made
  // absolute, so that the effective recipe stored in a checkpoint names the same file.
  std::string path;
  std::string path_key_location;  // "recipe.yaml:4:15" of the path value, for data-loading errors
};

struct TrainingConfig {
  int64_t batch_size = 64;         // GLOBAL batch size, split across ranks
  std::string optimizer = "adam";  // adam | adamw | sgd
  double lr = 1e-3;
  double weight_decay = 0.0;
  double momentum = 0.9;               // sgd only
  double grad_clip = 0.0;              // max global gradient norm; 0 = off
  std::optional<TimeSpec> eval_every;  // default: end of each epoch
  int64_t threads = 1;                 // intra-op threads per rank
};

struct Recipe {
  std::string name;  // default: the recipe file's stem
  std::string description;
  uint64_t seed = 1;
  DataConfig data;
  ModelConfig model;
  TrainingConfig training;
  std::vector<Stage> stages;  // at least one
  std::string source_file;    // path as given
  // The recipe after variables, --set overrides and defaults, as YAML; stored in checkpoints.
  // parse_recipe(effective_yaml, ...) gives back an equal Recipe.
  std::string effective_yaml;
};

// `overrides` are "dotted.key.path=value" strings from --set; the value is read as YAML
// (`--set model.widths=[2,3]`); list indices are numbers: `stages.1.until=4ep`.
Recipe load_recipe(const std::string& path, const std::vector<std::string>& overrides = {});
Recipe parse_recipe(const std::string& yaml_text, const std::string& file_name,
                    const std::vector<std::string>& overrides = {});

// The effective recipe as YAML (every key, defaults included, variables substituted).
std::string to_yaml(const Recipe& recipe);

// Called by the trainer once parameter names are known. Every target and exclude pattern must
// match at least one parameter, each modifier must select at least one parameter, and no
// parameter may be pruned by two modifiers of the same stage; otherwise a UserError located at
// the pattern or modifier, listing the parameters.
void validate_targets(const Recipe& recipe, const std::vector<std::string>& parameter_names);

// The parameters a modifier prunes: those matching any target and no exclude, in the order of
// `parameter_names`.
std::vector<std::string> select_parameters(const PruneModifier& modifier,
                                           const std::vector<std::string>& parameter_names);

// Registries of names the recipe accepts; an unknown name is an error that lists these.
const std::vector<std::string>& known_model_types();
const std::vector<std::string>& known_prune_methods();
const std::vector<std::string>& known_prune_scopes();
const std::vector<std::string>& known_prune_schedules();
const std::vector<std::string>& known_optimizers();
const std::vector<std::string>& known_modifier_kinds();

}  // namespace topiary::recipe
