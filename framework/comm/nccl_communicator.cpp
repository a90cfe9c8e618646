#include "comm/nccl_communicator.h"

#include <cuda_runtime.h>
#include <nccl.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "core/error.h"

namespace topiary::comm {
namespace {

ncclDataType_t to_nccl(DataType type) {
  switch (type) {
    case DataType::kFloat32:
      return ncclFloat32;
    case DataType::kFloat64:
      return ncclFloat64;
    case DataType::kInt32:
      return ncclInt32;
    case DataType::kInt64:
      return ncclInt64;
    case DataType::kUInt64:
      return ncclUint64;
    case DataType::kUInt8:
      return ncclUint8;
    case DataType::kBFloat16:
      return ncclBfloat16;
    case DataType::kFloat16:
      return ncclFloat16;
  }
  return ncclUint8;
}

ncclRedOp_t to_nccl(ReduceOp op) {
  switch (op) {
    case ReduceOp::kSum:
      return ncclSum;
    case ReduceOp::kMin:
      return ncclMin;
    case ReduceOp::kMax:
      return ncclMax;
  }
  return ncclSum;
}

class NcclCommunicator final : public Communicator {
 public:
  NcclCommunicator(Communicator& bootstrap, int local_rank, const NcclOptions& options)
      : bootstrap_(bootstrap), options_(options) {
    rank_ = bootstrap.rank();
    world_size_ = bootstrap.world_size();
    int devices = 0;
    check_cuda(cudaGetDeviceCount(&devices), "cudaGetDeviceCount", "init");
    if (devices == 0) bootstrap_.abort(1, "NCCL communicator: no CUDA device visible");
    device_ = local_rank % devices;
    check_cuda(cudaSetDevice(device_), "cudaSetDevice", "init");
    ncclUniqueId id;
    if (rank_ == 0) check_nccl(ncclGetUniqueId(&id), "ncclGetUniqueId", "init");
    bootstrap_.broadcast(&id, sizeof(id), DataType::kUInt8, 0, "nccl unique id");
    check_cuda(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "cudaStreamCreate",
               "init");
    ncclConfig_t config = NCCL_CONFIG_INITIALIZER;
    config.blocking = 0;  // non-blocking init so that the deadline also covers start-up
    check_nccl(ncclCommInitRankConfig(&comm_, world_size_, id, rank_, &config),
               "ncclCommInitRankConfig", "init");
    wait_comm_ready("init");
    producer_ = static_cast<cudaStream_t>(options_.producer_stream);
    watchdog_ = std::thread([this] { watch(); });
  }

  ~NcclCommunicator() override {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      idle_.wait(lock, [this] { return pending_.empty(); });  // the watchdog enforces deadlines
      stopping_ = true;
    }
    wake_.notify_all();
    watchdog_.join();
    if (comm_ != nullptr) ncclCommDestroy(comm_);
    if (stream_ != nullptr) cudaStreamDestroy(stream_);
  }
  NcclCommunicator(const NcclCommunicator&) = delete;
  NcclCommunicator& operator=(const NcclCommunicator&) = delete;

  int rank() const override { return rank_; }
  int world_size() const override { return world_size_; }

  // Note [NCCL ordering].
  void all_reduce(void* data, int64_t count, DataType type, ReduceOp op,
                  const char* what) override {
    if (count > 0) require_device_memory(data, what);
    wait_for_producer(what);
    check_nccl(ncclAllReduce(data, data, static_cast<size_t>(count), to_nccl(type), to_nccl(op),
                             comm_, stream_),
               "ncclAllReduce", what);
    cudaEvent_t done = make_event(what);
    check_cuda(cudaEventRecord(done, stream_), "cudaEventRecord", what);
    check_cuda(cudaStreamWaitEvent(producer_, done, 0), "cudaStreamWaitEvent", what);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      pending_.push_back({done, what, std::chrono::steady_clock::now() + options_.timeout});
    }
    wake_.notify_all();
  }

