#include "train/stage_timeline.h"

#include "core/error.h"

namespace topiary::train {

std::vector<StageSpan> stage_timeline(const recipe::Recipe& recipe, const StepGeometry& geometry) {
  std::vector<StageSpan> spans;
  int64_t cursor = 0;
  for (size_t i = 0; i < recipe.stages.size(); ++i) {
    const auto& stage = recipe.stages[i];
    StageSpan span;
    span.name = stage.name.empty() ? "stage" + std::to_string(i) : stage.name;
    span.begin = cursor;
    span.end = stage.has_until ? stage.until.to_steps(geometry)
                               : cursor + (stage.length ? stage.length->to_steps(geometry) : 0);
    if (span.end <= span.begin) {
      throw UserError(located(stage.where.file, stage.where.line, stage.where.column,
                              stage.has_until ? "until" : "for",
                              "stage '" + span.name + "' would end at step " +
                                  std::to_string(span.end) + ", not after its start at step " +
                                  std::to_string(span.begin)));
    }
    cursor = span.end;
    spans.push_back(span);
  }
  return spans;
}

}  // namespace topiary::train
