#pragma once
// Edits to the YAML tree made before it is validated: `--set` overrides, then `${name}`
// variables. Both are pure text/tree operations; nothing is ever evaluated.
#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "recipe/yaml_reader.h"

namespace topiary::recipe {

// Splits "a.b.1.c=value" strings; a malformed one is a UserError naming it.
std::vector<Override> parse_overrides(const std::vector<std::string>& texts);

// Writes each override's value (read as YAML) at its path, creating maps on the way. A number
// segment indexes a list and must be in range. Later overrides win.
void apply_overrides(YAML::Node root, const std::vector<Override>& overrides);

// Replaces every `${name}` in scalar values (not keys) with the text of `variables.name`.
// Variable values must be plain scalars; an unknown name or an unclosed `${` is an error at the
// scalar that uses it.
void substitute_variables(const Context& ctx, YAML::Node root);

}  // namespace topiary::recipe
