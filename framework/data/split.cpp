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

}  // namespace

std::vector<int64_t> shuffled_indices(int64_t n, uint64_t seed) {
  std::vector<int64_t> indices(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) indices[static_cast<size_t>(i)] = i;
  std::mt19937_64 engine(seed);
  for (int64_t i = n - 1; i > 0; --i) {
    const auto j = static_cast<int64_t>(uniform_at_most(engine, static_cast<uint64_t>(i)));
    std::swap(indices[static_cast<size_t>(i)], indices[static_cast<size_t>(j)]);
  }
  return indices;
}

SplitIndices split_by_fraction(int64_t n, double valid_fraction, uint64_t seed,
                               const std::string& option) {
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
  std::vector<int64_t> order = shuffled_indices(n, seed);
  SplitIndices split;
  split.valid.assign(order.begin(), order.begin() + valid_count);
  split.train.assign(order.begin() + valid_count, order.end());
  std::sort(split.valid.begin(), split.valid.end());
  std::sort(split.train.begin(), split.train.end());
  return split;
}

}  // namespace topiary::data
