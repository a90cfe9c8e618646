#pragma once
// Reads `stages:` and the modifiers inside each stage (internal to the recipe module).
#include <yaml-cpp/yaml.h>

#include <vector>

#include "recipe/recipe.h"
#include "recipe/yaml_reader.h"

namespace topiary::recipe {

std::vector<Stage> parse_stages(const Context& ctx, const YAML::Node& node,
                                const std::string& path);

}  // namespace topiary::recipe
