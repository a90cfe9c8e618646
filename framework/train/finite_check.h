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

// 0-dim float32 on the parameters' device: 1 when some gradient has a NaN or an infinite entry,
// else 0 (no host read). One multi-tensor pass (PyTorch's AMP scaler check at a scale of 1, which
// leaves every gradient bit for bit as it was) instead of finite_gradient_flags' five kernels
// per parameter: on a GPU those launches cost more than the backward's last milliseconds, so
// the trainer asks this first and names the parameter with finite_gradient_flags only when it
// is 1.
torch::Tensor nonfinite_gradient_found(
    const std::vector<std::pair<std::string, torch::Tensor>>& parameters);

}  // namespace topiary::train
