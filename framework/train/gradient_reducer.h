#pragma once
// Averages gradients across ranks. Parameters are grouped, in parameter order, into buckets
// capped at `bucket_bytes` (the first bucket is small so communication can start early on
// backends that overlap); each bucket is packed into one buffer, divided by the world size
// while packed, all-reduced, and unpacked. Every rank launches the same buckets in the same
// order. A parameter without a gradient (unused this step) is sent as zeros, never skipped,
// so collectives stay matched (DESIGN.md pitfall 2).
//
// Note [Mask-aware packing]: masks are identical on every rank (verified by fingerprint after
// every update), so every rank knows the live coordinates of every masked parameter without
// any index being sent. With `compact_masked` on, a masked parameter contributes only its live
// entries to its bucket; after the all-reduce they are scattered back and pruned entries get
// gradient 0 -- the values a dense reduction of masked gradients gives (pruned entries may differ
// from it only in the sign of zero). The plan (live indices, bucket layout, sized by the bytes
// actually sent) is rebuilt only when the caller says the masks changed, so the contract is:
// every rank calls set_masks / masks_changed / set_needs_dense at the same step.
// Parameters flagged with set_needs_dense (methods that score pruned entries: movement,
// regrowth) travel dense while flagged; reduce(/*all_dense=*/true) sends everything dense for
// one step without touching the plan.
// Note [Row-sparse exchange]: a lookup table (an embedding) gets gradient only in the rows the
// step's tokens read; a batch of 64 sentences touches a few hundred of an SST-2 vocabulary's
// 13,829 rows, yet a dense reduction sends all of them (7 MB for TextCNN, most of a step's
// traffic). Parameters named in `row_sparse` (2-D, travelling dense under the plan) skip the
// buckets: each rank flags its rows with any non-zero entry, the flags are all-reduced with max
// (one byte per row), and only the rows flagged somewhere are packed, all-reduced and scattered
// back. Rows flagged nowhere are zero on every rank and stay zero (canonicalised to +0), which
// is what the dense reduction gives; flagged rows get the same sums. The decision is made from
// the gradient itself, so a wrong `row_sparse` entry (e.g. a tied output projection) costs time,
// never correctness. A row-sparse parameter whose mask is compacted uses the compact path.
// Note [Overlapped exchange]: with `overlap` on, buckets are cut in reverse parameter order (the
// order backward produces gradients) and each is launched as a nonblocking all-reduce from an
// autograd hook as soon as every gradient in it has been accumulated, while backward goes on;
// hooks also advance the buckets in flight. Buckets launch strictly in index order on every
// rank (a ready bucket waits for the ones before it), so collectives match across ranks.
// Parameters that got no gradient this step (unused branches, like DDP's
// find_unused_parameters) never fire a hook: finish() launches whatever is left, in order,
// sending zeros for them, then runs the row exchange, waits, and unpacks. Only the last
// micro-batch's backward is armed (gradient accumulation exchanges once). The packed values
// and the MPI calls are those of the blocking reduce(), so the results are the same bits.
// Note [Compressed exchange]: with a 16-bit `wire` type, each bucket (and the rows of a
// row-sparse exchange), already scaled by 1 / world size, is rounded to bf16 or fp16 (nearest
// even), all-reduced in that type (every addition done in float32 and rounded once), and widened
// back before unpacking: half the bytes, at the cost of rounding each gradient to 8 (bf16) or 11
// (fp16) significant bits. fp16 also flushes gradients below about 6e-8 to zero and overflows
// above 65504 (the trainer's non-finite check then sees it); bf16 keeps float32's range. Every
// rank gets the same bits, and the overlapped and blocking paths stay bitwise equal.
// With one rank there is nothing to exchange: reduce() packs nothing and only gives each slot
// what the packed round trip would (pruned entries of compacted parameters +0, missing
// gradients zeros), bit for bit.
#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "comm/communicator.h"

namespace topiary::train {

class MaskSet;

struct ReducerOptions {
  int64_t bucket_bytes = int64_t{25} << 20;
  int64_t first_bucket_bytes = int64_t{1} << 20;
  // Send only unpruned entries of masked parameters (Note [Mask-aware packing]).
  bool compact_masked = true;
  // Parameter names exchanged by touched rows (Note [Row-sparse exchange]).
  std::vector<std::string> row_sparse;
  // Launch buckets from autograd hooks during backward (Note [Overlapped exchange]).
  bool overlap = false;
  // Element type on the wire (Note [Compressed exchange]): kFloat32, kBFloat16 or kFloat16.
  comm::DataType wire = comm::DataType::kFloat32;
};

class GradientReducer {
 public:
  GradientReducer(std::vector<std::pair<std::string, torch::Tensor>> parameters,
                  comm::Communicator& comm, int64_t bucket_bytes = int64_t{25} << 20,
                  int64_t first_bucket_bytes = int64_t{1} << 20);
  GradientReducer(std::vector<std::pair<std::string, torch::Tensor>> parameters,
                  comm::Communicator& comm, const ReducerOptions& options);
  ~GradientReducer();
  GradientReducer(const GradientReducer&) = delete;
  GradientReducer& operator=(const GradientReducer&) = delete;

