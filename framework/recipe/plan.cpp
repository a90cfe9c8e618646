#include "recipe/plan.h"

#include <algorithm>
#include <cstdio>

#include "core/error.h"
#include "recipe/yaml_reader.h"

namespace topiary::recipe {
namespace {

[[noreturn]] void fail_at_key(const SourceLocation& where, const std::string& key,
                              const std::string& message) {
  throw UserError(
      located(where.file, where.line, where.column, join_path(where.key, key), message));
}

LrSchedule stage_lr(const Recipe& recipe, const Stage& stage, const PlannedStage& span,
                    const StepGeometry& geometry) {
  LrSchedule lr;
  lr.base_lr = recipe.training.lr;
  lr.begin = span.begin;
  lr.length = span.end - span.begin;
  if (!stage.lr) return lr;
  const LrModifier& m = *stage.lr;
  lr.kind = m.schedule;
  lr.min_lr = m.min_lr;
  lr.gamma = m.gamma;
  if (m.every) lr.every = std::max<int64_t>(1, m.every->to_steps(geometry));
  if (m.warmup) lr.warmup = m.warmup->to_steps(geometry);
  if (m.rewind) lr.level_length = span.level_length;
  if (lr.warmup >= (m.rewind ? span.level_length : lr.length)) {
    fail_at_key(m.where, "warmup",
                "is " + std::to_string(lr.warmup) +
                    " steps, not shorter than the stage (level) it warms up");
  }
  return lr;
}

prune::SparsityRamp level0_ramp(const PruneModifier& m, double final_sparsity,
                                const StepGeometry& geometry) {
  prune::SparsityRamp ramp;
  ramp.kind = m.schedule;
  ramp.start_step = m.start.to_steps(geometry);
  ramp.end_step = m.end.to_steps(geometry);
  ramp.every = std::max<int64_t>(1, m.every.to_steps(geometry));
  ramp.initial = m.init_sparsity;
  ramp.final = final_sparsity;
  ramp.rate = m.rate;
  if (ramp.end_step < ramp.start_step) {
    fail_at_key(m.where, "end",
                "ends (step " + std::to_string(ramp.end_step) + ") before it starts (step " +
                    std::to_string(ramp.start_step) + ")");
  }
  return ramp;
}

PlannedPrune plan_prune(const PruneModifier& m, size_t index, int64_t level,
                        const PlannedStage& stage, const StepGeometry& geometry) {
  PlannedPrune p;
  p.modifier = index;
  p.ramp = level0_ramp(m, m.final_sparsity, geometry).for_level(level, stage.level_length);
  for (const auto& o : m.overrides) {
    p.overrides.push_back(
        level0_ramp(m, o.final_sparsity, geometry).for_level(level, stage.level_length));
  }
  for (int64_t step : p.ramp.update_steps()) {
    PlannedUpdate u;
    u.step = step;
    u.sparsity = p.ramp.sparsity_at(step);
    for (const auto& ramp : p.overrides) u.override_sparsity.push_back(ramp.sparsity_at(step));
    p.updates.push_back(u);
  }
  if (m.adaptive) {
    const int64_t level_end = stage.begin + (level + 1) * stage.level_length;
    int64_t deadline = level_end;
    if (m.adaptive->max_delay) {
      deadline = std::min(deadline, p.ramp.end_step + m.adaptive->max_delay->to_steps(geometry));
    }
    p.adaptive_deadline = std::max(deadline, p.ramp.end_step);
  }
  return p;
}

PlannedStage plan_stage(const Recipe& recipe, size_t index, int64_t begin,
                        const StepGeometry& geometry, std::vector<PlannedSnapshot>& taken) {
  const Stage& stage = recipe.stages[index];
  PlannedStage span;
  span.name = stage.name;
  span.begin = begin;
  if (stage.has_until) {
    span.end = stage.until.to_steps(geometry);
    span.level_length = span.end - begin;
  } else {
    span.level_length = stage.length->to_steps(geometry);
    span.end = begin + stage.repeat * span.level_length;
  }
  if (span.level_length <= 0) {
    fail_at_key(stage.where, stage.has_until ? "until" : "for",
                "stage '" + stage.name + "' would end at step " +
                    std::to_string(begin + span.level_length) + ", not after its start at step " +
                    std::to_string(begin));
  }
  for (const auto& s : stage.snapshots) {
    span.snapshots.push_back({s.name, s.at ? s.at->to_steps(geometry) : begin});
  }
  bool rewind_from_earlier = false;
  if (stage.rewind) {
    for (const auto& s : taken) rewind_from_earlier |= s.name == stage.rewind->to;
  }
  for (int64_t level = 0; level < stage.repeat; ++level) {
    PlannedLevel l;
    l.begin = begin + level * span.level_length;
    l.end = l.begin + span.level_length;
    l.rewind = stage.rewind && (level > 0 || rewind_from_earlier);
    for (size_t m = 0; m < stage.prune.size(); ++m) {
      l.prune.push_back(plan_prune(stage.prune[m], m, level, span, geometry));
    }
    span.levels.push_back(std::move(l));
  }
  span.lr = stage_lr(recipe, stage, span, geometry);
  span.augment = stage.augment;
  span.distill = stage.distill;
  taken.insert(taken.end(), span.snapshots.begin(), span.snapshots.end());
  return span;
}

std::string format(const char* pattern, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), pattern, value);
  return buffer;
}

