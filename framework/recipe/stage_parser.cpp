#include "recipe/stage_parser.h"

#include <regex>

namespace topiary::recipe {
namespace {

// Two times can be ordered before the trainer converts units when they share a unit, or when
// one of them is zero (zero is zero in every unit).
bool comparable(const TimeSpec& a, const TimeSpec& b) {
  return a.unit == b.unit || a.value == 0 || b.value == 0;
}

std::vector<std::string> parse_patterns(const Context& ctx, const YAML::Node& node,
                                        const std::string& path,
                                        std::vector<SourceLocation>* where) {
  require_list(ctx, node, path,
               "parameter-name patterns (globs like \"convs.*.weight\", or re:<regex>)");
  std::vector<std::string> patterns;
  for (size_t i = 0; i < node.size(); ++i) {
    const std::string item_path = join_path(path, i);
    const std::string pattern = as_string(ctx, node[i], item_path);
    if (pattern.empty() || pattern == "re:") {
      ctx.fail(node[i], item_path,
               "a pattern cannot be empty; e.g. \"fc.weight\" or \"re:convs\\.[0-9]+\\.weight\"");
    }
    if (pattern.rfind("re:", 0) == 0) {
      try {
        std::regex compiled(pattern.substr(3));
      } catch (const std::regex_error& e) {
        ctx.fail(node[i], item_path,
                 "'" + pattern + "' is not a valid regular expression (ECMAScript): " + e.what());
      }
    }
    patterns.push_back(pattern);
    where->push_back(ctx.locate(node[i], item_path));
  }
  return patterns;
}

double parse_sparsity(const MapReader& m, const std::string& key, double fallback) {
  const double value = m.double_or(key, fallback);
  if (!(value >= 0.0 && value < 1.0)) {
    m.fail(key, "must be in [0, 1), the fraction of weights removed (0.9 keeps 10%); found " +
                    format_number(value));
  }
  return value;
}

PruneModifier parse_prune(const Context& ctx, const YAML::Node& node, const std::string& path,
                          const TimeSpec& stage_begin, const std::optional<TimeSpec>& stage_end) {
  MapReader m(ctx, node, path,
              {"method", "scope", "targets", "exclude", "init_sparsity", "final_sparsity", "start",
               "end", "every", "schedule"});
  PruneModifier prune;
  prune.where = m.locate();
  if (m.has("method")) {
    prune.method =
        as_choice(ctx, m.get("method"), m.path("method"), "prune method", known_prune_methods());
  }
  if (m.has("scope")) {
    prune.scope =
        as_choice(ctx, m.get("scope"), m.path("scope"), "prune scope", known_prune_scopes());
  }
  if (m.has("schedule")) {
    prune.schedule = as_choice(ctx, m.get("schedule"), m.path("schedule"), "sparsity schedule",
                               known_prune_schedules());
  }
  prune.targets =
      parse_patterns(ctx, m.require("targets"), m.path("targets"), &prune.targets_where);
  if (prune.targets.empty()) {
    m.fail("targets", "needs at least one parameter-name pattern, e.g. [\"convs.*.weight\"]");
  }
  if (m.has("exclude")) {
    prune.exclude = parse_patterns(ctx, m.get("exclude"), m.path("exclude"), &prune.exclude_where);
  }
  prune.init_sparsity = parse_sparsity(m, "init_sparsity", 0.0);
  m.require("final_sparsity");
  prune.final_sparsity = parse_sparsity(m, "final_sparsity", 0.0);
  if (prune.final_sparsity < prune.init_sparsity) {
    m.fail("final_sparsity", "is below init_sparsity (" + format_number(prune.init_sparsity) +
                                 "); sparsity only grows within a modifier");
  }
  prune.start = as_time(ctx, m.require("start"), m.path("start"));
  prune.end = as_time(ctx, m.require("end"), m.path("end"));
  prune.every = as_time(ctx, m.require("every"), m.path("every"));
  if (prune.every.value <= 0) m.fail("every", "must be longer than zero, e.g. 100it");
  if (comparable(prune.start, prune.end)) {
    if (prune.end.value < prune.start.value) {
      m.fail("end", "is before start (" + prune.start.to_string() + ")");
    }
    if (prune.end.value == prune.start.value && prune.schedule != "oneshot") {
      m.fail("end",
             "equals start; a gradual schedule needs end after start (or use schedule: oneshot)");
    }
  }
  if (comparable(prune.start, stage_begin) && prune.start.value < stage_begin.value) {
    m.fail("start", "is before its stage begins (" + stage_begin.to_string() + ")");
  }
  if (stage_end && comparable(prune.end, *stage_end) && prune.end.value > stage_end->value) {
    m.fail("end", "is after its stage ends (" + stage_end->to_string() + ")");
  }
  return prune;
}

// `begin` is where the stage starts (the previous stage's end), when known in a comparable unit;
// on return it is this stage's end, or nullopt when that needs the trainer's unit conversion.
Stage parse_stage(const Context& ctx, const YAML::Node& node, const std::string& path, size_t index,
                  std::optional<TimeSpec>& begin) {
  MapReader s(ctx, node, path, {"name", "until", "for", "modifiers"});
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
  std::optional<TimeSpec> end;
  if (s.has("until")) {
    stage.has_until = true;
    stage.until = *s.time_opt("until");
    if (begin && comparable(*begin, stage.until) && stage.until.value <= begin->value) {
      s.fail("until", "must be after the stage's start (" + begin->to_string() +
                          "); 'until' is an absolute time, 'for' a length");
    }
    end = stage.until;
  } else {
    stage.length = s.time_opt("for");
    if (stage.length->value <= 0) s.fail("for", "a stage length must be longer than zero");
    if (begin && comparable(*begin, *stage.length)) {
      end = TimeSpec{begin->value + stage.length->value, stage.length->unit};
    }
  }
  // Unknown begin: zero compares with everything and never fails, so nothing is checked.
  const TimeSpec stage_begin = begin.value_or(TimeSpec{});
  if (s.has("modifiers") && !s.get("modifiers").IsNull()) {
    const YAML::Node list = s.get("modifiers");
    require_list(ctx, list, s.path("modifiers"), "modifiers (e.g. - prune: {...})");
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string item_path = join_path(s.path("modifiers"), i);
      MapReader entry(ctx, list[i], item_path, known_modifier_kinds());
      if (!list[i].IsMap() || list[i].size() != 1) {
        ctx.fail(list[i], item_path,
                 "a modifier is a map with one key naming its kind (" +
                     join_names(known_modifier_kinds()) + "), e.g. - prune: {...}");
      }
      // Only `prune` exists so far; new kinds dispatch here.
      stage.prune.push_back(
          parse_prune(ctx, entry.require("prune"), entry.path("prune"), stage_begin, end));
    }
  }
  begin = end;
  return stage;
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
  return stages;
}

}  // namespace topiary::recipe
