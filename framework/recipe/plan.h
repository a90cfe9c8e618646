#pragma once
// The training plan of a recipe in optimizer steps: stage and level spans, the steps at which
// masks change with their target sparsities, snapshots, rewinds, and the learning rate at every
// step. `topiary recipe plan` prints it; the trainer can follow it. Torch-free and independent
// of the world size: epochs become steps through the GLOBAL batch (DESIGN.md pitfall 10).
//
// Step convention (Note [Step ordering] in the trainer): "step s" is the point after s completed
// optimizer steps. Stage i covers steps [begin, end); level l of a stage with repeat covers
// [begin + l * L, begin + (l + 1) * L). A mask update at step s happens after optimizer step s;
// a rewind at a level's begin happens before its first optimizer step, after any mask update
// at the same step.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/time_spec.h"
#include "prune/schedule.h"
#include "recipe/lr_schedule.h"
#include "recipe/recipe.h"

namespace topiary::recipe {

struct PlanOptions {
  int64_t train_examples = 0;            // size of the training split
  double mean_tokens_per_example = 1.0;  // for `tok` times
  // Only checked (the global batch must split evenly); it never changes the plan.
  int64_t world_size = 1;
};

struct PlannedUpdate {
  int64_t step = 0;
  double sparsity = 0.0;                  // the modifier's target at this step
  std::vector<double> override_sparsity;  // one per PruneModifier::overrides entry
  double lr = 0.0;  // the rate of the optimizer step that just completed (lr_at(step - 1))
  bool operator==(const PlannedUpdate&) const = default;
};

struct PlannedPrune {
  size_t modifier = 0;                         // index into Stage::prune
  prune::SparsityRamp ramp;                    // this level's ramp
  std::vector<prune::SparsityRamp> overrides;  // one per PruneModifier::overrides entry
  std::vector<PlannedUpdate> updates;  // the static timeline (an adaptive ramp's without pauses)
  // Adaptive ramps only (PruneModifier::adaptive): the last step at which the ramp may end when
  // pauses delay it (the level's end, or end + max_delay if earlier); see prune/adaptive_clock.h.
  std::optional<int64_t> adaptive_deadline;
  bool operator==(const PlannedPrune&) const = default;
};

struct PlannedLevel {
  int64_t begin = 0, end = 0;
  bool rewind = false;  // the stage's rewind modifier runs at `begin`
  std::vector<PlannedPrune> prune;
  bool operator==(const PlannedLevel&) const = default;
};

struct PlannedSnapshot {
  std::string name;
  int64_t step = 0;
  bool operator==(const PlannedSnapshot&) const = default;
};

struct PlannedStage {
  std::string name;
  int64_t begin = 0, end = 0;
  int64_t level_length = 0;          // = end - begin without repeat
  std::vector<PlannedLevel> levels;  // one per repeat
  std::vector<PlannedSnapshot> snapshots;
  LrSchedule lr;  // the stage's schedule (constant training.lr without an lr modifier)
  std::optional<AugmentModifier> augment;  // training examples are augmented in this stage
  std::optional<DistillModifier> distill;  // the loss includes a teacher's in this stage
  bool operator==(const PlannedStage&) const = default;
};

struct Plan {
  StepGeometry geometry;
  int64_t total_steps = 0;
  std::vector<PlannedStage> stages;

  // The learning rate for the optimizer step that runs after `step` completed steps.
  double lr_at(int64_t step) const;
  // The augmentation of the step that runs after `step` completed steps, or nullptr.
  const AugmentModifier* augment_at(int64_t step) const;
  // The distillation of the step that runs after `step` completed steps, or nullptr.
  const DistillModifier* distill_at(int64_t step) const;
  // Human-readable, as `topiary recipe plan` prints it.
  std::string to_text(const Recipe& recipe) const;
  bool operator==(const Plan& other) const;
};

// steps_per_epoch = floor(train_examples / global batch); a dataset smaller than one global
// batch, or a world size that does not divide the global batch, is a UserError.
StepGeometry plan_geometry(const Recipe& recipe, const PlanOptions& options);

// Throws UserError located at the stage or modifier when a time converts to an impossible step
// range (a stage that ends before it starts, a ramp that ends before it starts).
Plan plan_recipe(const Recipe& recipe, const PlanOptions& options);

}  // namespace topiary::recipe
