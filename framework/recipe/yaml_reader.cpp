#include "recipe/yaml_reader.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/error.h"

namespace topiary::recipe {
namespace {

bool is_within(const std::string& path, const std::string& prefix) {
  return path == prefix || prefix.empty() ||
         (path.size() > prefix.size() && path.compare(0, prefix.size(), prefix) == 0 &&
          path[prefix.size()] == '.');
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1] ? 1 : 0)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& known) {
  std::string best;
  size_t best_distance = 3;  // suggest only close matches
  for (const auto& candidate : known) {
    const size_t distance = edit_distance(word, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  return best.empty() ? "" : " (did you mean '" + best + "'?)";
}

std::string scalar_text(const Context& ctx, const YAML::Node& node, const std::string& path,
                        const std::string& expected) {
  if (!node.IsScalar()) ctx.fail(node, path, "expected " + expected + ", found " + describe(node));
  return node.Scalar();
}

}  // namespace

SourceLocation Context::locate(const YAML::Node& at, const std::string& path) const {
  const bool no_mark = !at.IsDefined() || at.Mark().is_null();
  // The last override wins when several touch the same key, as it did when they were applied.
  for (auto it = overrides_.rbegin(); it != overrides_.rend(); ++it) {
    // A key the override wrote, or a map it had to create on the way to its key.
    if (is_within(path, it->path) || (no_mark && is_within(it->path, path))) {
      return SourceLocation{"--set '" + it->text + "'", 0, 0, path};
    }
  }
  if (no_mark) return SourceLocation{file_, 0, 0, path};
  return SourceLocation{file_, at.Mark().line + 1, at.Mark().column + 1, path};
}

void Context::fail(const YAML::Node& at, const std::string& path,
                   const std::string& message) const {
  fail_at(locate(at, path), message);
}

void fail_at(const SourceLocation& where, const std::string& message) {
  throw UserError(located(where.file, where.line, where.column, where.key, message));
}

std::string SourceLocation::to_string() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line);
  if (column > 0) out += ":" + std::to_string(column);
  return out;
}

std::string join_path(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

std::string join_path(const std::string& parent, size_t index) {
  return join_path(parent, std::to_string(index));
}

std::string describe(const YAML::Node& node) {
  if (!node.IsDefined()) return "nothing";
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return "no value";
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "'" + node.Scalar() + "'";
    default:
      return "nothing";
  }
}

std::string format_number(double value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

std::string as_string(const Context& ctx, const YAML::Node& node, const std::string& path) {
  return scalar_text(ctx, node, path, "text");
}

double as_double(const Context& ctx, const YAML::Node& node, const std::string& path) {
  const std::string text = scalar_text(ctx, node, path, "a number");
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    ctx.fail(node, path, "expected a number (e.g. 0.5, 1e-3), found '" + text + "'");
  }
  return value;
}

int64_t as_int(const Context& ctx, const YAML::Node& node, const std::string& path) {
  const std::string text = scalar_text(ctx, node, path, "a whole number");
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    ctx.fail(node, path, "expected a whole number (e.g. 64), found '" + text + "'");
  }
  return value;
}

bool as_bool(const Context& ctx, const YAML::Node& node, const std::string& path) {
  const std::string text = scalar_text(ctx, node, path, "true or false");
  if (text != "true" && text != "false") {
    ctx.fail(node, path, "expected true or false, found '" + text + "'");
  }
  return text == "true";
}

TimeSpec as_time(const Context& ctx, const YAML::Node& node, const std::string& path) {
  const std::string text = scalar_text(ctx, node, path, "a time (e.g. 500it, 2.5ep, 10Mtok)");
  try {
    return TimeSpec::parse(text);
  } catch (const UserError& e) {
    ctx.fail(node, path, e.what());
  }
}

std::string choice_text(const Context& ctx, const YAML::Node& node, const std::string& path,
                        const std::string& what, const std::vector<std::string>& known) {
  std::string value = scalar_text(ctx, node, path, "a " + what);
  if (std::find(known.begin(), known.end(), value) == known.end()) {
    ctx.fail(node, path,
             "unknown " + what + " '" + value + "'; known: " + join_names(known) +
                 did_you_mean(value, known));
  }
  return value;
}

void require_list(const Context& ctx, const YAML::Node& node, const std::string& path,
                  const std::string& of_what) {
  if (!node.IsSequence()) {
    ctx.fail(node, path, "expected a list of " + of_what + ", found " + describe(node));
  }
}

MapReader::MapReader(const Context& ctx, const YAML::Node& node, std::string path,
                     std::vector<std::string> allowed)
    : ctx_(ctx), node_(node), path_(std::move(path)), allowed_(std::move(allowed)) {
  // An empty section (`training:`) means "all defaults".
  if (node_.IsNull()) return;
  if (!node_.IsMap()) {
    ctx_.fail(node_, path_, "expected a map (key: value lines), found " + describe(node_));
  }
  std::vector<std::pair<std::string, YAML::Node>> seen;
  for (const auto& entry : node_) {
    const YAML::Node& key = entry.first;
    if (!key.IsScalar()) ctx_.fail(key, path_, "a key must be plain text, found " + describe(key));
    const std::string name = key.Scalar();
    const auto previous =
        std::find_if(seen.begin(), seen.end(), [&](const auto& s) { return s.first == name; });
    if (previous != seen.end()) {
      ctx_.fail(key, this->path(name),
                "duplicate key (first given at line " +
                    std::to_string(previous->second.Mark().line + 1) + "); give each key once");
    }
    seen.emplace_back(name, key);
    if (std::find(allowed_.begin(), allowed_.end(), name) == allowed_.end()) {
      const std::string where = path_.empty() ? "top-level keys" : "keys under '" + path_ + "'";
      ctx_.fail(key, this->path(name),
                "unknown key; valid " + where + " are: " + join_names(allowed_) +
                    did_you_mean(name, allowed_));
    }
  }
}

bool MapReader::has(const std::string& key) const { return get(key).IsDefined(); }

YAML::Node MapReader::get(const std::string& key) const {
  if (node_.IsMap()) {
    for (const auto& entry : node_) {
      if (entry.first.Scalar() == key) return entry.second;
    }
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

YAML::Node MapReader::require(const std::string& key) const {
  YAML::Node value = get(key);
  if (!value.IsDefined()) {
    const std::string where = path_.empty() ? "the recipe" : "'" + path_ + "'";
    ctx_.fail(node_, path(key), "missing required key in " + where);
  }
  return value;
}

void MapReader::fail(const std::string& key, const std::string& message) const {
  ctx_.fail(has(key) ? get(key) : node_, path(key), message);
}

std::string MapReader::string_or(const std::string& key, const std::string& fallback) const {
  return has(key) ? as_string(ctx_, get(key), path(key)) : fallback;
}

double MapReader::double_or(const std::string& key, double fallback) const {
  return has(key) ? as_double(ctx_, get(key), path(key)) : fallback;
}

int64_t MapReader::int_or(const std::string& key, int64_t fallback) const {
  return has(key) ? as_int(ctx_, get(key), path(key)) : fallback;
}

bool MapReader::bool_or(const std::string& key, bool fallback) const {
  return has(key) ? as_bool(ctx_, get(key), path(key)) : fallback;
}

std::optional<TimeSpec> MapReader::time_opt(const std::string& key) const {
  if (!has(key)) return std::nullopt;
  return as_time(ctx_, get(key), path(key));
}

}  // namespace topiary::recipe
