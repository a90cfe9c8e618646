#include "recipe/stage_parser.h"

#include <map>

#include "core/error.h"

namespace topiary::recipe {
namespace {

// What one stage's modifiers may not do together; `hold_at` is where `hold` was given.
void check_stage_modifiers(const Context& ctx, const Stage& stage, const YAML::Node& hold_at,
                           const std::string& hold_path) {
  if (stage.hold && !stage.prune.empty()) {
    ctx.fail(hold_at, hold_path,
             "hold keeps every mask fixed for the stage, but the stage also has a prune "
             "modifier (at " +
                 stage.prune[0].where.to_string() + "); use one or the other");
  }
  if (stage.lr && stage.lr->rewind && stage.repeat == 1) {
    fail_at(stage.lr->where, "rewind: true restarts the learning rate at each level, but stage '" +
                                 stage.name + "' has no levels (add repeat: N)");
  }
}

void parse_modifiers(const Context& ctx, const MapReader& s, Stage& stage,
                     const StageWindow& window) {
  const YAML::Node list = s.get("modifiers");
  require_list(ctx, list, s.path("modifiers"), "modifiers (e.g. - prune: {...})");
  YAML::Node hold_at;
  std::string hold_path;
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string item_path = join_path(s.path("modifiers"), i);
    MapReader entry(ctx, list[i], item_path, known_modifier_kinds());
    if (!list[i].IsMap() || list[i].size() != 1) {
      ctx.fail(list[i], item_path,
               "a modifier is a map with one key naming its kind (" +
                   join_names(known_modifier_kinds()) + "), e.g. - prune: {...}");
    }
    const std::string kind = list[i].begin()->first.Scalar();
    const YAML::Node body = entry.get(kind);
    const std::string path = entry.path(kind);
    if (kind == "prune") {
      stage.prune.push_back(parse_prune(ctx, body, path, window));
    } else if (kind == "snapshot") {
      stage.snapshots.push_back(parse_snapshot(ctx, body, path, window));
    } else if (kind == "rewind") {
      if (stage.rewind) ctx.fail(body, path, "a stage has at most one rewind modifier");
      stage.rewind = parse_rewind(ctx, body, path);
    } else if (kind == "lr") {
      if (stage.lr) ctx.fail(body, path, "a stage has at most one lr modifier");
      stage.lr = parse_lr(ctx, body, path, window);
    } else if (kind == "distill") {
      if (stage.distill) ctx.fail(body, path, "a stage has at most one distill modifier");
      stage.distill = parse_distill(ctx, body, path);
    } else if (kind == "augment") {
      if (stage.augment) ctx.fail(body, path, "a stage has at most one augment modifier");
      stage.augment = parse_augment(ctx, body, path);
    } else {  // hold: an empty map, or no value
      if (!body.IsNull() && !(body.IsMap() && body.size() == 0)) {
        ctx.fail(body, path, "hold takes no settings; write hold: {}");
      }
      if (stage.hold) ctx.fail(body, path, "hold is given twice in this stage");
      stage.hold = true;
      hold_at = body;
      hold_path = path;
    }
  }
  check_stage_modifiers(ctx, stage, hold_at, hold_path);
}

// `begin` is where the stage starts (the previous stage's end), when known in a comparable unit;
// on return it is this stage's end, or nullopt when that needs the trainer's unit conversion.
Stage parse_stage(const Context& ctx, const YAML::Node& node, const std::string& path, size_t index,
                  std::optional<TimeSpec>& begin) {
  MapReader s(ctx, node, path, {"name", "until", "for", "repeat", "modifiers"});
  Stage stage;
  stage.where = s.locate();
  stage.name = s.string_or("name", "stage" + std::to_string(index));
  if (stage.name.empty()) s.fail("name", "a stage name cannot be empty");
  if (s.has("until") && s.has("for")) {
    s.fail("for", "a stage has 'until' (absolute end time) or 'for' (length), not both");
  }
  if (!s.has("until") && !s.has("for")) {
    ctx.fail(node, path,
             "a stage needs 'until: <time>' (absolute end, e.g. 3ep) or 'for: <time>' (length)");
  }
  stage.repeat = s.int_or("repeat", 1);
  if (stage.repeat < 1) {
    s.fail("repeat", "must be a whole number >= 1 (the number of levels); found " +
                         std::to_string(stage.repeat));
  }
  if (stage.repeat > 1 && !s.has("for")) {
    s.fail("repeat", "needs the level length as 'for: <time>' (each of the " +
                         std::to_string(stage.repeat) + " levels runs that long), not 'until'");
  }
  std::optional<TimeSpec> level_end;
  std::optional<TimeSpec> end;
  if (s.has("until")) {
    stage.has_until = true;
    stage.until = *s.time_opt("until");
    if (begin && comparable(*begin, stage.until) && stage.until.value <= begin->value) {
      s.fail("until", "must be after the stage's start (" + begin->to_string() +
                          "); 'until' is an absolute time, 'for' a length");
    }
    level_end = end = stage.until;
  } else {
    stage.length = s.time_opt("for");
    if (stage.length->value <= 0) s.fail("for", "a stage length must be longer than zero");
    if (begin && comparable(*begin, *stage.length)) {
      const TimeUnit unit = begin->value == 0 ? stage.length->unit : begin->unit;
      level_end = TimeSpec{begin->value + stage.length->value, unit};
      end = TimeSpec{begin->value + static_cast<double>(stage.repeat) * stage.length->value, unit};
    }
  }
  // Unknown begin: zero compares with everything and never fails, so nothing is checked.
  const StageWindow window{begin.value_or(TimeSpec{}), level_end};
  if (s.has("modifiers") && !s.get("modifiers").IsNull()) parse_modifiers(ctx, s, stage, window);
  begin = end;
  return stage;
}

// Snapshot names are unique; a rewind names a snapshot taken before it can run.
void check_snapshots(const std::vector<Stage>& stages) {
  std::map<std::string, const SnapshotModifier*> taken;
  for (const auto& stage : stages) {
    for (const auto& snapshot : stage.snapshots) {
      const auto [it, inserted] = taken.emplace(snapshot.name, &snapshot);
      if (!inserted) {
        fail_at(snapshot.where, "snapshot name '" + snapshot.name + "' is already used at " +
                                    it->second->where.to_string());
      }
    }
    if (!stage.rewind) continue;
    const RewindModifier& rewind = *stage.rewind;
    if (taken.count(rewind.to) == 0) {
      std::string known;
      for (const auto& [name, _] : taken) known += (known.empty() ? "" : ", ") + name;
      fail_at(rewind.to_where, "no snapshot named '" + rewind.to + "' is taken in this stage or " +
                                   "an earlier one" +
                                   (known.empty() ? " (there are none)" : "; known: " + known));
    }
    bool same_stage = false;
    for (const auto& snapshot : stage.snapshots) same_stage |= snapshot.name == rewind.to;
    if (same_stage && stage.repeat == 1) {
      fail_at(rewind.where, "rewind to '" + rewind.to + "' would never happen: it runs at the " +
                                "start of each level after the snapshot, and stage '" + stage.name +
                                "' has one level (add repeat: N)");
    }
  }
}

}  // namespace

std::vector<Stage> parse_stages(const Context& ctx, const YAML::Node& node,
                                const std::string& path) {
  require_list(ctx, node, path, "stages (each with until: or for:)");
  if (node.size() == 0) {
    ctx.fail(node, path, "needs at least one stage, e.g. - {name: dense, until: 3ep}");
  }
  std::vector<Stage> stages;
  std::optional<TimeSpec> begin = TimeSpec{};  // training starts at zero
  for (size_t i = 0; i < node.size(); ++i) {
    const std::string stage_path = join_path(path, i);
    Stage stage = parse_stage(ctx, node[i], stage_path, i, begin);
    for (const auto& earlier : stages) {
      if (earlier.name == stage.name) {
        ctx.fail(node[i]["name"] ? node[i]["name"] : node[i], join_path(stage_path, "name"),
                 "stage name '" + stage.name + "' is already used by an earlier stage");
      }
    }
    stages.push_back(std::move(stage));
  }
  check_snapshots(stages);
  return stages;
}

}  // namespace topiary::recipe
