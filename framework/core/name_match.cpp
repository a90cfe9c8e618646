#include "core/name_match.h"

#include <regex>

#include "core/error.h"

namespace topiary {

bool glob_match(const std::string& pattern, const std::string& name) {
  // Iterative matcher with single backtrack point: linear for practical patterns.
  size_t p = 0, n = 0, star = std::string::npos, mark = 0;
  while (n < name.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == name[n])) {
      ++p;
      ++n;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = n;
    } else if (star != std::string::npos) {
      p = star + 1;
      n = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool name_matches(const std::string& pattern, const std::string& name) {
  if (pattern.rfind("re:", 0) == 0) {
    try {
      return std::regex_match(name, std::regex(pattern.substr(3)));
    } catch (const std::regex_error& e) {
      throw UserError("'" + pattern + "' is not a valid regular expression: " + e.what());
    }
  }
  return glob_match(pattern, name);
}

}  // namespace topiary
