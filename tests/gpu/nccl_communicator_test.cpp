// NCCL communicator with one rank per process (NCCL refuses two ranks on one GPU; multi-rank
// collectives stay covered by the MPI tests): all-reduce, broadcast and all-gather on CUDA
// tensors for every data type, and the deadline: a communicator whose peer never joins must end
// the process naming what timed out instead of hanging, and a bad buffer must abort naming the
// collective. The bootstrap is a world-size-1 loopback (or a fake world of 2 for the deadline).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "comm/communicator.h"
#include "gpu_test_util.h"
#if defined(TOPIARY_HAVE_NCCL)
#include "comm/nccl_communicator.h"
#endif

namespace topiary::comm {
namespace {

#if defined(TOPIARY_HAVE_NCCL)

#define TOPIARY_REQUIRE_NCCL() TOPIARY_REQUIRE_CUDA()

// Claims a world of 2 (this process is rank 0) so that NCCL waits for a peer that never comes.
// The unique id "broadcast" is a no-op; abort ends the process like the MPI communicator would.
class MissingPeerBootstrap final : public Communicator {
 public:
  int rank() const override { return 0; }
  int world_size() const override { return 2; }
  void all_reduce(void*, int64_t, DataType, ReduceOp, const char*) override {}
  void broadcast(void*, int64_t, DataType, int, const char*) override {}
  void all_gather(const void*, void*, int64_t, DataType, const char*) override {}
  void barrier(const char*) override {}
  [[noreturn]] void abort(int exit_code, const std::string& why) override {
    std::fprintf(stderr, "bootstrap abort: %s\n", why.c_str());
    std::fflush(stderr);
    std::_Exit(exit_code);
  }
  std::string name() const override { return "missing-peer"; }
};

// In a death test's child: if ncclCommAbort itself hung, end with a distinct code (3) so the
// test fails with a reason instead of running into ctest's timeout.
void start_watchdog() {
  std::thread([] {
    std::this_thread::sleep_for(std::chrono::seconds(60));
    std::fprintf(stderr, "watchdog: abort path did not finish within 60 s\n");
    std::_Exit(3);
  }).detach();
}

struct TypeCase {
  DataType type;
  torch::Dtype dtype;
  const char* name;
};

const std::vector<TypeCase>& type_cases() {
  static const std::vector<TypeCase> cases = {{DataType::kFloat32, torch::kFloat32, "float32"},
                                              {DataType::kFloat64, torch::kFloat64, "float64"},
                                              {DataType::kInt32, torch::kInt32, "int32"},
                                              {DataType::kInt64, torch::kInt64, "int64"},
                                              {DataType::kUInt8, torch::kUInt8, "uint8"}};
  return cases;
}

// Deterministic values that are exact in every type (0..49).
torch::Tensor values(int64_t n, torch::Dtype dtype) {
  return (torch::arange(n, torch::kInt64) * 3 % 50).to(dtype);
}

TEST(NcclCommunicator, SingleRankCollectivesOnCudaTensors) {
  TOPIARY_REQUIRE_NCCL();
  auto bootstrap = make_loopback_communicator();
  NcclOptions options;
  options.timeout = std::chrono::seconds(30);
  auto comm = make_nccl_communicator(*bootstrap, /*local_rank=*/0, options);
  EXPECT_EQ(comm->name(), "nccl");
  EXPECT_EQ(comm->rank(), 0);
  EXPECT_EQ(comm->world_size(), 1);
  for (const TypeCase& c : type_cases()) {
    for (int64_t n : {int64_t{0}, int64_t{1}, int64_t{7}, int64_t{1001}, int64_t{(1 << 20) + 3}}) {
      SCOPED_TRACE(std::string(c.name) + " n=" + std::to_string(n));
      const torch::Tensor expected = values(n, c.dtype);
      for (ReduceOp op : {ReduceOp::kSum, ReduceOp::kMin, ReduceOp::kMax}) {
        torch::Tensor data = expected.to(torch::kCUDA);
        comm->all_reduce(data.data_ptr(), n, c.type, op, "test all-reduce");
        EXPECT_TRUE(torch::equal(data.cpu(), expected));
      }
      torch::Tensor data = expected.to(torch::kCUDA);
      torch::cuda::synchronize();
      comm->broadcast(data.data_ptr(), n, c.type, /*root=*/0, "test broadcast");
      EXPECT_TRUE(torch::equal(data.cpu(), expected));
      torch::Tensor gathered =
          torch::zeros({n}, torch::TensorOptions(c.dtype).device(torch::kCUDA));
      torch::cuda::synchronize();
      comm->all_gather(data.data_ptr(), gathered.data_ptr(), n, c.type, "test all-gather");
      EXPECT_TRUE(torch::equal(gathered.cpu(), expected));
    }
  }
  comm->barrier("test barrier");
}

TEST(NcclCommunicator, CollectivesFinishWellWithinAShortDeadline) {
  TOPIARY_REQUIRE_NCCL();
  auto bootstrap = make_loopback_communicator();
  NcclOptions options;
  options.timeout = std::chrono::seconds(5);
  auto comm = make_nccl_communicator(*bootstrap, 0, options);
  torch::Tensor data = torch::ones({int64_t{1} << 22}, torch::TensorOptions().device(torch::kCUDA));
  torch::cuda::synchronize();
  // 100 collectives in a row: each one polls its own deadline; none may trip it.
  for (int i = 0; i < 100; ++i) {
    comm->all_reduce(data.data_ptr(), data.numel(), DataType::kFloat32, ReduceOp::kSum,
                     "repeated all-reduce");
  }
  EXPECT_EQ(data.sum().item<double>(), static_cast<double>(data.numel()));
}

TEST(NcclCommunicatorDeathTest, MissingPeerEndsTheProcessAtTheDeadline) {
  TOPIARY_REQUIRE_NCCL();
  GTEST_FLAG_SET(death_test_style, "threadsafe");  // re-exec: CUDA does not survive fork
  EXPECT_EXIT(
      {
        start_watchdog();
        MissingPeerBootstrap bootstrap;
        NcclOptions options;
        options.timeout = std::chrono::seconds(2);
        auto comm = make_nccl_communicator(bootstrap, 0, options);
      },
      testing::ExitedWithCode(1),
      "NCCL communicator creation did not complete within the deadline");
}

TEST(NcclCommunicatorDeathTest, HostPointerAbortsNamingTheCollective) {
  TOPIARY_REQUIRE_NCCL();
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        start_watchdog();
        auto bootstrap = make_loopback_communicator();
        NcclOptions options;
        options.timeout = std::chrono::seconds(10);
        auto comm = make_nccl_communicator(*bootstrap, 0, options);
        std::vector<float> host(1024, 1.0f);  // not CUDA memory: NCCL must refuse it
        comm->all_reduce(host.data(), 1024, DataType::kFloat32, ReduceOp::kSum,
                         "host-pointer all-reduce");
        std::fprintf(stderr, "all-reduce of host memory returned normally\n");
        std::_Exit(0);
      },
      testing::ExitedWithCode(1),
      "NCCL collective 'host-pointer all-reduce' was given host memory");
}

#else

TEST(NcclCommunicator, BuiltWithoutNccl) {
  GTEST_SKIP() << "built without the NCCL communicator (TOPIARY_HAVE_NCCL is off: CUDA toolkit "
                  "or NCCL not found at configure time)";
}

#endif

}  // namespace
}  // namespace topiary::comm
