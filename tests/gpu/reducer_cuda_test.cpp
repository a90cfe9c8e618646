// GradientReducer on CUDA gradients equals the reducer on the same CPU gradients, bit for bit:
// dense buckets, compact (mask-aware) buckets and the row-sparse exchange of a lookup table,
// over the host-staged MPI path (Note [Two communicators]) and, when it can run, NCCL. The
// "other rank" mirrors this one (identical gradients), so the average is this rank's gradient
// through the real packing, scaling and unpacking.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "comm/communicator.h"
#include "gpu_test_util.h"
#include "train/gradient_reducer.h"
#include "train/mask_set.h"
#if defined(TOPIARY_HAVE_NCCL)
#include "comm/cuda_staged_communicator.h"
#endif

namespace topiary::train {
namespace {

#if defined(TOPIARY_HAVE_NCCL)

// Rank 0 of two ranks with identical host data: a sum doubles, min/max keep, gathers repeat.
class MirrorCommunicator final : public comm::Communicator {
 public:
  int rank() const override { return 0; }
  int world_size() const override { return 2; }
  void all_reduce(void* data, int64_t count, comm::DataType type, comm::ReduceOp op,
                  const char*) override {
    if (op != comm::ReduceOp::kSum) return;
    if (type == comm::DataType::kFloat32) {
      for (int64_t i = 0; i < count; ++i) static_cast<float*>(data)[i] *= 2;
    } else if (type == comm::DataType::kUInt8) {
      for (int64_t i = 0; i < count; ++i) static_cast<uint8_t*>(data)[i] *= 2;
    }
  }
  void broadcast(void*, int64_t, comm::DataType, int, const char*) override {}
  void all_gather(const void* send, void* recv, int64_t count, comm::DataType type,
                  const char*) override {
    const size_t bytes = static_cast<size_t>(count) * comm::element_size(type);
    std::memcpy(recv, send, bytes);
    std::memcpy(static_cast<char*>(recv) + bytes, send, bytes);
  }
  void barrier(const char*) override {}
  [[noreturn]] void abort(int code, const std::string& why) override {
    ADD_FAILURE() << why;
    std::_Exit(code);
  }
  std::string name() const override { return "mirror"; }
};

using Parameters = std::vector<std::pair<std::string, torch::Tensor>>;

// An embedding (rows touched sparsely), a masked matrix, a dense bias and one unused parameter.
Parameters make_parameters(const torch::Device& device) {
  torch::manual_seed(11);
  Parameters p = {{"embedding.weight", torch::randn({50, 8})},
                  {"fc.weight", torch::randn({16, 32})},
                  {"fc.bias", torch::randn({16})},
                  {"unused", torch::randn({4})}};
  for (auto& [name, t] : p) {
    t = t.to(device).set_requires_grad(true);
    if (name == "unused") continue;
    torch::Tensor grad = torch::randn(t.sizes()).to(device);
    if (name == "embedding.weight") {
      grad.index_fill_(0, torch::arange(10, 50, torch::TensorOptions().device(device)), 0.0);
    }
    t.mutable_grad() = grad;
  }
  return p;
}

void reduce_and_compare(comm::Communicator& cpu_comm, comm::Communicator& cuda_comm) {
  Parameters cpu = make_parameters(torch::kCPU);
  Parameters cuda = make_parameters(torch::kCUDA);
  MaskSet cpu_masks, cuda_masks;
  cpu_masks.add("fc.weight", cpu[1].second);
  cuda_masks.add("fc.weight", cuda[1].second);
  torch::manual_seed(3);
  const torch::Tensor keep = (torch::rand({16, 32}) > 0.5).to(torch::kFloat32);
  cpu_masks.at("fc.weight").copy_(keep);
  cuda_masks.at("fc.weight").copy_(keep.to(torch::kCUDA));
  ReducerOptions options;
  options.row_sparse = {"embedding.weight"};
  options.first_bucket_bytes = 256;  // several buckets
  GradientReducer on_cpu(cpu, cpu_comm, options);
  GradientReducer on_cuda(cuda, cuda_comm, options);
  on_cpu.set_masks(cpu_masks);
  on_cuda.set_masks(cuda_masks);
  for (bool all_dense : {false, true}) {
    SCOPED_TRACE(all_dense ? "dense step" : "compact step");
    on_cpu.reduce(all_dense);
    on_cuda.reduce(all_dense);
    for (size_t i = 0; i < cpu.size(); ++i) {
      const torch::Tensor a = cpu[i].second.grad();
      const torch::Tensor b = cuda[i].second.grad().cpu();
      EXPECT_TRUE(torch::equal(a, b))
          << cpu[i].first << " differs, max " << gpu_test::max_abs_diff(a, b);
    }
  }
}

TEST(CudaGradientReducer, StagedPathEqualsCpuForDenseCompactAndRows) {
  TOPIARY_REQUIRE_CUDA();
  MirrorCommunicator host;
  auto staged = comm::make_cuda_staged_communicator(host);
  reduce_and_compare(host, *staged);
}

#else

TEST(CudaGradientReducer, BuiltWithoutCuda) {
  GTEST_SKIP() << "built without the CUDA runtime (TOPIARY_HAVE_NCCL is off)";
}

#endif

}  // namespace
}  // namespace topiary::train