std::string join_targets(const std::vector<std::string>& targets) {
  std::string out;
  for (const auto& t : targets) out += (out.empty() ? "" : ", ") + t;
  return out;
}

// "; distill from T (temperature t, alpha a[, hidden h])" for the plan's stage line.
std::string distill_text(const DistillModifier& distill) {
  return "; distill from " + distill.teacher + " (temperature " +
         format("%g", distill.temperature) + ", alpha " + format("%g", distill.alpha) +
         (distill.hidden != 0 ? ", hidden " + format("%g", distill.hidden) : std::string()) + ")";
}

}  // namespace

StepGeometry plan_geometry(const Recipe& recipe, const PlanOptions& options) {
  const int64_t batch = recipe.training.batch_size;
  if (options.world_size < 1 || batch % options.world_size != 0) {
    throw UserError("training.batch_size " + std::to_string(batch) +
                    " (the global batch) does not split evenly across " +
                    std::to_string(options.world_size) + " ranks");
  }
  StepGeometry geometry;
  geometry.steps_per_epoch = options.train_examples / batch;
  // drop_last: false completes the last partial batch (train::EpochSampler).
  if (!recipe.training.drop_last && options.train_examples % batch != 0 &&
      options.train_examples > batch) {
    ++geometry.steps_per_epoch;
  }
  if (geometry.steps_per_epoch < 1) {
    throw UserError("the training set has " + std::to_string(options.train_examples) +
                    " examples, fewer than one global batch (training.batch_size " +
                    std::to_string(batch) + ")");
  }
  geometry.tokens_per_step = options.mean_tokens_per_example * static_cast<double>(batch);
  return geometry;
}

Plan plan_recipe(const Recipe& recipe, const PlanOptions& options) {
  Plan plan;
  plan.geometry = plan_geometry(recipe, options);
  std::vector<PlannedSnapshot> taken;
  int64_t cursor = 0;
  for (size_t i = 0; i < recipe.stages.size(); ++i) {
    plan.stages.push_back(plan_stage(recipe, i, cursor, plan.geometry, taken));
    cursor = plan.stages.back().end;
  }
  plan.total_steps = cursor;
  for (auto& stage : plan.stages) {
    for (auto& level : stage.levels) {
      for (auto& p : level.prune) {
        for (auto& u : p.updates) u.lr = plan.lr_at(std::max<int64_t>(0, u.step - 1));
      }
    }
  }
  return plan;
}

const AugmentModifier* Plan::augment_at(int64_t step) const {
  for (const PlannedStage& stage : stages) {
    if (step >= stage.begin && step < stage.end) return stage.augment ? &*stage.augment : nullptr;
  }
  return nullptr;
}

const DistillModifier* Plan::distill_at(int64_t step) const {
  for (const PlannedStage& stage : stages) {
    if (step >= stage.begin && step < stage.end) return stage.distill ? &*stage.distill : nullptr;
  }
  return nullptr;
}

double Plan::lr_at(int64_t step) const {
  for (const auto& stage : stages) {
    if (step < stage.end) return stage.lr.lr_at(step);
  }
  return stages.empty() ? 0.0 : stages.back().lr.lr_at(step);
}

