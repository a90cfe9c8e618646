#include "prune/scorers.h"

#include <cmath>
#include <limits>

#include "core/error.h"
#include "core/hash.h"

namespace topiary::prune {
namespace {

constexpr float kPruned = -std::numeric_limits<float>::infinity();

}  // namespace

bool needs_gradients(ScorerKind kind) {
  return kind == ScorerKind::kTaylor || kind == ScorerKind::kFisher ||
         kind == ScorerKind::kMovement || kind == ScorerKind::kMovementSoft;
}

void magnitude_scores(std::span<const float> weights, std::span<const float> mask,
                      std::span<float> out) {
  for (size_t i = 0; i < weights.size(); ++i) {
    out[i] = (!mask.empty() && mask[i] == 0.0f) ? kPruned : std::fabs(weights[i]);
  }
}

void random_scores(uint64_t seed, uint64_t stream, std::span<const float> mask,
                   std::span<float> out) {
  uint64_t state = seed * 0x2545F4914F6CDD1Dull + stream;
  for (size_t i = 0; i < out.size(); ++i) {
    const uint64_t bits = core::splitmix64_next(state) >> 40;  // 24 random bits fit a float exactly
    out[i] = (!mask.empty() && mask[i] == 0.0f) ? kPruned : static_cast<float>(bits) / 16777216.0f;
  }
}

}  // namespace topiary::prune
