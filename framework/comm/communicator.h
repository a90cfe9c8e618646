#pragma once
// Collectives over raw memory, behind one interface with three transports:
// MPI (CPU memory), NCCL (CUDA memory) and loopback (world size 1).
//
// Contract (see DESIGN.md "Pitfalls" 1 and 6): every rank issues the same collectives in the
// same order with the same counts; no collective inside a rank-dependent branch. Every wait has
// a deadline: a collective that does not complete in time aborts the whole job with a message
// naming the collective, never a silent hang.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace topiary::comm {

// kBFloat16 and kFloat16 (2-byte floats, stored as uint16_t bits) support ReduceOp::kSum only:
// compressed gradient exchange (training.comm_dtype).
enum class DataType { kFloat32, kFloat64, kInt32, kInt64, kUInt64, kUInt8, kBFloat16, kFloat16 };
enum class ReduceOp { kSum, kMin, kMax };

size_t element_size(DataType type);

// A collective in flight (Communicator::start_all_reduce). Its buffer must stay alive and
// untouched until wait() returns.
class PendingCollective {
 public:
  virtual ~PendingCollective() = default;
  // Advances it without blocking; true once it is complete.
  virtual bool test() = 0;
  // Returns when it is complete, under the communicator's deadline.
  virtual void wait() = 0;
};

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int world_size() const = 0;
  // In place. `what` names the collective in timeout and error messages.
  virtual void all_reduce(void* data, int64_t count, DataType type, ReduceOp op,
                          const char* what) = 0;
  // The same all-reduce, started without waiting for it (gradient buckets launched during the
  // backward pass). Every rank starts the same collectives in the same order, as for the
  // blocking calls; `what` must outlive the result. The default runs all_reduce at once, so a
  // transport without a nonblocking form is still correct, only not overlapped.
  virtual std::unique_ptr<PendingCollective> start_all_reduce(void* data, int64_t count,
                                                              DataType type, ReduceOp op,
                                                              const char* what);
  virtual void broadcast(void* data, int64_t count, DataType type, int root, const char* what) = 0;
  // recv holds world_size() * count elements, rank r's block at offset r * count.
  virtual void all_gather(const void* send, void* recv, int64_t count, DataType type,
                          const char* what) = 0;
  virtual void barrier(const char* what) = 0;
  // Ends every rank of the job (MPI_Abort / ncclCommAbort), after printing `why`.
  [[noreturn]] virtual void abort(int exit_code, const std::string& why) = 0;
  virtual std::string name() const = 0;
};

// TOPIARY_COLLECTIVE_TIMEOUT, the deadline of every collective of every transport: a positive
// number of seconds (fractions allowed), nullopt when unset, a UserError otherwise (a typo must
// not silently become a deadline of a millisecond that ends the job at its first collective).
std::optional<std::chrono::milliseconds> collective_timeout_from_environment();

// World size 1: collectives are identities; used by unit tests and single-process runs.
std::unique_ptr<Communicator> make_loopback_communicator();

}  // namespace topiary::comm
