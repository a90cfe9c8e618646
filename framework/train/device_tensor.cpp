#include "train/device_tensor.h"

#include <cstring>

#include "core/error.h"

namespace topiary::train {

torch::Device device_of(const torch::nn::Module& module) {
  const auto parameters = module.parameters();
  TOPIARY_ASSERT(!parameters.empty(), "a model without parameters has no device");
  return parameters.front().device();
}

torch::Tensor ids_on(const std::vector<int64_t>& values, at::IntArrayRef sizes,
                     const torch::Device& device) {
  auto* data = const_cast<int64_t*>(values.data());
  const torch::Tensor view = torch::from_blob(data, sizes, torch::kInt64);
  if (device.is_cpu()) return view.clone();
  // The caching host allocator keeps the pinned block until the copy that reads it is done.
  torch::Tensor pinned =
      torch::empty(sizes, torch::TensorOptions(torch::kInt64).pinned_memory(true));
  std::memcpy(pinned.data_ptr<int64_t>(), data, values.size() * sizeof(int64_t));
  return pinned.to(device, /*non_blocking=*/true);
}

}  // namespace topiary::train
