#include "prune/fingerprint.h"

#include "core/hash.h"

namespace topiary::prune {

uint64_t mask_fingerprint(std::span<const float> mask) {
  // FNV-1a over the keep bits, packed 8 to a byte, plus the length.
  uint64_t hash = core::kFnv1aOffset;
  auto mix = [&hash](uint8_t byte) { hash = core::fnv1a_byte(hash, byte); };
  uint8_t packed = 0;
  for (size_t i = 0; i < mask.size(); ++i) {
    packed = static_cast<uint8_t>(packed | ((mask[i] != 0.0f ? 1u : 0u) << (i % 8)));
    if (i % 8 == 7) {
      mix(packed);
      packed = 0;
    }
  }
  mix(packed);
  for (int shift = 0; shift < 64; shift += 8) mix(static_cast<uint8_t>(mask.size() >> shift));
  return hash;
}

}  // namespace topiary::prune
