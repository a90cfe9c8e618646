#include "train/gradient_reducer.h"

#include <torch/torch.h>

namespace topiary::train {

GradientReducer::GradientReducer(std::vector<std::pair<std::string, torch::Tensor>> parameters,
                                 comm::Communicator& comm, int64_t bucket_bytes,
                                 int64_t first_bucket_bytes)
    : parameters_(std::move(parameters)), comm_(comm) {
  int64_t current = 0;
  int64_t cap = first_bucket_bytes;
  for (size_t i = 0; i < parameters_.size(); ++i) {
    const int64_t bytes = parameters_[i].second.numel() * 4;
    if (buckets_.empty() || (current > 0 && current + bytes > cap)) {
      if (!buckets_.empty()) cap = bucket_bytes;
      buckets_.emplace_back();
      current = 0;
    }
    buckets_.back().push_back(i);
    current += bytes;
    bytes_per_step_ += bytes;
  }
}

void GradientReducer::reduce() {
  torch::NoGradGuard no_grad;
  const double scale = 1.0 / comm_.world_size();
  for (const auto& bucket : buckets_) {
    std::vector<torch::Tensor> pieces;
    pieces.reserve(bucket.size());
    for (size_t index : bucket) {
      const torch::Tensor& parameter = parameters_[index].second;
      pieces.push_back(parameter.grad().defined() ? parameter.grad().reshape({-1})
                                                  : torch::zeros({parameter.numel()}, parameter.options()));
    }
    torch::Tensor packed = torch::cat(pieces).mul_(scale).contiguous();
    if (comm_.world_size() > 1) {
      comm_.all_reduce(packed.data_ptr(), packed.numel(), comm::DataType::kFloat32,
                       comm::ReduceOp::kSum, "gradient bucket all-reduce");
    }
    int64_t offset = 0;
    for (size_t index : bucket) {
      torch::Tensor& parameter = parameters_[index].second;
      const int64_t n = parameter.numel();
      torch::Tensor slice = packed.narrow(0, offset, n).view(parameter.sizes());
      if (parameter.grad().defined()) {
        parameter.mutable_grad().copy_(slice);
      } else {
        parameter.mutable_grad() = slice.clone();
      }
      offset += n;
    }
  }
}

}  // namespace topiary::train
