#pragma once
// The shared libraries mapped into this process, as the dynamic loader resolved them. A bill of
// materials built from this list names what really runs, including what `ldd` cannot see
// (libraries opened later with dlopen, such as LibTorch's CUDA half once a trainer starts).
#include <string>
#include <vector>

namespace topiary::core {

// Absolute paths of every mapped file whose name contains ".so", sorted, without duplicates.
// Empty where /proc/self/maps cannot be read (not Linux).
std::vector<std::string> loaded_libraries();

}  // namespace topiary::core
