#include "comm/communicator.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "core/error.h"

namespace topiary::comm {

size_t element_size(DataType type) {
  switch (type) {
    case DataType::kFloat32:
    case DataType::kInt32:
      return 4;
    case DataType::kFloat64:
    case DataType::kInt64:
    case DataType::kUInt64:
      return 8;
    case DataType::kUInt8:
      return 1;
    case DataType::kBFloat16:
    case DataType::kFloat16:
      return 2;
  }
  return 1;
}

namespace {

class CompletedCollective final : public PendingCollective {
 public:
  bool test() override { return true; }
  void wait() override {}
};

}  // namespace

std::unique_ptr<PendingCollective> Communicator::start_all_reduce(void* data, int64_t count,
                                                                  DataType type, ReduceOp op,
                                                                  const char* what) {
  all_reduce(data, count, type, op, what);
  return std::make_unique<CompletedCollective>();
}

namespace {

class LoopbackCommunicator final : public Communicator {
 public:
  int rank() const override { return 0; }
  int world_size() const override { return 1; }
  void all_reduce(void*, int64_t, DataType, ReduceOp, const char*) override {}
  void broadcast(void*, int64_t, DataType, int, const char*) override {}
  void all_gather(const void* send, void* recv, int64_t count, DataType type,
                  const char*) override {
    if (send != recv) std::memcpy(recv, send, static_cast<size_t>(count) * element_size(type));
  }
  void barrier(const char*) override {}
  [[noreturn]] void abort(int exit_code, const std::string& why) override {
    std::fprintf(stderr, "topiary: aborting: %s\n", why.c_str());
    std::fflush(stderr);
    std::_Exit(exit_code);
  }
  std::string name() const override { return "loopback"; }
};

}  // namespace

std::unique_ptr<Communicator> make_loopback_communicator() {
  return std::make_unique<LoopbackCommunicator>();
}

std::optional<std::chrono::milliseconds> collective_timeout_from_environment() {
  const char* text = std::getenv("TOPIARY_COLLECTIVE_TIMEOUT");
  if (text == nullptr) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const double seconds = std::strtod(text, &end);
  if (end == text || *end != '\0' || errno == ERANGE || !std::isfinite(seconds) || seconds <= 0) {
    throw UserError(std::string("TOPIARY_COLLECTIVE_TIMEOUT: expected a positive number of "
                                "seconds, found '") +
                    text + "'");
  }
  return std::chrono::milliseconds(static_cast<int64_t>(std::max(0.001, seconds) * 1000.0));
}

}  // namespace topiary::comm
