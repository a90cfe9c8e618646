#pragma once
// Importance scores (higher = more worth keeping), computed from values every rank holds
// identically: weights (broadcast at start, updated with averaged gradients) and seeds.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "prune/choices.h"

namespace topiary::prune {

// Whether the scorer reads gradients: the reducer must send that parameter's gradient dense
// (Note [Dense gradients for gradient scores]).
bool needs_gradients(ScorerKind kind);

// Entries whose current mask is 0 score -inf so masks only grow sparser (no regrowth).
void magnitude_scores(std::span<const float> weights, std::span<const float> mask,
                      std::span<float> out);
// Uniform scores from (seed, stream): identical on every rank for the same arguments.
void random_scores(uint64_t seed, uint64_t stream, std::span<const float> mask,
                   std::span<float> out);

}  // namespace topiary::prune
