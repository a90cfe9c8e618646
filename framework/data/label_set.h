#pragma once
// Class names in a deterministic order that does not depend on which file or row comes first:
// numerically when every name is an integer ("2" < "10"), otherwise byte-wise.
#include <string>
#include <vector>

namespace topiary::data {

std::vector<std::string> sorted_label_names(std::vector<std::string> names);

}  // namespace topiary::data
