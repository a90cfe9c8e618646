#pragma once
// A small JSON Schema (2020-12) validator for the keywords recipes/schema.json uses, and a
// YAML -> JSON conversion with YAML 1.2 core-schema scalar types, so that tests can check every
// recipe against the schema the way an editor would. An unsupported keyword is reported as an
// error rather than ignored, so the schema cannot silently outgrow the validator.
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace topiary::recipe::testing {

using nlohmann::json;
namespace detail {

inline bool has_type(const json& value, const std::string& type) {
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  if (type == "string") return value.is_string();
  if (type == "boolean") return value.is_boolean();
  if (type == "null") return value.is_null();
  if (type == "number") return value.is_number();
  if (type == "integer") {
    return value.is_number_integer() ||
           (value.is_number_float() && std::floor(value.get<double>()) == value.get<double>());
  }
  return false;
}

class Validator {
 public:
  explicit Validator(const json& root) : root_(root) {}

  void check(const json& schema, const json& value, const std::string& at) {
    static const std::set<std::string> kIgnored = {"$schema", "$id",         "$defs",
                                                   "title",   "description", "default"};
    for (const auto& [key, rule] : schema.items()) {
      if (kIgnored.count(key)) continue;
      if (!apply(key, rule, schema, value, at)) {
        errors_.push_back(at + ": unsupported keyword '" + key + "'");
      }
    }
  }

  std::vector<std::string> take() { return std::move(errors_); }

 private:
  bool valid(const json& schema, const json& value) {
    Validator inner(root_);
    inner.check(schema, value, "");
    return inner.errors_.empty();
  }

  void fail(const std::string& at, const std::string& what) { errors_.push_back(at + ": " + what); }

  // Applies one keyword; false when the keyword is not supported.
  bool apply(const std::string& key, const json& rule, const json& schema, const json& value,
             const std::string& at) {
    if (key == "$ref") {
      const std::string ref = rule.get<std::string>();
      check(root_.at(json::json_pointer(ref.substr(1))), value, at);
    } else if (key == "type") {
      bool ok = false;
      if (rule.is_array()) {
        for (const auto& t : rule) ok = ok || has_type(value, t.get<std::string>());
      } else {
        ok = has_type(value, rule.get<std::string>());
      }
      if (!ok) fail(at, "is not of type " + rule.dump());
    } else if (key == "enum") {
      bool ok = false;
      for (const auto& option : rule) ok = ok || option == value;
      if (!ok) fail(at, value.dump() + " is not one of " + rule.dump());
    } else if (key == "const") {
      if (rule != value) fail(at, "is not " + rule.dump());
    } else if (key == "anyOf" || key == "oneOf") {
      int passed = 0;
      for (const auto& option : rule) passed += valid(option, value) ? 1 : 0;
      if (passed == 0 || (key == "oneOf" && passed != 1)) {
        fail(at,
             value.dump() + " matches " + std::to_string(passed) + " of the " + key + " options");
      }
    } else if (key == "not") {
      if (valid(rule, value)) fail(at, "matches a 'not' schema");
    } else if (key == "properties") {
      if (!value.is_object()) return true;
      for (const auto& [name, sub] : rule.items()) {
        if (value.contains(name)) check(sub, value.at(name), at + "/" + name);
      }
    } else if (key == "additionalProperties") {
      if (!value.is_object()) return true;
      const json none = json::object();
      const json& known = schema.contains("properties") ? schema.at("properties") : none;
      for (const auto& [name, sub] : value.items()) {
        if (known.contains(name)) continue;
        if (rule.is_boolean()) {
          if (!rule.get<bool>()) fail(at, "unknown key '" + name + "'");
        } else {
          check(rule, sub, at + "/" + name);
        }
      }
    } else if (key == "propertyNames") {
      if (!value.is_object()) return true;
      for (const auto& [name, sub] : value.items()) check(rule, json(name), at + "/" + name);
    } else if (key == "required") {
      if (!value.is_object()) return true;
      for (const auto& name : rule) {
        if (!value.contains(name.get<std::string>())) fail(at, "misses " + name.dump());
      }
    } else if (key == "minProperties" || key == "maxProperties") {
      if (!value.is_object()) return true;
      const bool ok = key == "minProperties" ? value.size() >= rule.get<size_t>()
                                             : value.size() <= rule.get<size_t>();
      if (!ok) fail(at, "has " + std::to_string(value.size()) + " keys (" + key + ")");
    } else if (key == "items") {
      if (!value.is_array()) return true;
      for (size_t i = 0; i < value.size(); ++i) check(rule, value[i], at + "/" + std::to_string(i));
    } else if (key == "minItems") {
      if (value.is_array() && value.size() < rule.get<size_t>()) fail(at, "has too few items");
    } else if (key == "minLength") {
      if (value.is_string() && value.get<std::string>().size() < rule.get<size_t>()) {
        fail(at, "is too short");
      }
    } else if (key == "pattern") {
      if (value.is_string() &&
          !std::regex_search(value.get<std::string>(), std::regex(rule.get<std::string>()))) {
        fail(at, value.dump() + " does not match " + rule.dump());
      }
    } else if (key == "minimum" || key == "maximum" || key == "exclusiveMinimum" ||
               key == "exclusiveMaximum") {
      if (!value.is_number()) return true;
      const double v = value.get<double>();
      const double r = rule.get<double>();
      const bool ok = key == "minimum"            ? v >= r
                      : key == "maximum"          ? v <= r
                      : key == "exclusiveMinimum" ? v > r
                                                  : v < r;
      if (!ok) fail(at, value.dump() + " violates " + key + " " + rule.dump());
    } else {
      return false;
    }
    return true;
  }

  const json& root_;
  std::vector<std::string> errors_;
};

}  // namespace detail

// YAML 1.2 core-schema scalar types; quoted scalars are strings.
inline json yaml_to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      json out = json::object();
      for (const auto& entry : node) out[entry.first.Scalar()] = yaml_to_json(entry.second);
      return out;
    }
    case YAML::NodeType::Sequence: {
      json out = json::array();
      for (const auto& item : node) out.push_back(yaml_to_json(item));
      return out;
    }
    case YAML::NodeType::Scalar: {
      const std::string text = node.Scalar();
      if (node.Tag() == "!") return text;  // quoted: always a string
      if (text == "null" || text == "~") return nullptr;
      if (text == "true") return true;
      if (text == "false") return false;
      if (std::regex_match(text, std::regex("[-+]?[0-9]+"))) return std::stoll(text);
      if (std::regex_match(text,
                           std::regex(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)"))) {
        return std::stod(text);
      }
      return text;
    }
    default:
      return nullptr;
  }
}

// Every violation, as "<json pointer>: <what>"; empty when `instance` is valid.
inline std::vector<std::string> validate(const json& schema, const json& instance) {
  detail::Validator v(schema);
  v.check(schema, instance, "");
  return v.take();
}

}  // namespace topiary::recipe::testing
