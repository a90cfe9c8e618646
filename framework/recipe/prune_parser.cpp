// One `prune:` modifier: method, pattern, targets, sparsity schedule and per-target overrides.
#include <cmath>
#include <regex>

#include "core/error.h"
#include "prune/pattern.h"
#include "recipe/stage_parser.h"

namespace topiary::recipe {

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

namespace {

std::vector<std::string> parse_targets(const MapReader& m, std::vector<SourceLocation>* where) {
  auto targets = parse_patterns(m.ctx(), m.require("targets"), m.path("targets"), where);
  if (targets.empty()) {
    m.fail("targets", "needs at least one parameter-name pattern, e.g. [\"convs.*.weight\"]");
  }
  return targets;
}

double parse_sparsity(const MapReader& m, const std::string& key, double fallback) {
  const double value = m.double_or(key, fallback);
  if (!(value >= 0.0 && value < 1.0)) {
    m.fail(key, "must be in [0, 1), the fraction of weights removed (0.9 keeps 10%); found " +
                    format_number(value));
  }
  return value;
}

void check_not_below_init(const MapReader& m, const PruneModifier& prune, double final_sparsity) {
  if (final_sparsity < prune.init_sparsity) {
    m.fail("final_sparsity", "is below init_sparsity (" + format_number(prune.init_sparsity) +
                                 "); sparsity only grows within a modifier");
  }
}

std::vector<SparsityOverride> parse_overrides(const MapReader& parent, const PruneModifier& prune) {
  const Context& ctx = parent.ctx();
  const YAML::Node list = parent.get("overrides");
  require_list(ctx, list, parent.path("overrides"),
               "overrides, e.g. - {targets: [\"fc.weight\"], final_sparsity: 0.5}");
  std::vector<SparsityOverride> overrides;
  for (size_t i = 0; i < list.size(); ++i) {
    MapReader m(ctx, list[i], join_path(parent.path("overrides"), i),
                {"targets", "final_sparsity"});
    if (!list[i].IsMap()) {
      ctx.fail(list[i], m.path(), "an override is a map {targets: [...], final_sparsity: x}");
    }
    SparsityOverride o;
    o.where = m.locate();
    o.targets = parse_targets(m, &o.targets_where);
    m.require("final_sparsity");
    o.final_sparsity = parse_sparsity(m, "final_sparsity", 0.0);
    check_not_below_init(m, prune, o.final_sparsity);
    overrides.push_back(std::move(o));
  }
  return overrides;
}

AdaptiveSchedule parse_adaptive(const MapReader& parent) {
  const Context& ctx = parent.ctx();
  const YAML::Node node = parent.get("adaptive");
  MapReader m(ctx, node, parent.path("adaptive"), {"tolerance", "metric", "max_delay"});
  AdaptiveSchedule adaptive;
  adaptive.where = m.locate();
  m.require("tolerance");
  adaptive.tolerance = m.double_or("tolerance", 0.0);
  if (!(adaptive.tolerance >= 0.0 && std::isfinite(adaptive.tolerance))) {
    m.fail("tolerance",
           "must be a number >= 0, the allowed relative rise of the validation loss (0.02 = 2%) "
           "over the best evaluation since the ramp began; found " +
               format_number(adaptive.tolerance));
  }
  if (m.has("metric")) {
    adaptive.metric =
        as_choice(ctx, m.get("metric"), m.path("metric"), "adaptive metric", kAdaptiveMetrics);
  }
  adaptive.max_delay = m.time_opt("max_delay");
  if (adaptive.max_delay && adaptive.max_delay->value <= 0) {
    m.fail("max_delay",
           "must be longer than zero, e.g. 200it (leave it out to allow any delay "
           "up to the end of the stage)");
  }
  return adaptive;
}

// Pattern, schedule and method settings that depend on each other.
void check_combinations(const MapReader& m, const PruneModifier& prune) {
  prune::Pattern pattern;
  try {
    pattern = prune::parse_pattern(prune.pattern);
  } catch (const UserError& e) {
    m.fail("pattern", e.what());
  }
  const double fixed = pattern.fixed_sparsity();
  if (fixed >= 0 && std::fabs(prune.final_sparsity - fixed) > 1e-9) {
    m.fail("final_sparsity", "must be " + format_number(fixed) + " for pattern " + prune.pattern +
                                 " (it keeps " + std::to_string(pattern.n) + " of every " +
                                 std::to_string(pattern.m) + " entries); found " +
                                 format_number(prune.final_sparsity));
  }
  if (fixed >= 0 && !prune.overrides.empty()) {
    m.fail("overrides", "cannot change the sparsity of an N:M pattern (" + prune.pattern + ")");
  }
  if (prune.schedule == prune::ScheduleKind::kExponential) {
    if (!m.has("rate")) {
      m.fail("rate",
             "schedule exponential needs 'rate', the fraction of the remaining weights "
             "each update prunes (e.g. 0.2)");
    }
    if (!(prune.rate > 0 && prune.rate < 1)) {
      m.fail("rate",
             "must be in (0, 1), the fraction of the remaining weights each update "
             "prunes; found " +
                 format_number(prune.rate));
    }
  } else if (m.has("rate")) {
    m.fail("rate", "is used only by schedule: exponential (this modifier's schedule is " +
                       std::string(prune::kScheduleKinds.name(prune.schedule)) + ")");
  }
  if (prune.adaptive) {
    if (prune.schedule == prune::ScheduleKind::kOneShot) {
      m.fail("adaptive",
             "needs a gradual schedule (cubic, linear or exponential); a oneshot ramp has "
             "nothing to pause");
    }
    // Gradient scorers sum gradients over windows that end at planned update steps; an
    // adaptive ramp moves those steps at run time, so the sums would not match the updates.
    if (prune.method != prune::ScorerKind::kMagnitude &&
        prune.method != prune::ScorerKind::kRandom) {
      m.fail("adaptive",
             "works with methods magnitude and random only (this modifier's method "
             "is " +
                 std::string(prune::kScorerKinds.name(prune.method)) +
                 ", which accumulates gradients up to planned "
                 "update steps)");
    }
  }
  const std::string method(prune::kScorerKinds.name(prune.method));
  if (prune.window) {
    if (prune.method != prune::ScorerKind::kTaylor && prune.method != prune::ScorerKind::kFisher) {
      m.fail("window", "is used only by methods taylor and fisher (this modifier's method is " +
                           method + ")");
    }
    if (prune.window->value <= 0) m.fail("window", "must be longer than zero, e.g. 100it");
  }
  if (m.has("dampening")) {
    if (prune.method != prune::ScorerKind::kFisher) {
      m.fail("dampening",
             "is used only by method: fisher (this modifier's method is " + method + ")");
    }
    if (!(prune.dampening >= 0.0 && std::isfinite(prune.dampening))) {
      m.fail("dampening",
             "must be a number >= 0, added to every entry of the Fisher diagonal; found " +
                 format_number(prune.dampening));
    }
  }
}

void check_times(const MapReader& m, const PruneModifier& prune, const StageWindow& window) {
  if (prune.every.value <= 0) m.fail("every", "must be longer than zero, e.g. 100it");
  if (comparable(prune.start, prune.end)) {
    if (prune.end.value < prune.start.value) {
      m.fail("end", "is before start (" + prune.start.to_string() + ")");
    }
    const bool single_step = prune.schedule == prune::ScheduleKind::kOneShot ||
                             prune.schedule == prune::ScheduleKind::kExponential;
    if (prune.end.value == prune.start.value && !single_step) {
      m.fail("end",
             "equals start; a gradual schedule needs end after start (or use schedule: oneshot)");
    }
  }
  if (comparable(prune.start, window.begin) && prune.start.value < window.begin.value) {
    m.fail("start", "is before its stage begins (" + window.begin.to_string() + ")");
  }
  if (window.end && comparable(prune.end, *window.end) && prune.end.value > window.end->value) {
    m.fail("end", "is after its stage ends (" + window.end->to_string() + ")");
  }
}

}  // namespace

PruneModifier parse_prune(const Context& ctx, const YAML::Node& node, const std::string& path,
                          const StageWindow& window) {
  MapReader m(ctx, node, path,
              {"method", "scope", "pattern", "targets", "exclude", "init_sparsity",
               "final_sparsity", "start", "end", "every", "schedule", "rate", "window", "dampening",
               "overrides", "allocation", "adaptive"});
  PruneModifier prune;
  prune.where = m.locate();
  if (m.has("method")) {
    prune.method =
        as_choice(ctx, m.get("method"), m.path("method"), "prune method", prune::kScorerKinds);
  }
  if (m.has("scope")) {
    prune.scope = as_choice(ctx, m.get("scope"), m.path("scope"), "prune scope", prune::kScopes);
  }
  prune.pattern = m.string_or("pattern", prune.pattern);
  if (m.has("schedule")) {
    prune.schedule = as_choice(ctx, m.get("schedule"), m.path("schedule"), "sparsity schedule",
                               prune::kScheduleKinds);
  }
  prune.targets = parse_targets(m, &prune.targets_where);
  if (m.has("exclude")) {
    prune.exclude = parse_patterns(ctx, m.get("exclude"), m.path("exclude"), &prune.exclude_where);
  }
  prune.init_sparsity = parse_sparsity(m, "init_sparsity", 0.0);
  m.require("final_sparsity");
  prune.final_sparsity = parse_sparsity(m, "final_sparsity", 0.0);
  check_not_below_init(m, prune, prune.final_sparsity);
  prune.start = as_time(ctx, m.require("start"), m.path("start"));
  prune.end = as_time(ctx, m.require("end"), m.path("end"));
  prune.every = as_time(ctx, m.require("every"), m.path("every"));
  prune.rate = m.double_or("rate", 0.0);
  prune.window = m.time_opt("window");
  prune.dampening = m.double_or("dampening", prune.dampening);
  if (m.has("allocation")) {
    prune.allocation = as_choice(ctx, m.get("allocation"), m.path("allocation"),
                                 "sparsity allocation", prune::kAllocationKinds);
  }
  if (m.has("overrides")) prune.overrides = parse_overrides(m, prune);
  if (m.has("adaptive")) prune.adaptive = parse_adaptive(m);
  check_combinations(m, prune);
  check_times(m, prune, window);
  return prune;
}

}  // namespace topiary::recipe
