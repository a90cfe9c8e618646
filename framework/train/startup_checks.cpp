#include "train/startup_checks.h"

#include <torch/torch.h>

#include "core/hash.h"

namespace topiary::train {
namespace {

void check_agreement(comm::Communicator& comm, uint64_t value, const std::string& what) {
  uint64_t low = value;
  uint64_t high = value;
  comm.all_reduce(&low, 1, comm::DataType::kUInt64, comm::ReduceOp::kMin, "start-up check (min)");
  comm.all_reduce(&high, 1, comm::DataType::kUInt64, comm::ReduceOp::kMax, "start-up check (max)");
  if (low != high) comm.abort(1, "ranks disagree on " + what);
}

}  // namespace

void verify_same_job(comm::Communicator& comm,
                     const std::vector<std::pair<std::string, torch::Tensor>>& parameters,
                     const std::string& effective_recipe) {
  std::string layout;
  for (const auto& [name, parameter] : parameters) {
    layout += name + ":" + std::string(c10::toString(parameter.scalar_type())) + ":";
    for (int64_t d : parameter.sizes()) layout += std::to_string(d) + ",";
    layout += ";";
  }
  check_agreement(comm, core::fnv1a(layout), "parameter names, shapes or dtypes");
  check_agreement(comm, core::fnv1a(effective_recipe), "the effective recipe");
}

void broadcast_parameters(comm::Communicator& comm,
                          const std::vector<std::pair<std::string, torch::Tensor>>& parameters) {
  if (comm.world_size() == 1) return;
  torch::NoGradGuard no_grad;
  for (const auto& [name, parameter] : parameters) {
    torch::Tensor buffer = parameter.detach().contiguous();
    comm.broadcast(buffer.data_ptr(), buffer.numel(), comm::DataType::kFloat32, 0,
                   "initial weight broadcast");
    if (!buffer.is_same(parameter)) parameter.copy_(buffer);
  }
}

}  // namespace topiary::train
