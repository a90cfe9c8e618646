#pragma once
// Averages gradients across ranks. Parameters are grouped, in parameter order, into buckets
// capped at `bucket_bytes` (the first bucket is small so communication can start early on
// backends that overlap); each bucket is packed into one buffer, divided by the world size
// while packed, all-reduced, and unpacked. Every rank launches the same buckets in the same
// order. A parameter without a gradient (unused this step) is sent as zeros, never skipped,
// so collectives stay matched (DESIGN.md pitfall 2).
#include <torch/types.h>

#include <string>
#include <utility>
#include <vector>

#include "comm/communicator.h"

namespace topiary::train {

class GradientReducer {
 public:
  GradientReducer(std::vector<std::pair<std::string, torch::Tensor>> parameters,
                  comm::Communicator& comm, int64_t bucket_bytes = 25 << 20,
                  int64_t first_bucket_bytes = 1 << 20);
  void reduce();
  int64_t bytes_per_step() const { return bytes_per_step_; }
  size_t bucket_count() const { return buckets_.size(); }

 private:
  std::vector<std::pair<std::string, torch::Tensor>> parameters_;
  std::vector<std::vector<size_t>> buckets_;  // indices into parameters_
  comm::Communicator& comm_;
  int64_t bytes_per_step_ = 0;
};

}  // namespace topiary::train
