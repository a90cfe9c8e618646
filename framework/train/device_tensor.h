#pragma once
// Moving host data (batch ids and labels) to the device a model lives on.
#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace topiary::train {

// The device of the module's first parameter (the trainer keeps every parameter on one device).
torch::Device device_of(const torch::nn::Module& module);

// `values` as an int64 tensor of `sizes` on `device`, independent of `values` afterwards (the
// autograd graph may keep it past the caller's vector). For a CUDA device it is staged in
// pinned host memory and copied without blocking the host.
torch::Tensor ids_on(const std::vector<int64_t>& values, at::IntArrayRef sizes,
                     const torch::Device& device);

}  // namespace topiary::train
