// The modifier kinds a stage's `modifiers` list may hold; an unknown kind is reported together
// with this list. The named choices (methods, schedules, optimizers, ...) are enum tables in
// recipe/choices.h.
#include "recipe/recipe.h"

namespace topiary::recipe {

const std::vector<std::string>& known_modifier_kinds() {
  static const std::vector<std::string> kNames{"prune", "snapshot", "rewind", "lr",
                                               "hold",  "augment",  "distill"};
  return kNames;
}

}  // namespace topiary::recipe
