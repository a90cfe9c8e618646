#include "train/gradient_reducer.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/function_hook.h>
#include <torch/csrc/autograd/variable.h>
#include <torch/types.h>

#include <algorithm>
#include <cstdint>

#include "core/error.h"
#include "train/mask_set.h"
#include "train/row_flags.h"

namespace topiary::train {

// Runs after AccumulateGrad has added this backward pass's gradient into .grad.
struct GradientReducer::ReadyHook final : torch::autograd::PostAccumulateGradHook {
  ReadyHook(GradientReducer& reducer, size_t parameter) : reducer_(reducer), index_(parameter) {}
  void operator()(const torch::autograd::Variable& /*tensor*/) override {
    reducer_.on_gradient_ready(index_);
  }

 private:
  GradientReducer& reducer_;
  size_t index_;
};

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
      needs_dense_(parameters_.size(), false),
      row_sparse_(parameters_.size(), false),
      lookup_table_(parameters_.size(), false) {
  for (size_t i = 0; i < parameters_.size(); ++i) {
    const auto& [name, parameter] = parameters_[i];
    TOPIARY_ASSERT(parameter.scalar_type() == torch::kFloat32,
                   "gradient reducer supports float32 parameters only: " + name);
    const auto& rows = options_.row_sparse;
    lookup_table_[i] = parameter.dim() == 2 && parameter.size(0) > 1 &&
                       std::find(rows.begin(), rows.end(), name) != rows.end();
    // One rank has nothing to exchange; a table of one row gains nothing from flags.
    row_sparse_[i] = comm_.world_size() > 1 && lookup_table_[i];
  }
  rebuild_plan();
  if (options_.overlap && comm_.world_size() > 1) {
    for (size_t i = 0; i < parameters_.size(); ++i) {
      torch::autograd::impl::set_post_acc_grad_hooks(parameters_[i].second,
                                                     std::make_unique<ReadyHook>(*this, i));
    }
  }
}

GradientReducer::~GradientReducer() {
  if (!options_.overlap || comm_.world_size() == 1) return;
  for (auto& [name, parameter] : parameters_) {
    torch::autograd::impl::set_post_acc_grad_hooks(parameter, nullptr);
  }
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
  plan_ = build_plan(/*compact=*/options_.compact_masked && masks_ != nullptr);
  bytes_per_step_ = 0;
  dense_bytes_per_step_ = 0;
  plan_compacts_ = false;
  for (const auto& bucket : plan_.buckets) {
    bytes_per_step_ +=
        bucket.buffer.numel() * static_cast<int64_t>(comm::element_size(options_.wire));
    for (const Slot& slot : bucket.slots) plan_compacts_ = plan_compacts_ || slot.live.defined();
  }
  for (const auto& [name, parameter] : parameters_) dense_bytes_per_step_ += parameter.numel() * 4;
}

int64_t GradientReducer::bytes_per_step() const {
  return bytes_per_step_ + (row_exchanges_ > 0 ? row_bytes_sent_ / row_exchanges_ : 0);
}

GradientReducer::Plan GradientReducer::build_plan(bool compact) const {
  torch::NoGradGuard no_grad;
  Plan plan;
  std::vector<Bucket>& buckets = plan.buckets;
  const int64_t width = sizeof(float);
  int64_t cap = options_.first_bucket_bytes;
  int64_t filled = 0;
  const size_t n = parameters_.size();
  plan.compacted.assign(n, false);
  for (size_t k = 0; k < n; ++k) {
    // Overlapped: the last parameters first, as backward produces their gradients first.
    const size_t i = options_.overlap ? n - 1 - k : k;
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
        plan.compacted[i] = true;
      }
    }
    if (row_sparse_[i] && !slot.live.defined()) {
      plan.by_rows.push_back(i);
      continue;
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
    if (options_.wire != comm::DataType::kFloat32 && comm_.world_size() > 1) {
      bucket.wire = wire_tensor_for(bucket.buffer);
    }
  }
  return plan;
}

torch::Tensor GradientReducer::wire_tensor_for(const torch::Tensor& buffer) const {
  switch (options_.wire) {
    case comm::DataType::kFloat32:
      return buffer;
    case comm::DataType::kBFloat16:
      return torch::empty_like(buffer, buffer.options().dtype(torch::kBFloat16));
    case comm::DataType::kFloat16:
      return torch::empty_like(buffer, buffer.options().dtype(torch::kHalf));
    default:
      TOPIARY_ASSERT(false, "gradient wire type must be float32, bfloat16 or float16");
  }
  return buffer;
}

