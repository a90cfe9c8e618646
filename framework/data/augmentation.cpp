#include "data/augmentation.h"

#include <cmath>
#include <utility>

#include "core/hash.h"

namespace topiary::data {
namespace {

// SplitMix64 as a counter-based stream: the i-th draw depends only on (key, i).
class Stream {
 public:
  explicit Stream(uint64_t key) : state_(key) {}
  uint64_t next() { return core::splitmix64_next(state_); }
  double uniform() { return core::unit_interval(next()); }
  // Uniform in [0, n), n > 0 (the modulo bias is below 2^-40 for the sizes used here).
  int64_t below(int64_t n) { return static_cast<int64_t>(next() % static_cast<uint64_t>(n)); }

 private:
  uint64_t state_;
};

uint64_t mix(uint64_t a, uint64_t b) {
  Stream s(a ^ (b * 0xD6E8FEB86659FD93ULL));
  return s.next();
}

}  // namespace

std::vector<int32_t> augment_tokens(std::span<const int32_t> tokens, const AugmentOptions& options,
                                    uint64_t seed, int64_t step, int64_t example,
                                    int32_t first_word_id, int32_t vocabulary_size,
                                    int32_t mask_id) {
  std::vector<int32_t> out(tokens.begin(), tokens.end());
  if (out.empty() || !options.any()) return out;
  Stream random(mix(mix(seed, static_cast<uint64_t>(step)), static_cast<uint64_t>(example)));

  if (options.delete_probability > 0) {
    std::vector<int32_t> kept;
    for (const int32_t id : out) {
      if (random.uniform() >= options.delete_probability) kept.push_back(id);
    }
    if (kept.empty()) kept.push_back(out[static_cast<size_t>(random.below(int64_t(out.size())))]);
    out = std::move(kept);
  }
  const auto n = static_cast<int64_t>(out.size());
  const auto times = [&](double probability) {
    return static_cast<int64_t>(std::llround(probability * static_cast<double>(n)));
  };
  if (n >= 2) {
    for (int64_t i = 0, swaps = times(options.swap_probability); i < swaps; ++i) {
      std::swap(out[static_cast<size_t>(random.below(n))],
                out[static_cast<size_t>(random.below(n))]);
    }
  }
  if (vocabulary_size > first_word_id) {
    for (int64_t i = 0, inserts = times(options.insert_probability); i < inserts; ++i) {
      const auto word =
          static_cast<int32_t>(first_word_id + random.below(vocabulary_size - first_word_id));
      const int64_t at = random.below(static_cast<int64_t>(out.size()) + 1);
      out.insert(out.begin() + at, word);
    }
  }
  if (options.mask_probability > 0) {
    for (size_t i = 0; i < out.size();) {
      if (random.uniform() < options.mask_probability) {
        const size_t end = std::min(out.size(), i + static_cast<size_t>(options.mask_span));
        for (; i < end; ++i) out[i] = mask_id;
      } else {
        ++i;
      }
    }
  }
  return out;
}

}  // namespace topiary::data
