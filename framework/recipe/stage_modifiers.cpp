// The modifiers around pruning: snapshot, rewind (lottery ticket), lr, augment and distill.
#include <cmath>

#include "core/error.h"
#include "recipe/stage_parser.h"

namespace topiary::recipe {

SnapshotModifier parse_snapshot(const Context& ctx, const YAML::Node& node, const std::string& path,
                                const StageWindow& window) {
  MapReader m(ctx, node, path, {"name", "at"});
  SnapshotModifier snapshot;
  snapshot.where = m.locate();
  snapshot.name = as_string(ctx, m.require("name"), m.path("name"));
  if (snapshot.name.empty()) m.fail("name", "a snapshot needs a name, e.g. {name: early}");
  snapshot.at = m.time_opt("at");
  if (snapshot.at) {
    if (comparable(*snapshot.at, window.begin) && snapshot.at->value < window.begin.value) {
      m.fail("at", "is before its stage begins (" + window.begin.to_string() + ")");
    }
    if (window.end && comparable(*snapshot.at, *window.end) &&
        snapshot.at->value > window.end->value) {
      m.fail("at", "is after its stage's first level ends (" + window.end->to_string() + ")");
    }
  }
  return snapshot;
}

AugmentModifier parse_augment(const Context& ctx, const YAML::Node& node, const std::string& path) {
  MapReader m(ctx, node, path, {"delete", "swap", "insert", "mask", "span"});
  AugmentModifier augment;
  augment.where = m.locate();
  const auto probability = [&](const char* key) {
    const double p = m.double_or(key, 0.0);
    if (!(p >= 0 && p <= 1)) m.fail(key, "is a probability in [0, 1]; found " + format_number(p));
    return p;
  };
  augment.delete_probability = probability("delete");
  augment.swap_probability = probability("swap");
  augment.insert_probability = probability("insert");
  augment.mask_probability = probability("mask");
  augment.mask_span = m.int_or("span", augment.mask_span);
  if (augment.mask_span < 1) m.fail("span", "must be >= 1 (tokens per masked span)");
  if (augment.delete_probability == 0 && augment.swap_probability == 0 &&
      augment.insert_probability == 0 && augment.mask_probability == 0) {
    ctx.fail(node, path,
             "augment needs at least one of delete, swap, insert, mask above 0, e.g. "
             "augment: {delete: 0.1, swap: 0.1}");
  }
  return augment;
}

RewindModifier parse_rewind(const Context& ctx, const YAML::Node& node, const std::string& path) {
  MapReader m(ctx, node, path, {"to", "reinit"});
  RewindModifier rewind;
  rewind.where = m.locate();
  rewind.to = as_string(ctx, m.require("to"), m.path("to"));
  rewind.to_where = ctx.locate(m.get("to"), m.path("to"));
  rewind.reinit = m.bool_or("reinit", false);
  return rewind;
}

LrModifier parse_lr(const Context& ctx, const YAML::Node& node, const std::string& path,
                    const StageWindow& window) {
  MapReader m(ctx, node, path, {"schedule", "warmup", "min_lr", "gamma", "every", "rewind"});
  LrModifier lr;
  lr.where = m.locate();
  if (m.has("schedule")) {
    lr.schedule =
        as_choice(ctx, m.get("schedule"), m.path("schedule"), "learning-rate schedule", kLrKinds);
  }
  lr.warmup = m.time_opt("warmup");
  if (lr.warmup) {
    if (lr.warmup->value <= 0) m.fail("warmup", "must be longer than zero (or left out)");
    const TimeSpec length{window.end ? window.end->value - window.begin.value : 0,
                          window.end ? window.end->unit : TimeUnit::kIterations};
    if (window.end && comparable(*lr.warmup, length) && length.value > 0 &&
        lr.warmup->value >= length.value) {
      m.fail("warmup", "is not shorter than its stage (level) length (" + length.to_string() + ")");
    }
  }
  lr.min_lr = m.double_or("min_lr", lr.min_lr);
  if (lr.min_lr < 0) m.fail("min_lr", "must be >= 0; found " + format_number(lr.min_lr));
  lr.gamma = m.double_or("gamma", lr.gamma);
  if (!(lr.gamma > 0 && lr.gamma <= 1)) {
    m.fail("gamma",
           "must be in (0, 1], the factor applied every 'every'; found " + format_number(lr.gamma));
  }
  lr.every = m.time_opt("every");
  if (lr.every && lr.every->value <= 0) m.fail("every", "must be longer than zero, e.g. 1ep");
  if (lr.schedule == LrKind::kStep && !lr.every) {
    m.fail("every", "schedule step needs 'every', the interval between rate drops (e.g. 2ep)");
  }
  const std::string schedule(kLrKinds.name(lr.schedule));
  for (const char* key : {"gamma", "every"}) {
    if (lr.schedule != LrKind::kStep && m.has(key)) {
      m.fail(key, "is used only by schedule: step (this schedule is " + schedule + ")");
    }
  }
  if (m.has("min_lr") && !decays_to_min_lr(lr.schedule)) {
    m.fail("min_lr",
           "is used only by schedules linear and cosine (this schedule is " + schedule + ")");
  }
  lr.rewind = m.bool_or("rewind", false);
  return lr;
}

DistillModifier parse_distill(const Context& ctx, const YAML::Node& node, const std::string& path) {
  MapReader m(ctx, node, path, {"teacher", "temperature", "alpha", "hidden"});
  DistillModifier distill;
  distill.where = m.locate();
  const std::string teacher = as_string(ctx, m.require("teacher"), m.path("teacher"));
  if (teacher.empty()) {
    m.fail("teacher", "needs the teacher's checkpoint, e.g. ../runs/dense/final.h5");
  }
  distill.teacher = resolved_path(ctx, teacher);
  distill.temperature = m.double_or("temperature", distill.temperature);
  if (!(distill.temperature > 0)) {
    m.fail("temperature", "must be > 0 (1 = the teacher's own probabilities; 2 to 4 is usual)");
  }
  distill.alpha = m.double_or("alpha", distill.alpha);
  if (!(distill.alpha >= 0 && distill.alpha <= 1)) {
    m.fail("alpha", "must be in [0, 1], the weight of the teacher's term (0 = labels only)");
  }
  distill.hidden = m.double_or("hidden", distill.hidden);
  if (!(distill.hidden >= 0 && std::isfinite(distill.hidden))) {
    m.fail("hidden", "must be a number >= 0, the weight of the hidden-state term (0 = none)");
  }
  return distill;
}

}  // namespace topiary::recipe
