#pragma once
// The per-step non-finite check over every gradient, with one host read whatever the device.
#include <torch/types.h>

#include <string>
#include <utility>
#include <vector>

namespace topiary::train {

// flags[i] is true when parameter i has no gradient or every entry of its gradient is finite
// (bool, on the parameters' device; no host read). The same answer as isfinite(g).all() for
// each gradient; contiguous float32 gradients on the CPU are read once with no temporaries (the
// element-wise form cost four passes and their allocations every step).
torch::Tensor finite_gradient_flags(
    const std::vector<std::pair<std::string, torch::Tensor>>& parameters);

}  // namespace topiary::train