  void broadcast(void* data, int64_t count, DataType type, int root, const char* what) override {
    if (count > 0) require_device_memory(data, what);
    wait_for_producer(what);
    check_nccl(
        ncclBroadcast(data, data, static_cast<size_t>(count), to_nccl(type), root, comm_, stream_),
        "ncclBroadcast", what);
    wait_stream(what);
  }

  void all_gather(const void* send, void* recv, int64_t count, DataType type,
                  const char* what) override {
    if (count > 0) {
      require_device_memory(send, what);
      require_device_memory(recv, what);
    }
    wait_for_producer(what);
    check_nccl(ncclAllGather(send, recv, static_cast<size_t>(count), to_nccl(type), comm_, stream_),
               "ncclAllGather", what);
    wait_stream(what);
  }

  void barrier(const char* what) override {
    // A one-element all-reduce orders every rank, like a barrier, on the NCCL stream.
    void* scratch = nullptr;
    check_cuda(cudaMallocAsync(&scratch, 4, stream_), "cudaMallocAsync", what);
    check_cuda(cudaMemsetAsync(scratch, 0, 4, stream_), "cudaMemsetAsync", what);
    all_reduce(scratch, 1, DataType::kFloat32, ReduceOp::kSum, what);
    check_cuda(cudaFreeAsync(scratch, stream_), "cudaFreeAsync", what);
  }

  [[noreturn]] void abort(int exit_code, const std::string& why) override {
    std::fprintf(stderr, "topiary: rank %d (%s, GPU %d): aborting job: %s\n", rank_,
                 host_name().c_str(), device_, why.c_str());
    std::fflush(stderr);
    if (comm_ != nullptr) {
      ncclCommAbort(comm_);
      comm_ = nullptr;
    }
    bootstrap_.abort(exit_code, why);
    std::_Exit(exit_code);  // not reached; the bootstrap's abort does not return
  }

  std::string name() const override { return "nccl"; }

 private:
  struct Pending {
    cudaEvent_t done;
    std::string what;
    std::chrono::steady_clock::time_point deadline;
  };

  cudaEvent_t make_event(const char* what) {
    cudaEvent_t event = nullptr;
    check_cuda(cudaEventCreateWithFlags(&event, cudaEventDisableTiming), "cudaEventCreate", what);
    return event;
  }

  // NCCL may accept host memory on systems where the GPU can address it, and then runs far
  // slower than expected, or fault later; Topiary never means to pass it, so it is refused here.
  void require_device_memory(const void* pointer, const char* what) {
    cudaPointerAttributes attributes{};
    const cudaError_t code = cudaPointerGetAttributes(&attributes, pointer);
    if (code != cudaSuccess) cudaGetLastError();  // clear the error an unknown pointer leaves
    if (code != cudaSuccess ||
        (attributes.type != cudaMemoryTypeDevice && attributes.type != cudaMemoryTypeManaged)) {
      abort(1, std::string("NCCL collective '") + what +
                   "' was given host memory; NCCL carries CUDA tensors only (host values go "
                   "over the MPI communicator)");
    }
  }

  // NCCL's stream waits (on the GPU) for what the producer stream queued so far.
  void wait_for_producer(const char* what) {
    cudaEvent_t ready = make_event(what);
    check_cuda(cudaEventRecord(ready, producer_), "cudaEventRecord", what);
    check_cuda(cudaStreamWaitEvent(stream_, ready, 0), "cudaStreamWaitEvent", what);
    check_cuda(cudaEventDestroy(ready), "cudaEventDestroy", what);  // freed once it completes
  }