bool Plan::operator==(const Plan& other) const {
  return geometry.steps_per_epoch == other.geometry.steps_per_epoch &&
         geometry.tokens_per_step == other.geometry.tokens_per_step &&
         total_steps == other.total_steps && stages == other.stages;
}

std::string Plan::to_text(const Recipe& recipe) const {
  std::string out = "recipe " + recipe.name + ": global batch " +
                    std::to_string(recipe.training.batch_size) + ", " +
                    std::to_string(geometry.steps_per_epoch) + " steps per epoch, " +
                    std::to_string(total_steps) + " steps in all\n";
  for (size_t s = 0; s < stages.size(); ++s) {
    const PlannedStage& stage = stages[s];
    const Stage& source = recipe.stages[s];
    out += "stage " + stage.name + ": steps [" + std::to_string(stage.begin) + ", " +
           std::to_string(stage.end) + ")";
    if (stage.levels.size() > 1) {
      out += ", " + std::to_string(stage.levels.size()) + " levels of " +
             std::to_string(stage.level_length) + " steps";
    }
    out += "; lr " +
           std::string(kLrKinds.name(source.lr ? source.lr->schedule : LrKind::kConstant)) + " " +
           format("%.6g", stage.lr.lr_at(stage.begin)) + " -> " +
           format("%.6g", stage.lr.lr_at(stage.end - 1)) + (source.hold ? "; masks held" : "") +
           (stage.augment ? "; augment delete " + format("%g", stage.augment->delete_probability) +
                                " swap " + format("%g", stage.augment->swap_probability) +
                                " insert " + format("%g", stage.augment->insert_probability) +
                                " mask " + format("%g", stage.augment->mask_probability) +
                                " (span " + std::to_string(stage.augment->mask_span) + ")"
                          : std::string()) +
           (stage.distill ? distill_text(*stage.distill) : std::string()) + "\n";
    for (const auto& snapshot : stage.snapshots) {
      out += "  snapshot '" + snapshot.name + "' at step " + std::to_string(snapshot.step) + "\n";
    }
    for (size_t l = 0; l < stage.levels.size(); ++l) {
      const PlannedLevel& level = stage.levels[l];
      std::string indent = "  ";
      if (stage.levels.size() > 1) {
        out += "  level " + std::to_string(l + 1) + ": steps [" + std::to_string(level.begin) +
               ", " + std::to_string(level.end) + ")\n";
        indent = "    ";
      }
      if (level.rewind) {
        out += indent + "rewind to '" + source.rewind->to + "' at step " +
               std::to_string(level.begin) + (source.rewind->reinit ? " (re-initialised)" : "") +
               ", masks kept\n";
      }
      for (const auto& p : level.prune) {
        const PruneModifier& m = source.prune[p.modifier];
        out += indent + "prune " + std::to_string(p.modifier) + " (" +
               std::string(prune::kScorerKinds.name(m.method)) + ", " +
               std::string(prune::kScopes.name(m.scope)) + ", " + m.pattern + ", " +
               std::string(prune::kScheduleKinds.name(m.schedule)) + ") " +
               join_targets(m.targets) + ":\n";
        if (p.adaptive_deadline) {
          out += indent + "  adaptive (" + std::string(kAdaptiveMetrics.name(m.adaptive->metric)) +
                 ", tolerance " + format("%g", m.adaptive->tolerance) +
                 "): the steps below are the timeline without pauses; pauses move the rest "
                 "later, and the end is reached by step " +
                 std::to_string(*p.adaptive_deadline) + " at the latest\n";
        }
        for (const auto& u : p.updates) {
          out += indent + "  step " + std::to_string(u.step) + ": sparsity " +
                 format("%.4f", u.sparsity);
          for (size_t o = 0; o < u.override_sparsity.size(); ++o) {
            out += " (" + join_targets(m.overrides[o].targets) + ": " +
                   format("%.4f", u.override_sparsity[o]) + ")";
          }
          out += ", lr " + format("%.6g", u.lr) + "\n";
        }
      }
    }
  }
  out += "total steps: " + std::to_string(total_steps) + "\n";
  return out;
}

}  // namespace topiary::recipe
