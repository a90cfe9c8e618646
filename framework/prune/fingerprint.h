#pragma once
// 64-bit fingerprint of which entries a mask keeps, for cross-rank agreement checks.
#include <cstdint>
#include <span>

namespace topiary::prune {

uint64_t mask_fingerprint(std::span<const float> mask);

}  // namespace topiary::prune
