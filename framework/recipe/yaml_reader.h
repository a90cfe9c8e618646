#pragma once
// Typed, located access to a YAML node tree. Every getter returns a value of the requested type
// or throws a UserError naming file:line:col, the dotted key path, what was found and what would
// be valid. Maps are checked against their allowed keys, and duplicate keys are rejected:
// yaml-cpp accepts both silently (DESIGN.md pitfall 9).
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/enum_table.h"
#include "core/error.h"
#include "core/time_spec.h"
#include "recipe/recipe.h"

namespace topiary::recipe {

// One `--set path=value` override, split.
struct Override {
  std::string path;   // "stages.1.until"
  std::string value;  // "4ep"
  std::string text;   // "stages.1.until=4ep", as given
};

// Knows the file name and the overrides, so that an error at a key an override wrote is
// reported against that --set rather than against a line of the file.
class Context {
 public:
  Context(std::string file, std::vector<Override> overrides)
      : file_(std::move(file)), overrides_(std::move(overrides)) {}

  SourceLocation locate(const YAML::Node& at, const std::string& path) const;
  [[noreturn]] void fail(const YAML::Node& at, const std::string& path,
                         const std::string& message) const;
  const std::string& file() const { return file_; }

 private:
  std::string file_;
  std::vector<Override> overrides_;
};

[[noreturn]] void fail_at(const SourceLocation& where, const std::string& message);

std::string join_path(const std::string& parent, const std::string& key);
std::string join_path(const std::string& parent, size_t index);
// "a map", "a list", "no value", "'fast'": what the user wrote, for messages.
std::string describe(const YAML::Node& node);
// Shortest text that reads back as the same double: 0.002, 0.9, 1e-05.
std::string format_number(double value);
// "a, b, c"
std::string join_names(const std::vector<std::string>& names);

// Scalar conversions; `path` names the value in errors.
std::string as_string(const Context& ctx, const YAML::Node& node, const std::string& path);
double as_double(const Context& ctx, const YAML::Node& node, const std::string& path);
int64_t as_int(const Context& ctx, const YAML::Node& node, const std::string& path);
bool as_bool(const Context& ctx, const YAML::Node& node, const std::string& path);
TimeSpec as_time(const Context& ctx, const YAML::Node& node, const std::string& path);
// The text of `node`, which must be one of `known`; `what` is e.g. "prune method". Fails with
// "unknown <what> '<value>'; known: a, b, c" and a did-you-mean hint.
std::string choice_text(const Context& ctx, const YAML::Node& node, const std::string& path,
                        const std::string& what, const std::vector<std::string>& known);
// The value `node` names in `table` (recipe/choices.h), with choice_text's errors.
template <typename E, size_t N>
E as_choice(const Context& ctx, const YAML::Node& node, const std::string& path,
            const std::string& what, const EnumTable<E, N>& table) {
  const std::optional<E> value = table.parse(choice_text(ctx, node, path, what, table.names()));
  TOPIARY_ASSERT(value.has_value(), "choice_text accepted a name its table lacks");
  return *value;
}
// A list (sequence) node; fails for anything else.
void require_list(const Context& ctx, const YAML::Node& node, const std::string& path,
                  const std::string& of_what);

// A map with a fixed set of allowed keys. The constructor rejects a non-map, unknown keys (with
// a did-you-mean hint) and duplicate keys.
class MapReader {
 public:
  MapReader(const Context& ctx, const YAML::Node& node, std::string path,
            std::vector<std::string> allowed);

  bool has(const std::string& key) const;
  // The value node; fails with "missing required key" when absent.
  YAML::Node require(const std::string& key) const;
  // The value node, or an undefined node when absent.
  YAML::Node get(const std::string& key) const;
  std::string path(const std::string& key) const { return join_path(path_, key); }
  const std::string& path() const { return path_; }
  const YAML::Node& node() const { return node_; }
  const Context& ctx() const { return ctx_; }
  SourceLocation locate() const { return ctx_.locate(node_, path_); }
  [[noreturn]] void fail(const std::string& key, const std::string& message) const;

  // Typed getters: the value of `key`, or `fallback` when the key is absent.
  std::string string_or(const std::string& key, const std::string& fallback) const;
  double double_or(const std::string& key, double fallback) const;
  int64_t int_or(const std::string& key, int64_t fallback) const;
  bool bool_or(const std::string& key, bool fallback) const;
  std::optional<TimeSpec> time_opt(const std::string& key) const;

 private:
  const Context& ctx_;
  YAML::Node node_;
  std::string path_;
  std::vector<std::string> allowed_;
};

}  // namespace topiary::recipe
