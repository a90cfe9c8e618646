#pragma once
// Stages in optimizer steps: stage i covers steps [begin, end). `until` is absolute, `for` is
// relative to the previous stage's end. Computed once from the global step geometry.
#include <cstdint>
#include <string>
#include <vector>

#include "core/time_spec.h"
#include "recipe/recipe.h"

namespace topiary::train {

struct StageSpan {
  std::string name;
  int64_t begin = 0;
  int64_t end = 0;
};

// Throws UserError (located at the stage) when a stage ends before it begins.
std::vector<StageSpan> stage_timeline(const recipe::Recipe& recipe, const StepGeometry& geometry);

}  // namespace topiary::train
