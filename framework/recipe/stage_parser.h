#pragma once
// Reads `stages:` and the modifiers inside each stage (internal to the recipe module).
#include <yaml-cpp/yaml.h>

#include <optional>
#include <vector>

#include "recipe/recipe.h"
#include "recipe/yaml_reader.h"

namespace topiary::recipe {

std::vector<Stage> parse_stages(const Context& ctx, const YAML::Node& node,
                                const std::string& path);

// Two times can be ordered before the trainer converts units when they share a unit, or when
// one of them is zero (zero is zero in every unit).
inline bool comparable(const TimeSpec& a, const TimeSpec& b) {
  return a.unit == b.unit || a.value == 0 || b.value == 0;
}

// Where a modifier may act: from the stage's start to the end of its first level, each known
// only when it can be compared without the trainer's unit conversion.
struct StageWindow {
  TimeSpec begin;               // zero (compares with everything) when unknown
  std::optional<TimeSpec> end;  // end of the first level
};

// prune_parser.cpp
// A list of parameter-name patterns (globs or re:<regex>, checked), with each item's location.
std::vector<std::string> parse_patterns(const Context& ctx, const YAML::Node& node,
                                        const std::string& path,
                                        std::vector<SourceLocation>* where);
PruneModifier parse_prune(const Context& ctx, const YAML::Node& node, const std::string& path,
                          const StageWindow& window);
// stage_modifiers.cpp
SnapshotModifier parse_snapshot(const Context& ctx, const YAML::Node& node, const std::string& path,
                                const StageWindow& window);
RewindModifier parse_rewind(const Context& ctx, const YAML::Node& node, const std::string& path);
AugmentModifier parse_augment(const Context& ctx, const YAML::Node& node, const std::string& path);
DistillModifier parse_distill(const Context& ctx, const YAML::Node& node, const std::string& path);

// recipe_parser.cpp
// A path resolved against the recipe file's directory unless absolute, then made absolute, so
// that the effective recipe stored in a checkpoint names the same file.
std::string resolved_path(const Context& ctx, const std::string& path);
LrModifier parse_lr(const Context& ctx, const YAML::Node& node, const std::string& path,
                    const StageWindow& window);

}  // namespace topiary::recipe
