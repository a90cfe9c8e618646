#include "prune/scorers.h"

#include <cmath>
#include <limits>

#include "core/error.h"

namespace topiary::prune {
namespace {

// SplitMix64: portable and fully specified, unlike std::uniform_real_distribution.
uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

constexpr float kPruned = -std::numeric_limits<float>::infinity();

}  // namespace

ScorerKind parse_scorer_kind(const std::string& name) {
  if (name == "magnitude") return ScorerKind::kMagnitude;
  if (name == "random") return ScorerKind::kRandom;
  if (name == "taylor") return ScorerKind::kTaylor;
  if (name == "movement") return ScorerKind::kMovement;
  if (name == "movement_soft") return ScorerKind::kMovementSoft;
  throw UserError("unknown pruning method '" + name +
                  "'; known: magnitude, random, taylor, movement, movement_soft");
}

bool needs_gradients(ScorerKind kind) {
  return kind == ScorerKind::kTaylor || kind == ScorerKind::kMovement ||
         kind == ScorerKind::kMovementSoft;
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
    const uint64_t bits = splitmix64(state) >> 40;  // 24 random bits fit a float exactly
    out[i] = (!mask.empty() && mask[i] == 0.0f) ? kPruned : static_cast<float>(bits) / 16777216.0f;
  }
}

}  // namespace topiary::prune
