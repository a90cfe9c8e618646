#include "comm/mpi_communicator.h"

#include <mpi.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "comm/half_float.h"
#include "comm/liveness_watch.h"
#include "core/error.h"

namespace topiary::comm {
namespace {

void check_mpi(int code, const char* call, const char* what) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  int rank = -1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  std::fprintf(stderr, "topiary: rank %d (%s): %s failed in collective '%s': %s\n", rank,
               host_name().c_str(), call, what, text);
  std::fflush(stderr);
  MPI_Abort(MPI_COMM_WORLD, 1);
  std::_Exit(1);
}

// MPI has no 16-bit float type: two bytes, summed by user operations in float32 with one
// rounding per addition (comm/half_float.h). Created once, after MPI_Init.
struct HalfTypes {
  MPI_Datatype type = MPI_DATATYPE_NULL;
  MPI_Op bfloat16_sum = MPI_OP_NULL;
  MPI_Op float16_sum = MPI_OP_NULL;
};

void sum_bfloat16(void* in, void* inout, int* count, MPI_Datatype* /*type*/) {
  add_bfloat16(static_cast<const uint16_t*>(in), static_cast<uint16_t*>(inout), *count);
}

void sum_float16(void* in, void* inout, int* count, MPI_Datatype* /*type*/) {
  add_float16(static_cast<const uint16_t*>(in), static_cast<uint16_t*>(inout), *count);
}

const HalfTypes& half_types() {
  static const HalfTypes types = [] {
    HalfTypes t;
    check_mpi(MPI_Type_contiguous(2, MPI_BYTE, &t.type), "MPI_Type_contiguous", "16-bit floats");
    check_mpi(MPI_Type_commit(&t.type), "MPI_Type_commit", "16-bit floats");
    check_mpi(MPI_Op_create(sum_bfloat16, /*commute=*/1, &t.bfloat16_sum), "MPI_Op_create",
              "bfloat16 sum");
    check_mpi(MPI_Op_create(sum_float16, /*commute=*/1, &t.float16_sum), "MPI_Op_create",
              "float16 sum");
    return t;
  }();
  return types;
}

MPI_Datatype to_mpi(DataType type) {
  switch (type) {
    case DataType::kFloat32:
      return MPI_FLOAT;
    case DataType::kFloat64:
      return MPI_DOUBLE;
    case DataType::kInt32:
      return MPI_INT32_T;
    case DataType::kInt64:
      return MPI_INT64_T;
    case DataType::kUInt64:
      return MPI_UINT64_T;
    case DataType::kUInt8:
      return MPI_UINT8_T;
    case DataType::kBFloat16:
    case DataType::kFloat16:
      return half_types().type;
  }
  return MPI_BYTE;
}

MPI_Op to_mpi(DataType type, ReduceOp op) {
  if (type == DataType::kBFloat16 || type == DataType::kFloat16) {
    TOPIARY_ASSERT(op == ReduceOp::kSum, "16-bit float all-reduce supports sum only");
    return type == DataType::kBFloat16 ? half_types().bfloat16_sum : half_types().float16_sum;
  }
  switch (op) {
    case ReduceOp::kSum:
      return MPI_SUM;
    case ReduceOp::kMin:
      return MPI_MIN;
    case ReduceOp::kMax:
      return MPI_MAX;
  }
  return MPI_SUM;
}

void ensure_mpi_initialized() {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (initialized) return;
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  // Errors come back as codes so that check_mpi can name the collective.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  std::atexit([] {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Finalize();
  });
}