GradientReducer::Plan* GradientReducer::plan_for(bool all_dense) {
  if (all_dense && plan_compacts_) {
    // Built on first use and kept: its layout depends only on the parameters.
    if (!dense_plan_) dense_plan_ = build_plan(/*compact=*/false);
    return &*dense_plan_;
  }
  return &plan_;
}

// What the trainer's masking before a reduction did: pruned entries' gradients are zero.
void GradientReducer::mask_gradient(size_t parameter) {
  const auto& [name, tensor] = parameters_[parameter];
  if (masks_ == nullptr || !masks_->has(name) || !tensor.grad().defined()) return;
  tensor.mutable_grad().mul_(masks_->all().at(name));
}

void GradientReducer::mask_unless_compacted(const Plan& plan, size_t parameter) {
  if (!plan.compacted[parameter]) mask_gradient(parameter);
}

void GradientReducer::mask_gradients() {
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < parameters_.size(); ++i) mask_unless_compacted(plan_, i);
}

void GradientReducer::reduce(bool all_dense) {
  torch::NoGradGuard no_grad;
  Plan* plan = plan_for(all_dense);
  if (comm_.world_size() == 1) {
    reduce_single_rank(*plan);
    return;
  }
  const double scale = 1.0 / comm_.world_size();
  for (size_t parameter : plan->by_rows) reduce_rows(parameter, scale);
  if (!plan->by_rows.empty()) ++row_exchanges_;
  for (auto& bucket : plan->buckets) {
    pack(bucket);
    torch::Tensor& sent = bucket.wire.defined() ? bucket.wire : bucket.buffer;
    if (sent.numel() > 0) {
      comm_.all_reduce(sent.data_ptr(), sent.numel(), options_.wire, comm::ReduceOp::kSum,
                       "gradient bucket all-reduce");
    }
    unpack(bucket);
  }
}

// The bucket's gradients, scaled by 1 / world size, into its buffer (zeros for a parameter
// without a gradient).
void GradientReducer::pack(Bucket& bucket) {
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
  bucket.buffer.mul_(1.0 / comm_.world_size());
  if (bucket.wire.defined()) bucket.wire.copy_(bucket.buffer);  // rounds to nearest even
}

