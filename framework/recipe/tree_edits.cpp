#include "recipe/tree_edits.h"

#include <cctype>
#include <map>

#include "core/error.h"

namespace topiary::recipe {
namespace {

bool is_index(const std::string& segment) {
  return !segment.empty() && segment.size() < 10 &&
         segment.find_first_not_of("0123456789") == std::string::npos;
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> segments;
  size_t start = 0;
  while (true) {
    const size_t dot = path.find('.', start);
    segments.push_back(path.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return segments;
}

[[noreturn]] void fail_override(const Override& o, const std::string& message) {
  throw UserError("--set '" + o.text + "': " + message);
}

bool is_variable_name(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (const char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  }
  return true;
}

void substitute(const Context& ctx, YAML::Node node, const std::string& path,
                const std::map<std::string, std::string>& variables) {
  if (node.IsMap()) {
    for (auto entry : node) {
      substitute(ctx, entry.second, join_path(path, entry.first.Scalar()), variables);
    }
  } else if (node.IsSequence()) {
    for (size_t i = 0; i < node.size(); ++i)
      substitute(ctx, node[i], join_path(path, i), variables);
  } else if (node.IsScalar() && node.Scalar().find("${") != std::string::npos) {
    const std::string& text = node.Scalar();
    std::string out;
    size_t pos = 0;
    while (true) {
      const size_t open = text.find("${", pos);
      if (open == std::string::npos) break;
      const size_t close = text.find('}', open);
      if (close == std::string::npos) {
        ctx.fail(node, path, "'" + text + "' has '${' without a closing '}'");
      }
      const std::string name = text.substr(open + 2, close - open - 2);
      const auto found = variables.find(name);
      if (found == variables.end()) {
        std::vector<std::string> names;
        names.reserve(variables.size());
        for (const auto& [known, value] : variables) names.push_back(known);
        ctx.fail(node, path,
                 "undefined variable '" + name + "'; defined under 'variables': " +
                     (names.empty() ? "none" : join_names(names)));
      }
      out += text.substr(pos, open - pos) + found->second;
      pos = close + 1;
    }
    out += text.substr(pos);
    // Assigning a std::string keeps the node's mark, so later errors still point at this line.
    node = out;
  }
}

}  // namespace

std::vector<Override> parse_overrides(const std::vector<std::string>& texts) {
  std::vector<Override> overrides;
  for (const auto& text : texts) {
    Override o{"", "", text};
    const size_t equals = text.find('=');
    if (equals == std::string::npos)
      fail_override(o, "expected key.path=value, e.g. training.lr=0.01");
    o.path = text.substr(0, equals);
    o.value = text.substr(equals + 1);
    for (const auto& segment : split_path(o.path)) {
      if (segment.empty()) fail_override(o, "'" + o.path + "' is not a dotted key path");
    }
    overrides.push_back(std::move(o));
  }
  return overrides;
}

// YAML::Node is a handle: the copy shares, and edits, the caller's tree.
void apply_overrides(YAML::Node root,  // NOLINT(performance-unnecessary-value-param)
                     const std::vector<Override>& overrides) {
  for (const auto& o : overrides) {
    YAML::Node value;
    try {
      value = YAML::Load(o.value);
    } catch (const YAML::Exception& e) {
      fail_override(o, "the value is not valid YAML: " + e.msg);
    }
    const std::vector<std::string> segments = split_path(o.path);
    // Node::operator= between nodes rewrites the node it is called on, so walk with reset().
    YAML::Node current;
    current.reset(root);
    std::string walked;
    for (size_t i = 0; i < segments.size(); ++i) {
      const std::string& segment = segments[i];
      const bool last = i + 1 == segments.size();
      if (current.IsSequence()) {
        if (!is_index(segment) || std::stoul(segment) >= current.size()) {
          fail_override(o, "'" + walked + "' is a list of " + std::to_string(current.size()) +
                               " entries; '" + segment + "' is not an index from 0 to " +
                               std::to_string(static_cast<int64_t>(current.size()) - 1));
        }
        const size_t index = std::stoul(segment);
        if (last) {
          current[index] = value;
        } else {
          YAML::Node next = current[index];
          current.reset(next);
        }
      } else if (current.IsMap() || current.IsNull()) {
        if (last) {
          current[segment] = value;
        } else {
          if (!current[segment].IsDefined() || current[segment].IsNull()) {
            current[segment] = YAML::Node(YAML::NodeType::Map);
          }
          YAML::Node next = current[segment];
          current.reset(next);
        }
      } else {
        fail_override(o, "'" + walked + "' is " + describe(current) + ", not a map or list");
      }
      walked = join_path(walked, segment);
    }
  }
}

// YAML::Node is a handle: the copy shares, and edits, the caller's tree.
void substitute_variables(const Context& ctx,
                          YAML::Node root) {  // NOLINT(performance-unnecessary-value-param)
  if (!root.IsMap()) return;
  std::map<std::string, std::string> variables;
  for (const auto& entry : root) {
    if (entry.first.Scalar() != "variables" || entry.second.IsNull()) continue;
    if (!entry.second.IsMap()) {
      ctx.fail(entry.second, "variables",
               "expected a map of name: value, found " + describe(entry.second));
    }
    for (const auto& variable : entry.second) {
      const std::string name = variable.first.Scalar();
      const std::string path = join_path("variables", name);
      if (!is_variable_name(name)) {
        ctx.fail(variable.first, path,
                 "a variable name is letters, digits, '_' and '-', not starting with a digit");
      }
      if (variables.count(name) != 0) {
        ctx.fail(variable.first, path, "duplicate variable; give each variable once");
      }
      if (!variable.second.IsScalar()) {
        ctx.fail(variable.second, path,
                 "a variable's value is text or a number, found " + describe(variable.second));
      }
      if (variable.second.Scalar().find("${") != std::string::npos) {
        ctx.fail(variable.second, path, "variables cannot refer to other variables");
      }
      variables[name] = variable.second.Scalar();
    }
  }
  for (auto entry : root) {
    const std::string key = entry.first.Scalar();
    if (key != "variables") substitute(ctx, entry.second, key, variables);
  }
}

}  // namespace topiary::recipe
