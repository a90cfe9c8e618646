#include "gpu_test_util.h"

#include <torch/cuda.h>
#include <torch/torch.h>

namespace topiary::gpu_test {

std::string cuda_skip_reason() {
  if (!torch::cuda::is_available()) {
    return "no CUDA device visible to torch (torch::cuda::is_available() is false); the gpu "
           "tests run on a GPU machine via bench/gpu/run.sh";
  }
  return "";
}

double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  const torch::Tensor x = a.detach().to(torch::kCPU, torch::kFloat32);
  const torch::Tensor y = b.detach().to(torch::kCPU, torch::kFloat32);
  if (x.numel() == 0) return 0.0;
  return (x - y).abs().max().item<double>();
}

double fraction_outside(const torch::Tensor& a, const torch::Tensor& b, double rtol, double atol) {
  const torch::Tensor x = a.detach().to(torch::kCPU, torch::kFloat32);
  const torch::Tensor y = b.detach().to(torch::kCPU, torch::kFloat32);
  if (x.numel() == 0) return 0.0;
  const torch::Tensor outside = (x - y).abs() > (atol + rtol * y.abs());
  return outside.to(torch::kFloat64).mean().item<double>();
}

}  // namespace topiary::gpu_test
