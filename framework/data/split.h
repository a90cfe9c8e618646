#pragma once
// Deterministic train/validation split. The permutation comes from std::mt19937_64 (whose output
// the C++ standard fixes) and our own Fisher-Yates with rejection sampling, not std::shuffle or
// std::uniform_int_distribution, whose results differ between standard libraries: the same seed
// gives the same split with libstdc++, libc++ and MSVC.
#include <cstdint>
#include <string>
#include <vector>

namespace topiary::data {

// A uniformly random permutation of 0..n-1.
std::vector<int64_t> shuffled_indices(int64_t n, uint64_t seed);

struct SplitIndices {
  std::vector<int64_t> train;  // ascending, so examples keep their input order
  std::vector<int64_t> valid;  // ascending
};

// round(n * valid_fraction) examples (at least 1) go to validation. UserError naming `option`
// unless 0 < valid_fraction < 1 and both parts end up non-empty.
SplitIndices split_by_fraction(int64_t n, double valid_fraction, uint64_t seed,
                               const std::string& option = "--valid-fraction");

// The same split as a membership bit per example (true: validation), for callers that meet the
// examples one at a time (the streaming prepare). Holds 4 bytes per example only while it draws
// (8 beyond 2^32 examples); the result is n bits.
std::vector<bool> valid_membership(int64_t n, double valid_fraction, uint64_t seed,
                                   const std::string& option = "--valid-fraction");

}  // namespace topiary::data