  // The watchdog of Note [NCCL ordering]: collectives complete in order on one stream, so only
  // the oldest pending one needs polling.
  void watch() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (true) {
      wake_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
      if (pending_.empty()) return;  // stopping, nothing left
      Pending& oldest = pending_.front();
      const cudaError_t state = cudaEventQuery(oldest.done);
      if (state == cudaSuccess) {
        cudaEventDestroy(oldest.done);
        pending_.pop_front();
        if (pending_.empty()) idle_.notify_all();
        continue;
      }
      ncclResult_t async = ncclSuccess;
      ncclCommGetAsyncError(comm_, &async);
      std::string failure;
      if (state != cudaErrorNotReady) {
        failure = std::string("CUDA error: ") + cudaGetErrorString(state);
      } else if (async != ncclSuccess && async != ncclInProgress) {
        failure = std::string("NCCL error: ") + ncclGetErrorString(async);
      } else if (std::chrono::steady_clock::now() > oldest.deadline) {
        failure = "did not complete within the deadline (TOPIARY_COLLECTIVE_TIMEOUT)";
      }
      if (!failure.empty()) {
        // Not abort(): MPI may only be called from the main thread (MPI_THREAD_FUNNELED). Ending
        // the process makes the launcher stop the other ranks.
        std::fprintf(stderr, "topiary: rank %d (%s, GPU %d): NCCL collective '%s' %s; aborting\n",
                     rank_, host_name().c_str(), device_, oldest.what.c_str(), failure.c_str());
        std::fflush(stderr);
        ncclCommAbort(comm_);
        std::_Exit(1);
      }
      lock.unlock();
      std::this_thread::sleep_for(std::chrono::microseconds(50));
      lock.lock();
    }
  }

  void check_cuda(cudaError_t code, const char* call, const char* what) {
    if (code == cudaSuccess) return;
    abort(1, std::string(call) + " failed in '" + what + "': " + cudaGetErrorString(code));
  }

  void check_nccl(ncclResult_t code, const char* call, const char* what) {
    if (code == ncclSuccess || code == ncclInProgress) return;
    abort(1, std::string(call) + " failed in '" + what + "': " + ncclGetErrorString(code));
  }

  // Polls NCCL's async state and the stream with a deadline (nccl-tests style). The comm is
  // non-blocking, so an enqueue may still be in progress before the stream holds the kernel.
  void wait_stream(const char* what) {
    const auto deadline = std::chrono::steady_clock::now() + options_.timeout;
    while (true) {
      ncclResult_t async = ncclSuccess;
      check_nccl(ncclCommGetAsyncError(comm_, &async), "ncclCommGetAsyncError", what);
      if (async != ncclInProgress) {
        check_nccl(async, "NCCL async error", what);
        const cudaError_t state = cudaStreamQuery(stream_);
        if (state == cudaSuccess) return;
        if (state != cudaErrorNotReady) check_cuda(state, "cudaStreamQuery", what);
      }
      if (std::chrono::steady_clock::now() > deadline) {
        abort(1,
              std::string("NCCL collective '") + what + "' did not complete within the deadline");
      }
      std::this_thread::sleep_for(std::chrono::microseconds(20));
    }
  }

  void wait_comm_ready(const char* what) {
    const auto deadline = std::chrono::steady_clock::now() + options_.timeout;
    while (true) {
      ncclResult_t async = ncclSuccess;
      ncclCommGetAsyncError(comm_, &async);
      if (async == ncclSuccess) return;
      if (async != ncclInProgress) check_nccl(async, "ncclCommInitRankConfig", what);
      if (std::chrono::steady_clock::now() > deadline) {
        abort(1, "NCCL communicator creation did not complete within the deadline");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  Communicator& bootstrap_;
  NcclOptions options_;
  int rank_ = 0;
  int world_size_ = 1;
  int device_ = 0;
  cudaStream_t stream_ = nullptr;
  cudaStream_t producer_ = nullptr;
  ncclComm_t comm_ = nullptr;
  std::mutex mutex_;
  std::condition_variable wake_;  // a collective was queued, or the communicator is closing
  std::condition_variable idle_;  // nothing pending
  std::deque<Pending> pending_;
  bool stopping_ = false;
  std::thread watchdog_;
};

}  // namespace

std::unique_ptr<Communicator> make_nccl_communicator(Communicator& bootstrap, int local_rank,
                                                     const NcclOptions& options) {
  return std::make_unique<NcclCommunicator>(bootstrap, local_rank, options);
}

bool nccl_available() {
  int devices = 0;
  return cudaGetDeviceCount(&devices) == cudaSuccess && devices > 0;
}

}  // namespace topiary::comm
