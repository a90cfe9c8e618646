#pragma once
// Small hashes with fully specified output, the same on every platform, compiler and run: the
// masks, the data split and the random draws that every rank must reproduce depend on them
// (std::hash and the <random> distributions promise neither).
#include <cstdint>
#include <string_view>

namespace topiary::core {

inline constexpr uint64_t kSplitMix64Gamma = 0x9E3779B97F4A7C15ull;

// SplitMix64's output function: a bijective mix of one 64-bit word.
constexpr uint64_t splitmix64_mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// One SplitMix64 draw: advances `state` by the golden gamma and mixes it.
constexpr uint64_t splitmix64_next(uint64_t& state) {
  state += kSplitMix64Gamma;
  return splitmix64_mix(state);
}

// Stateless SplitMix64 of a single word (the first draw of a stream seeded with `x`).
constexpr uint64_t splitmix64(uint64_t x) { return splitmix64_mix(x + kSplitMix64Gamma); }

// A uniform double in [0, 1) from the top 53 bits of a 64-bit draw.
constexpr double unit_interval(uint64_t bits) {
  return static_cast<double>(bits >> 11) * 0x1.0p-53;
}

inline constexpr uint64_t kFnv1aOffset = 0xcbf29ce484222325ull;  // 14695981039346656037
inline constexpr uint64_t kFnv1aPrime = 0x100000001b3ull;        // 1099511628211

// 64-bit FNV-1a: one byte into `hash`.
constexpr uint64_t fnv1a_byte(uint64_t hash, uint8_t byte) { return (hash ^ byte) * kFnv1aPrime; }

// 64-bit FNV-1a of `bytes`, continuing from `hash`.
constexpr uint64_t fnv1a(std::string_view bytes, uint64_t hash = kFnv1aOffset) {
  for (const char c : bytes) hash = fnv1a_byte(hash, static_cast<uint8_t>(c));
  return hash;
}

}  // namespace topiary::core
