// Target checks that need the model's parameter names, run by the trainer before step 0.
#include <map>

#include "core/name_match.h"
#include "recipe/recipe.h"
#include "recipe/yaml_reader.h"

namespace topiary::recipe {
namespace {

constexpr size_t kMaxNamesListed = 40;

std::string list_parameters(const std::vector<std::string>& names) {
  if (names.empty()) return "the model has no parameters";
  std::string out = "parameters are: ";
  for (size_t i = 0; i < names.size() && i < kMaxNamesListed; ++i) {
    out += (i == 0 ? "" : ", ") + names[i];
  }
  if (names.size() > kMaxNamesListed) {
    out += ", ... (" + std::to_string(names.size() - kMaxNamesListed) + " more)";
  }
  return out;
}

bool matches_any(const std::vector<std::string>& patterns, const std::string& name) {
  for (const auto& pattern : patterns) {
    if (name_matches(pattern, name)) return true;
  }
  return false;
}

void check_each_matches(const std::vector<std::string>& patterns,
                        const std::vector<SourceLocation>& where,
                        const std::vector<std::string>& names) {
  for (size_t i = 0; i < patterns.size(); ++i) {
    bool found = false;
    for (const auto& name : names) found = found || name_matches(patterns[i], name);
    if (!found) {
      fail_at(i < where.size() ? where[i] : SourceLocation{},
              "'" + patterns[i] + "' matches no parameter; " + list_parameters(names));
    }
  }
}

}  // namespace

std::vector<std::string> select_parameters(const PruneModifier& modifier,
                                           const std::vector<std::string>& parameter_names) {
  std::vector<std::string> selected;
  for (const auto& name : parameter_names) {
    if (matches_any(modifier.targets, name) && !matches_any(modifier.exclude, name)) {
      selected.push_back(name);
    }
  }
  return selected;
}

void validate_targets(const Recipe& recipe, const std::vector<std::string>& parameter_names) {
  check_each_matches(recipe.training.no_decay, recipe.training.no_decay_where, parameter_names);
  check_each_matches(recipe.training.max_norm_targets, recipe.training.max_norm_targets_where,
                     parameter_names);
  for (const auto& stage : recipe.stages) {
    // Which modifier of this stage already prunes a parameter: two would fight over its mask.
    std::map<std::string, const PruneModifier*> owner;
    for (const auto& prune : stage.prune) {
      check_each_matches(prune.targets, prune.targets_where, parameter_names);
      check_each_matches(prune.exclude, prune.exclude_where, parameter_names);
      const std::vector<std::string> selected = select_parameters(prune, parameter_names);
      if (selected.empty()) {
        fail_at(prune.where, "'exclude' removes every parameter that 'targets' selects");
      }
      // An override narrows the modifier: its patterns must match parameters the modifier prunes,
      // and a parameter takes one override at most.
      std::map<std::string, const SparsityOverride*> overridden;
      for (const auto& o : prune.overrides) {
        check_each_matches(o.targets, o.targets_where, selected);
        for (const auto& name : selected) {
          if (!matches_any(o.targets, name)) continue;
          const auto [it, inserted] = overridden.emplace(name, &o);
          if (!inserted) {
            fail_at(o.where, "parameter '" + name + "' is also matched by the override at " +
                                 it->second->where.to_string() + "; give it one override");
          }
        }
      }
      for (const auto& name : selected) {
        const auto [it, inserted] = owner.emplace(name, &prune);
        if (!inserted) {
          fail_at(prune.where, "parameter '" + name + "' is also pruned by the modifier at " +
                                   it->second->where.to_string() + " (key '" +
                                   it->second->where.key + "') in stage '" + stage.name +
                                   "'; a parameter may be pruned by one modifier per stage "
                                   "(use 'exclude' to split targets)");
        }
      }
    }
  }
}

}  // namespace topiary::recipe
