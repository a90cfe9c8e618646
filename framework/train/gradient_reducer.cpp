#include "train/gradient_reducer.h"

#include <ATen/ATen.h>
#include <torch/types.h>

#include <algorithm>
#include <cstdint>

#include "core/error.h"
#include "train/mask_set.h"

namespace topiary::train {

GradientReducer::GradientReducer(std::vector<std::pair<std::string, torch::Tensor>> parameters,
                                 comm::Communicator& comm, int64_t bucket_bytes,
                                 int64_t first_bucket_bytes)
    : GradientReducer(std::move(parameters), comm,
                      ReducerOptions{bucket_bytes, first_bucket_bytes, true}) {}

GradientReducer::GradientReducer(std::vector<std::pair<std::string, torch::Tensor>> parameters,
                                 comm::Communicator& comm, const ReducerOptions& options)
    : parameters_(std::move(parameters)),
      comm_(comm),
      options_(options),
      needs_dense_(parameters_.size(), false) {
  for (const auto& [name, parameter] : parameters_) {
    TOPIARY_ASSERT(parameter.scalar_type() == torch::kFloat32,
                   "gradient reducer supports float32 parameters only: " + name);
  }
  rebuild_plan();
}

void GradientReducer::set_masks(const MaskSet& masks) {
  masks_ = &masks;
  rebuild_plan();
}

void GradientReducer::masks_changed() { rebuild_plan(); }

void GradientReducer::set_needs_dense(const std::string& name, bool dense) {
  for (size_t i = 0; i < parameters_.size(); ++i) {
    if (parameters_[i].first == name && needs_dense_[i] != dense) {
      needs_dense_[i] = dense;
      rebuild_plan();
      return;
    }
  }
}

// Same inputs on every rank (parameter order, identical masks) give the same plan everywhere,
// so the buckets, their counts and their order match without any exchange.
void GradientReducer::rebuild_plan() {
  ++plan_builds_;
  buckets_ = build_plan(/*compact=*/options_.compact_masked && masks_ != nullptr);
  bytes_per_step_ = 0;
  dense_bytes_per_step_ = 0;
  for (const auto& bucket : buckets_) bytes_per_step_ += bucket.buffer.numel() * 4;
  for (const auto& [name, parameter] : parameters_) dense_bytes_per_step_ += parameter.numel() * 4;
}

std::vector<GradientReducer::Bucket> GradientReducer::build_plan(bool compact) const {
  torch::NoGradGuard no_grad;
  std::vector<Bucket> buckets;
  const int64_t width = sizeof(float);
  int64_t cap = options_.first_bucket_bytes;
  int64_t filled = 0;
  for (size_t i = 0; i < parameters_.size(); ++i) {
    const auto& [name, parameter] = parameters_[i];
    Slot slot{i, 0, parameter.numel(), torch::Tensor()};
    if (compact && !needs_dense_[i] && masks_->has(name)) {
      const torch::Tensor& mask = masks_->all().at(name);
      TOPIARY_ASSERT(mask.numel() == parameter.numel(), "mask shape differs from " + name);
      torch::Tensor live = mask.reshape({-1}).nonzero().reshape({-1});
      // A mask without zeros gains nothing from an index gather/scatter: send it dense.
      if (live.numel() < parameter.numel()) {
        slot.live = live.to(parameter.device());
        slot.pruned = (mask == 0).reshape(parameter.sizes()).to(parameter.device());
        slot.count = live.numel();
      }
    }
    const int64_t bytes = slot.count * width;
    if (buckets.empty() || (filled > 0 && filled + bytes > cap)) {
      if (!buckets.empty()) cap = options_.bucket_bytes;
      buckets.emplace_back();
      filled = 0;
    }
    slot.offset = filled / width;
    buckets.back().slots.push_back(std::move(slot));
    filled += bytes;
  }
  for (auto& bucket : buckets) {
    const Slot& last = bucket.slots.back();
    const torch::Tensor& any = parameters_[last.parameter].second;
    bucket.buffer = torch::empty({last.offset + last.count}, any.options().requires_grad(false));
  }
  return buckets;
}

void GradientReducer::reduce(bool all_dense) {
  torch::NoGradGuard no_grad;
  std::vector<Bucket>* plan = &buckets_;
  if (all_dense && bytes_per_step_ != dense_bytes_per_step_) {
    // Built on first use and kept: its layout depends only on the parameters.
    if (dense_buckets_.empty()) dense_buckets_ = build_plan(/*compact=*/false);
    plan = &dense_buckets_;
  }
  if (comm_.world_size() == 1) {
    reduce_single_rank(*plan);
    return;
  }
  const double scale = 1.0 / comm_.world_size();
  for (auto& bucket : *plan) {
    for (const Slot& slot : bucket.slots) {
      const torch::Tensor& parameter = parameters_[slot.parameter].second;
      torch::Tensor target = bucket.buffer.narrow(0, slot.offset, slot.count);
      if (!parameter.grad().defined()) {
        target.zero_();
      } else if (slot.live.defined()) {
        at::index_select_out(target, parameter.grad().reshape({-1}), 0, slot.live);
      } else {
        target.copy_(parameter.grad().reshape({-1}));
      }
    }
    bucket.buffer.mul_(scale);
    if (comm_.world_size() > 1 && bucket.buffer.numel() > 0) {
      comm_.all_reduce(bucket.buffer.data_ptr(), bucket.buffer.numel(), comm::DataType::kFloat32,
                       comm::ReduceOp::kSum, "gradient bucket all-reduce");
    }
    for (const Slot& slot : bucket.slots) {
      torch::Tensor& parameter = parameters_[slot.parameter].second;
      torch::Tensor reduced = bucket.buffer.narrow(0, slot.offset, slot.count);
      if (!parameter.grad().defined()) {
        parameter.mutable_grad() = torch::zeros_like(parameter).detach();
      }
      torch::Tensor grad = parameter.mutable_grad();
      if (slot.live.defined()) {
        if (grad.is_contiguous()) {
          grad.zero_();
          grad.view({-1}).index_copy_(0, slot.live, reduced);
        } else {
          torch::Tensor scattered = torch::zeros({parameter.numel()}, reduced.options());
          scattered.index_copy_(0, slot.live, reduced);
          grad.copy_(scattered.view(parameter.sizes()));
        }
      } else {
        grad.copy_(reduced.view(parameter.sizes()));
      }
    }
  }
}

// The packed round trip at world size 1 multiplies by 1.0 (exact) and, for compacted slots,
// scatters the live entries into a zeroed gradient; this gives the same bits in place.
void GradientReducer::reduce_single_rank(const std::vector<Bucket>& plan) {
  for (const auto& bucket : plan) {
    for (const Slot& slot : bucket.slots) {
      torch::Tensor& parameter = parameters_[slot.parameter].second;
      if (!parameter.grad().defined()) {
        parameter.mutable_grad() = torch::zeros_like(parameter).detach();
      } else if (slot.pruned.defined()) {
        parameter.mutable_grad().masked_fill_(slot.pruned, 0.0f);
      }
    }
  }
}

bool all_finite(const torch::Tensor& tensor) {
  if (tensor.scalar_type() != torch::kFloat32 || !tensor.is_contiguous() || !tensor.is_cpu()) {
    return torch::isfinite(tensor).all().item<bool>();
  }
  // A float is Inf or NaN exactly when its exponent bits are all ones, i.e. when its magnitude
  // bits are >= 0x7f800000. A max over blocks vectorises; the exit between blocks keeps a bad
  // gradient cheap to find.
  const auto* bits = static_cast<const uint32_t*>(tensor.const_data_ptr());
  const int64_t n = tensor.numel();
  constexpr int64_t kBlock = 4096;
  for (int64_t begin = 0; begin < n; begin += kBlock) {
    const int64_t end = std::min(n, begin + kBlock);
    uint32_t largest = 0;
    for (int64_t i = begin; i < end; ++i) largest = std::max(largest, bits[i] & 0x7fffffffu);
    if (largest >= 0x7f800000u) return false;
  }
  return true;
}

}  // namespace topiary::train