  // Uses `masks` (which must outlive the reducer) from now on and rebuilds the plan.
  void set_masks(const MaskSet& masks);
  // Call on every rank after any mask in the set changed (same step on every rank).
  void masks_changed();
  // Sends `name` dense (true) or compacted (false) from the next reduce() on.
  void set_needs_dense(const std::string& name, bool dense);

  // `all_dense`: this step, send every parameter dense (steps where a scorer reads the reduced
  // gradient of pruned entries). Every rank passes the same value. The caller masks the
  // gradients first when it wants them masked (the trainer does unless all_dense), with
  // mask_gradients() or otherwise.
  void reduce(bool all_dense = false);
  // Masks the gradients that reduce() sends dense. A compacted parameter needs no mask: its
  // pruned entries never travel and come back +0 (on one rank too), the same bits as masking
  // first, without a pass over the whole tensor (for an embedding table, most of the work).
  void mask_gradients();

  // The overlapped form of reduce() (options.overlap): arm() right before the backward pass
  // that completes the step's gradients, finish() right after it. Gradients of masked
  // parameters are masked here as they arrive (unless all_dense), since the caller cannot mask
  // before they exist: the same results as masking, then reduce().
  void arm(bool all_dense);
  void finish();
  bool overlaps() const { return options_.overlap; }
  // Of the last overlapped step's buckets, how many were launched during backward (the rest
  // waited for finish(): parameters without a gradient, or buckets after them).
  size_t buckets_launched_in_backward() const { return overlap_.launched_in_backward; }

  // Gradient bytes this rank sends into all-reduces per step: the buckets of the current plan
  // plus the mean of the row-sparse exchanges so far (flags and rows); and what a dense
  // reduction would send.
  int64_t bytes_per_step() const;
  int64_t dense_bytes_per_step() const { return dense_bytes_per_step_; }
  size_t bucket_count() const { return plan_.buckets.size(); }
  int64_t plan_builds() const { return plan_builds_; }

 private:
  struct Slot {
    size_t parameter;      // index into parameters_
    int64_t offset;        // first element in the bucket buffer
    int64_t count;         // elements sent
    torch::Tensor live;    // flat indices of unpruned entries; undefined = dense
    torch::Tensor pruned;  // bool, the parameter's shape: where `live` is not (compact only)
  };
  struct Bucket {
    std::vector<Slot> slots;
    torch::Tensor buffer;  // flat, float32, on the parameters' device
    torch::Tensor wire;    // the same elements in the wire type; undefined = buffer travels
  };
  struct Plan {
    std::vector<Bucket> buckets;
    std::vector<size_t> by_rows;  // parameters exchanged by touched rows, in parameter order
    std::vector<bool> compacted;  // by parameter: its slot sends only the live entries
  };

  void rebuild_plan();
  Plan build_plan(bool compact) const;
  Plan* plan_for(bool all_dense);
  void mask_gradient(size_t parameter);
  // mask_gradient() unless `plan` compacts the parameter (its pruned entries come back +0).
  void mask_unless_compacted(const Plan& plan, size_t parameter);
  void pack(Bucket& bucket);
  // The tensor that travels for `buffer` (itself when the wire type is float32).
  torch::Tensor wire_tensor_for(const torch::Tensor& buffer) const;
  void unpack(const Bucket& bucket);
  void on_gradient_ready(size_t parameter);
  void launch_ready_buckets();
  struct ReadyHook;
  void reduce_single_rank(const Plan& plan);
  void reduce_rows(size_t parameter, double scale);

  std::vector<std::pair<std::string, torch::Tensor>> parameters_;
  comm::Communicator& comm_;
  ReducerOptions options_;
  const MaskSet* masks_ = nullptr;
  std::vector<bool> needs_dense_;   // per parameter
  std::vector<bool> row_sparse_;    // per parameter: eligible for the row exchange
  std::vector<bool> lookup_table_;  // per parameter: named in row_sparse (any world size)
  Plan plan_;
  std::optional<Plan> dense_plan_;  // for reduce(all_dense = true), built on first use
  bool plan_compacts_ = false;      // plan_ sends some parameter compacted
  int64_t bytes_per_step_ = 0;      // buckets of plan_
  int64_t row_bytes_sent_ = 0;      // all row exchanges so far
  int64_t row_exchanges_ = 0;       // reduce() calls that ran a row exchange
  int64_t dense_bytes_per_step_ = 0;
  int64_t plan_builds_ = 0;

  // The step being overlapped (Note [Overlapped exchange]).
  struct Overlap {
    bool armed = false;
    bool all_dense = false;
    Plan* plan = nullptr;
    std::vector<int64_t> bucket_of;    // per parameter: its bucket in `plan`, -1 = none
    std::vector<int64_t> waiting_for;  // per bucket: gradients not yet accumulated
    size_t next_launch = 0;            // buckets launch in index order
    size_t launched_in_backward = 0;
    std::vector<std::unique_ptr<comm::PendingCollective>> in_flight;  // per launched bucket
  };
  Overlap overlap_;
};

}  // namespace topiary::train