class MpiCommunicator final : public Communicator {
 public:
  explicit MpiCommunicator(const MpiOptions& options) : options_(options) {
    ensure_mpi_initialized();
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &world_size_);
    if (const auto timeout = collective_timeout_from_environment()) options_.timeout = *timeout;
    set_process_rank(rank_);
    // A private communicator for liveness probes (Note [Naming a lost rank]), and every rank's
    // host name for messages. Both are collectives: every rank constructs its communicators in
    // the same order.
    check_mpi(MPI_Comm_dup(MPI_COMM_WORLD, &probe_comm_), "MPI_Comm_dup", "communicator setup");
    MPI_Comm_set_errhandler(probe_comm_, MPI_ERRORS_RETURN);
    char mine[kHostChars] = {};
    std::snprintf(mine, sizeof(mine), "%s", host_name().c_str());
    hosts_.resize(static_cast<size_t>(world_size_) * kHostChars);
    MPI_Request request;
    check_mpi(MPI_Iallgather(mine, kHostChars, MPI_CHAR, hosts_.data(), kHostChars, MPI_CHAR,
                             probe_comm_, &request),
              "MPI_Iallgather", "host names");
    wait(request, "host names");
    std::vector<std::string> hosts(static_cast<size_t>(world_size_));
    for (int r = 0; r < world_size_; ++r) hosts[static_cast<size_t>(r)] = host_of(r);
    start_liveness_watch(rank_, world_size_, hosts, [this](void* data, int bytes) {
      MPI_Request bcast;
      check_mpi(MPI_Ibcast(data, bytes, MPI_BYTE, 0, probe_comm_, &bcast), "MPI_Ibcast",
                "liveness endpoint");
      wait(bcast, "liveness endpoint");
    });
  }

  ~MpiCommunicator() override {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized && probe_comm_ != MPI_COMM_NULL) MPI_Comm_free(&probe_comm_);
  }

  int rank() const override { return rank_; }
  int world_size() const override { return world_size_; }

  void all_reduce(void* data, int64_t count, DataType type, ReduceOp op,
                  const char* what) override {
    start_all_reduce(data, count, type, op, what)->wait();
  }

  // all_reduce is this and a wait, so a started all-reduce gives the same bits.
  std::unique_ptr<PendingCollective> start_all_reduce(void* data, int64_t count, DataType type,
                                                      ReduceOp op, const char* what) override {
    auto pending = std::make_unique<MpiPending>(*this, what);
    auto* bytes = static_cast<char*>(data);
    const size_t width = element_size(type);
    for (int64_t done = 0; done < count; done += options_.max_chunk_elements) {
      const int n = static_cast<int>(std::min(options_.max_chunk_elements, count - done));
      MPI_Request request;
      check_mpi(MPI_Iallreduce(MPI_IN_PLACE, bytes + done * width, n, to_mpi(type),
                               to_mpi(type, op), MPI_COMM_WORLD, &request),
                "MPI_Iallreduce", what);
      pending->requests.push_back(request);
    }
    return pending;
  }

  void broadcast(void* data, int64_t count, DataType type, int root, const char* what) override {
    auto* bytes = static_cast<char*>(data);
    const size_t width = element_size(type);
    for (int64_t done = 0; done < count; done += options_.max_chunk_elements) {
      const int n = static_cast<int>(std::min(options_.max_chunk_elements, count - done));
      MPI_Request request;
      check_mpi(MPI_Ibcast(bytes + done * width, n, to_mpi(type), root, MPI_COMM_WORLD, &request),
                "MPI_Ibcast", what);
      wait(request, what);
    }
  }

  void all_gather(const void* send, void* recv, int64_t count, DataType type,
                  const char* what) override {
    // Chunked per block so that no count passed to MPI exceeds the limit.
    const size_t width = element_size(type);
    const auto* in = static_cast<const char*>(send);
    auto* out = static_cast<char*>(recv);
    for (int64_t done = 0; done < count; done += options_.max_chunk_elements) {
      const int64_t n = std::min(options_.max_chunk_elements, count - done);
      // Receive rank r's chunk into out[r * count + done], expressed with a strided type.
      MPI_Datatype one_block;
      MPI_Type_contiguous(static_cast<int>(n), to_mpi(type), &one_block);
      MPI_Datatype strided;
      MPI_Type_create_resized(one_block, 0, static_cast<MPI_Aint>(count * width), &strided);
      MPI_Type_commit(&strided);
      MPI_Request request;
      check_mpi(MPI_Iallgather(in + done * width, static_cast<int>(n), to_mpi(type),
                               out + done * width, 1, strided, MPI_COMM_WORLD, &request),
                "MPI_Iallgather", what);
      wait(request, what);
      MPI_Type_free(&strided);
      MPI_Type_free(&one_block);
    }
  }

  void barrier(const char* what) override {
    MPI_Request request;
    check_mpi(MPI_Ibarrier(MPI_COMM_WORLD, &request), "MPI_Ibarrier", what);
    wait(request, what);
  }

  [[noreturn]] void abort(int exit_code, const std::string& why) override {
    std::fprintf(stderr, "topiary: rank %d (%s): aborting job: %s\n", rank_, host_name().c_str(),
                 why.c_str());
    std::fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, exit_code);
    std::_Exit(exit_code);
  }

  std::string name() const override { return "mpi"; }

 private:
  struct MpiPending final : PendingCollective {
    MpiPending(MpiCommunicator& owner, const char* name) : comm(owner), what(name) {}
    bool test() override {
      for (MPI_Request& request : requests) {
        if (request == MPI_REQUEST_NULL) continue;
        int done = 0;
        check_mpi(MPI_Test(&request, &done, MPI_STATUS_IGNORE), "MPI_Test", what);
        if (!done) return false;
      }
      return true;
    }
    void wait() override {
      for (MPI_Request& request : requests) {
        if (request != MPI_REQUEST_NULL) comm.wait(request, what);
      }
    }
    MpiCommunicator& comm;
    const char* what;
    std::vector<MPI_Request> requests;
  };

  // Polls instead of blocking so that a lost peer becomes an abort with a message.
  void wait(MPI_Request& request, const char* what) {
    const auto start = std::chrono::steady_clock::now();
    const auto deadline = start + options_.timeout;
    // A nonblocking collective advances only inside MPI calls: sleeping between tests stretches
    // every round of a large all-reduce's schedule. Test back to back for the first 100 ms (a
    // training step's exchange), then sleep between tests so that a long wait for a slow rank
    // does not burn a core.
    const auto busy_until = start + std::chrono::milliseconds(100);
    int done = 0;
    int spins = 0;
    while (true) {
      check_mpi(MPI_Test(&request, &done, MPI_STATUS_IGNORE), "MPI_Test", what);
      if (done) return;
      if (++spins > 1000 && std::chrono::steady_clock::now() > busy_until) {
        std::this_thread::sleep_for(std::chrono::microseconds(50));
        if (spins % 64 == 0) answer_probes(what);
      }
      if (std::chrono::steady_clock::now() > deadline) {
        abort(1, std::string("collective '") + what + "' did not complete within " +
                     seconds(options_.timeout) + " s; " + find_lost_ranks(what));
      }
    }
  }

  // Note [Naming a lost rank]: a rank whose collective misses its deadline asks every other
  // rank, point to point on probe_comm_, whether it is alive. A rank waiting in any collective
  // answers within milliseconds (wait() calls answer_probes), so ranks that do not answer within
  // the probe window are the ones that died or hang, and the abort message names them.
  void answer_probes(const char* what) {
    while (true) {
      int pending = 0;
      MPI_Status status;
      check_mpi(MPI_Iprobe(MPI_ANY_SOURCE, kPingTag, probe_comm_, &pending, &status), "MPI_Iprobe",
                what);
      if (!pending) return;
      int32_t ping = 0;
      check_mpi(MPI_Recv(&ping, 1, MPI_INT32_T, status.MPI_SOURCE, kPingTag, probe_comm_,
                         MPI_STATUS_IGNORE),
                "MPI_Recv", what);
      MPI_Request reply;
      check_mpi(MPI_Isend(&kPong, 1, MPI_INT32_T, status.MPI_SOURCE, kPongTag, probe_comm_, &reply),
                "MPI_Isend", what);
      MPI_Request_free(&reply);
    }
  }

  std::string find_lost_ranks(const char* what) {
    const int others = world_size_ - 1;
    if (others == 0) return "no other rank";
    std::vector<MPI_Request> sends, receives;
    std::vector<int> peers;
    std::vector<int32_t> pongs(static_cast<size_t>(world_size_), 0);
    for (int r = 0; r < world_size_; ++r) {
      if (r == rank_) continue;
      MPI_Request send, receive;
      MPI_Isend(&kPing, 1, MPI_INT32_T, r, kPingTag, probe_comm_, &send);
      MPI_Irecv(&pongs[static_cast<size_t>(r)], 1, MPI_INT32_T, r, kPongTag, probe_comm_, &receive);
      sends.push_back(send);
      receives.push_back(receive);
      peers.push_back(r);
    }
    const auto window =
        std::min<std::chrono::milliseconds>(options_.timeout, std::chrono::seconds(5));
    const auto until = std::chrono::steady_clock::now() + window;
    std::vector<bool> answered(peers.size(), false);
    size_t answers = 0;
    while (answers < peers.size() && std::chrono::steady_clock::now() < until) {
      for (size_t i = 0; i < peers.size(); ++i) {
        if (answered[i]) continue;
        int done = 0;
        if (MPI_Test(&receives[i], &done, MPI_STATUS_IGNORE) != MPI_SUCCESS) done = 0;
        if (done) {
          answered[i] = true;
          ++answers;
        }
      }
      answer_probes(what);
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    std::string lost;
    for (size_t i = 0; i < peers.size(); ++i) {
      if (answered[i]) continue;
      lost += (lost.empty() ? "" : ", ") + std::string("rank ") + std::to_string(peers[i]) + " (" +
              host_of(peers[i]) + ")";
    }
    // The requests of silent peers are left pending: the job is about to abort.
    if (lost.empty()) return "every other rank answers, so one of them is outside this collective";
    return "lost rank(s) that died or hang: " + lost;
  }

  std::string host_of(int rank) const {
    if (hosts_.empty()) return "?";
    const char* name = hosts_.data() + static_cast<size_t>(rank) * kHostChars;
    return std::string(name, strnlen(name, kHostChars));
  }

  static std::string seconds(std::chrono::milliseconds duration) {
    char text[32];
    std::snprintf(text, sizeof(text), "%g", static_cast<double>(duration.count()) / 1000.0);
    return text;
  }

  static constexpr int kHostChars = 64;
  static constexpr int kPingTag = 7001;
  static constexpr int kPongTag = 7002;
  static constexpr int32_t kPing = 1;
  static constexpr int32_t kPong = 2;

  MPI_Comm probe_comm_ = MPI_COMM_NULL;
  std::vector<char> hosts_;
  MpiOptions options_;
  int rank_ = 0;
  int world_size_ = 1;
};

}  // namespace

std::unique_ptr<Communicator> make_mpi_communicator(const MpiOptions& options) {
  return std::make_unique<MpiCommunicator>(options);
}

int mpi_local_rank() {
  ensure_mpi_initialized();
  MPI_Comm local;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &local);
  int rank = 0;
  MPI_Comm_rank(local, &rank);
  MPI_Comm_free(&local);
  return rank;
}

}  // namespace topiary::comm
