#include "data/label_set.h"

#include <algorithm>
#include <charconv>

namespace topiary::data {
namespace {

bool parse_integer(const std::string& s, long long* value) {
  const char* begin = s.data();
  const char* end = s.data() + s.size();
  if (begin != end && *begin == '+') ++begin;
  auto [ptr, ec] = std::from_chars(begin, end, *value);
  return begin != end && ec == std::errc() && ptr == end;
}

}  // namespace

std::vector<std::string> sorted_label_names(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::vector<long long> values(names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    if (!parse_integer(names[i], &values[i])) return names;
  }
  std::vector<size_t> order(names.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  // Ties ("1" and "+1" or "01") fall back to byte order, so the result stays deterministic.
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return values[a] < values[b]; });
  std::vector<std::string> sorted;
  sorted.reserve(order.size());
  for (size_t i : order) sorted.push_back(names[i]);
  return sorted;
}

}  // namespace topiary::data