void GradientReducer::unpack(const Bucket& bucket) {
  if (bucket.wire.defined()) bucket.buffer.copy_(bucket.wire);  // exact widening
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

// Note [Overlapped exchange].
void GradientReducer::arm(bool all_dense) {
  TOPIARY_ASSERT(options_.overlap, "arm() needs ReducerOptions::overlap");
  Overlap& o = overlap_;
  o = Overlap{};
  o.armed = true;
  o.all_dense = all_dense;
  o.plan = plan_for(all_dense);
  o.bucket_of.assign(parameters_.size(), -1);
  o.waiting_for.assign(o.plan->buckets.size(), 0);
  for (size_t b = 0; b < o.plan->buckets.size(); ++b) {
    for (const Slot& slot : o.plan->buckets[b].slots) {
      o.bucket_of[slot.parameter] = static_cast<int64_t>(b);
      ++o.waiting_for[b];
    }
  }
}

void GradientReducer::on_gradient_ready(size_t parameter) {
  Overlap& o = overlap_;
  if (!o.armed || o.bucket_of[parameter] < 0) return;  // not this step, or a row-sparse table
  torch::NoGradGuard no_grad;
  if (!o.all_dense) mask_unless_compacted(*o.plan, parameter);
  const auto bucket = static_cast<size_t>(o.bucket_of[parameter]);
  o.bucket_of[parameter] = -1;  // counted once
  --o.waiting_for[bucket];
  launch_ready_buckets();
  for (auto& pending : o.in_flight) pending->test();  // MPI advances only inside its calls
}

void GradientReducer::launch_ready_buckets() {
  Overlap& o = overlap_;
  while (o.next_launch < o.plan->buckets.size() && o.waiting_for[o.next_launch] == 0) {
    Bucket& bucket = o.plan->buckets[o.next_launch++];
    pack(bucket);
    torch::Tensor& sent = bucket.wire.defined() ? bucket.wire : bucket.buffer;
    o.in_flight.push_back(sent.numel() > 0 ? comm_.start_all_reduce(
                                                 sent.data_ptr(), sent.numel(), options_.wire,
                                                 comm::ReduceOp::kSum, "gradient bucket all-reduce")
                                           : nullptr);
  }
}

void GradientReducer::finish() {
  TOPIARY_ASSERT(options_.overlap && overlap_.armed, "finish() without arm()");
  torch::NoGradGuard no_grad;
  Overlap& o = overlap_;
  if (comm_.world_size() == 1) {  // no hooks: everything is masked and settled here
    o.armed = false;
    if (!o.all_dense) {
      for (size_t i = 0; i < parameters_.size(); ++i) mask_unless_compacted(*o.plan, i);
    }
    reduce_single_rank(*o.plan);
    return;
  }
  // Gradients that never arrived (unused parameters) and row-sparse tables are masked here.
  for (size_t i = 0; i < parameters_.size(); ++i) {
    if (o.bucket_of[i] >= 0 && !o.all_dense) mask_unless_compacted(*o.plan, i);
  }
  o.launched_in_backward = o.next_launch;
  for (size_t b = o.next_launch; b < o.waiting_for.size(); ++b) o.waiting_for[b] = 0;
  launch_ready_buckets();
  o.armed = false;
  const double scale = 1.0 / comm_.world_size();
  for (size_t parameter : o.plan->by_rows) {
    if (!o.all_dense) mask_gradient(parameter);
    reduce_rows(parameter, scale);
  }
  if (!o.plan->by_rows.empty()) ++row_exchanges_;
  for (size_t b = 0; b < o.plan->buckets.size(); ++b) {
    if (o.in_flight[b]) o.in_flight[b]->wait();
    unpack(o.plan->buckets[b]);
  }
  o.in_flight.clear();
}

// The packed round trip at world size 1 multiplies by 1.0 (exact) and, for compacted slots,
// scatters the live entries into a zeroed gradient; this gives the same bits in place.
void GradientReducer::reduce_single_rank(const Plan& plan) {
  for (const auto& bucket : plan.buckets) {
    for (const Slot& slot : bucket.slots) {
      torch::Tensor& parameter = parameters_[slot.parameter].second;
      if (!parameter.grad().defined()) {
        parameter.mutable_grad() = torch::zeros_like(parameter).detach();
      } else if (slot.pruned.defined() && lookup_table_[slot.parameter]) {
        mask_rows_read(parameter.mutable_grad(), slot.pruned);
      } else if (slot.pruned.defined()) {
        parameter.mutable_grad().masked_fill_(slot.pruned, 0.0f);
      }
    }
  }
}

// Note [Row-sparse exchange]. Same flags on every rank after the max, so every rank sends the
// same number of rows in the same order.
void GradientReducer::reduce_rows(size_t index, double scale) {
  torch::Tensor& parameter = parameters_[index].second;
  if (!parameter.grad().defined()) {
    parameter.mutable_grad() = torch::zeros_like(parameter).detach();
  }
  torch::Tensor grad = parameter.mutable_grad();
  const bool in_place = grad.is_contiguous();
  torch::Tensor work = in_place ? grad : grad.contiguous();
  torch::Tensor flags = flag_touched_rows(work);
  comm_.all_reduce(flags.data_ptr(), flags.numel(), comm::DataType::kUInt8, comm::ReduceOp::kMax,
                   "gradient row flags all-reduce");
  torch::Tensor rows = flags.nonzero().reshape({-1});
  row_bytes_sent_ += flags.numel();
  if (rows.numel() > 0) {
    torch::Tensor packed = work.index_select(0, rows);
    packed.mul_(scale);
    torch::Tensor sent = wire_tensor_for(packed);
    if (!sent.is_same(packed)) sent.copy_(packed);  // Note [Compressed exchange]
    comm_.all_reduce(sent.data_ptr(), sent.numel(), options_.wire, comm::ReduceOp::kSum,
                     "gradient rows all-reduce");
    row_bytes_sent_ += sent.numel() * static_cast<int64_t>(comm::element_size(options_.wire));
    if (!sent.is_same(packed)) packed.copy_(sent);
    work.index_copy_(0, rows, packed);
  }
  if (!in_place) grad.copy_(work);
}

}  // namespace topiary::train
