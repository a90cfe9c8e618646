#include "data/split.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <string>

#include "core/error.h"

namespace topiary::data {
namespace {

// Uniform integer in [0, bound] from raw 64-bit draws (rejection sampling, no modulo bias).
uint64_t uniform_at_most(std::mt19937_64& engine, uint64_t bound) {
  if (bound == UINT64_MAX) return engine();
  const uint64_t range = bound + 1;
  const uint64_t limit = UINT64_MAX - (UINT64_MAX % range + 1) % range;
  uint64_t draw = engine();
  while (draw > limit) draw = engine();
  return draw % range;
}

// Fisher-Yates over any index type, so the streaming split can hold the permutation in 4-byte
// indices and still draw exactly what shuffled_indices draws.
template <typename Index>
std::vector<Index> shuffled(int64_t n, uint64_t seed) {
  std::vector<Index> indices(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) indices[static_cast<size_t>(i)] = static_cast<Index>(i);
  std::mt19937_64 engine(seed);
  for (int64_t i = n - 1; i > 0; --i) {
    const auto j = static_cast<int64_t>(uniform_at_most(engine, static_cast<uint64_t>(i)));
    std::swap(indices[static_cast<size_t>(i)], indices[static_cast<size_t>(j)]);
  }
  return indices;
}

int64_t valid_count_of(int64_t n, double valid_fraction, const std::string& option) {
  if (!(valid_fraction > 0.0 && valid_fraction < 1.0)) {
    throw UserError(option + " must be between 0 and 1 (exclusive), got " +
                    std::to_string(valid_fraction));
  }
  const auto valid_count =
      std::max<int64_t>(1, std::llround(static_cast<double>(n) * valid_fraction));
  if (valid_count >= n) {
    throw UserError(option + " " + std::to_string(valid_fraction) + " of " + std::to_string(n) +
                    " examples leaves no training examples");
  }
  return valid_count;
}

template <typename Index>
std::vector<bool> membership_from(int64_t n, int64_t valid_count, uint64_t seed) {
  const std::vector<Index> order = shuffled<Index>(n, seed);
  std::vector<bool> valid(static_cast<size_t>(n), false);
  for (int64_t i = 0; i < valid_count; ++i) valid[static_cast<size_t>(order[size_t(i)])] = true;
  return valid;
}

}  // namespace

std::vector<int64_t> shuffled_indices(int64_t n, uint64_t seed) {
  return shuffled<int64_t>(n, seed);
}

SplitIndices split_by_fraction(int64_t n, double valid_fraction, uint64_t seed,
                               const std::string& option) {
  const int64_t valid_count = valid_count_of(n, valid_fraction, option);
  std::vector<int64_t> order = shuffled_indices(n, seed);
  SplitIndices split;
  split.valid.assign(order.begin(), order.begin() + valid_count);
  split.train.assign(order.begin() + valid_count, order.end());
  std::sort(split.valid.begin(), split.valid.end());
  std::sort(split.train.begin(), split.train.end());
  return split;
}

std::vector<bool> valid_membership(int64_t n, double valid_fraction, uint64_t seed,
                                   const std::string& option) {
  const int64_t valid_count = valid_count_of(n, valid_fraction, option);
  if (n <= int64_t{UINT32_MAX}) return membership_from<uint32_t>(n, valid_count, seed);
  return membership_from<int64_t>(n, valid_count, seed);
}

}  // namespace topiary::data
