#include "comm/cuda_staged_communicator.h"

#include <cuda_runtime.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace topiary::comm {
namespace {

class CudaStagedCommunicator final : public Communicator {
 public:
  explicit CudaStagedCommunicator(Communicator& host) : host_(host) {}
  ~CudaStagedCommunicator() override {
    for (Buffer& buffer : buffers_) {
      if (buffer.data != nullptr) cudaFreeHost(buffer.data);
    }
  }
  CudaStagedCommunicator(const CudaStagedCommunicator&) = delete;
  CudaStagedCommunicator& operator=(const CudaStagedCommunicator&) = delete;

  int rank() const override { return host_.rank(); }
  int world_size() const override { return host_.world_size(); }

  void all_reduce(void* data, int64_t count, DataType type, ReduceOp op,
                  const char* what) override {
    if (!on_device(data)) return host_.all_reduce(data, count, type, op, what);
    const size_t bytes = static_cast<size_t>(count) * element_size(type);
    void* staged = stage(0, bytes);
    copy(staged, data, bytes, cudaMemcpyDeviceToHost, what);
    host_.all_reduce(staged, count, type, op, what);
    copy(data, staged, bytes, cudaMemcpyHostToDevice, what);
  }

  void broadcast(void* data, int64_t count, DataType type, int root, const char* what) override {
    if (!on_device(data)) return host_.broadcast(data, count, type, root, what);
    const size_t bytes = static_cast<size_t>(count) * element_size(type);
    void* staged = stage(0, bytes);
    if (rank() == root) copy(staged, data, bytes, cudaMemcpyDeviceToHost, what);
    host_.broadcast(staged, count, type, root, what);
    if (rank() != root) copy(data, staged, bytes, cudaMemcpyHostToDevice, what);
  }

  void all_gather(const void* send, void* recv, int64_t count, DataType type,
                  const char* what) override {
    const bool send_on_device = on_device(send);
    const bool recv_on_device = on_device(recv);
    if (!send_on_device && !recv_on_device) return host_.all_gather(send, recv, count, type, what);
    const size_t bytes = static_cast<size_t>(count) * element_size(type);
    const void* host_send = send;
    if (send_on_device) {
      void* staged = stage(0, bytes);
      copy(staged, send, bytes, cudaMemcpyDeviceToHost, what);
      host_send = staged;
    }
    void* host_recv = recv_on_device ? stage(1, bytes * static_cast<size_t>(world_size())) : recv;
    host_.all_gather(host_send, host_recv, count, type, what);
    if (recv_on_device) {
      copy(recv, host_recv, bytes * static_cast<size_t>(world_size()), cudaMemcpyHostToDevice,
           what);
    }
  }

  void barrier(const char* what) override { host_.barrier(what); }

  [[noreturn]] void abort(int exit_code, const std::string& why) override {
    host_.abort(exit_code, why);
    std::_Exit(exit_code);  // not reached: the host communicator's abort does not return
  }

  std::string name() const override { return host_.name() + " (staged through host memory)"; }

 private:
  static bool on_device(const void* pointer) {
    cudaPointerAttributes attributes{};
    if (cudaPointerGetAttributes(&attributes, pointer) != cudaSuccess) {
      cudaGetLastError();  // an unregistered host pointer: clear the sticky error
      return false;
    }
    return attributes.type == cudaMemoryTypeDevice || attributes.type == cudaMemoryTypeManaged;
  }

  // Pinned staging buffers, kept between calls (the reducer sends the same buckets every step).
  void* stage(size_t which, size_t bytes) {
    Buffer& buffer = buffers_[which];
    if (buffer.bytes < bytes) {
      if (buffer.data != nullptr) cudaFreeHost(buffer.data);
      buffer.data = nullptr;
      buffer.bytes = 0;
      check(cudaMallocHost(&buffer.data, bytes), "cudaMallocHost", "staging buffer");
      buffer.bytes = bytes;
    }
    return buffer.data;
  }

  void copy(void* to, const void* from, size_t bytes, cudaMemcpyKind kind, const char* what) {
    check(cudaMemcpy(to, from, bytes, kind), "cudaMemcpy", what);
  }

  void check(cudaError_t code, const char* call, const char* what) {
    if (code == cudaSuccess) return;
    abort(1, std::string(call) + " failed in '" + what + "': " + cudaGetErrorString(code));
  }

  struct Buffer {
    void* data = nullptr;
    size_t bytes = 0;
  };

  Communicator& host_;
  Buffer buffers_[2];
};

}  // namespace

std::unique_ptr<Communicator> make_cuda_staged_communicator(Communicator& host) {
  return std::make_unique<CudaStagedCommunicator>(host);
}

}  // namespace topiary::comm
