#pragma once
// Parameter-name patterns used by recipe targets: shell-style globs ("convs.*.weight") or,
// when written as "re:<regex>", ECMAScript regular expressions matched against the whole name.
#include <string>

namespace topiary {

bool glob_match(const std::string& pattern, const std::string& name);
// Throws UserError when a "re:" pattern is not a valid regular expression.
bool name_matches(const std::string& pattern, const std::string& name);

}  // namespace topiary
