// The names a recipe may use for each pluggable piece. Each list mirrors a registry of
// factories elsewhere (models, prune scorers, schedules, optimizers); keep them in step, as an
// unknown name is reported together with this list.
#include "recipe/recipe.h"

namespace topiary::recipe {

const std::vector<std::string>& known_model_types() {
  static const std::vector<std::string> kNames{"textcnn", "bilstm", "bigru", "transformer", "gpt"};
  return kNames;
}

const std::vector<std::string>& known_prune_methods() {
  static const std::vector<std::string> kNames{"magnitude", "random", "taylor", "movement",
                                               "movement_soft"};
  return kNames;
}

const std::vector<std::string>& known_prune_scopes() {
  static const std::vector<std::string> kNames{"global", "layer"};
  return kNames;
}

const std::vector<std::string>& known_prune_schedules() {
  static const std::vector<std::string> kNames{"cubic", "linear", "oneshot", "exponential"};
  return kNames;
}

const std::vector<std::string>& known_optimizers() {
  static const std::vector<std::string> kNames{"adam", "adamw", "sgd"};
  return kNames;
}

const std::vector<std::string>& known_modifier_kinds() {
  static const std::vector<std::string> kNames{"prune", "snapshot", "rewind",
                                               "lr",    "hold",     "augment"};
  return kNames;
}

const std::vector<std::string>& known_lr_schedules() {
  static const std::vector<std::string> kNames{"constant", "step", "linear", "cosine"};
  return kNames;
}

}  // namespace topiary::recipe
