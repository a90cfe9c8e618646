// All-reduce (sum, min, max), broadcast and all-gather of the MPI communicator, for every data
// type and for sizes 0, 1, odd sizes and a large one. Communicators with a 7-element chunk limit
// (small sizes) and a 4093-element limit (the large size) must give identical bytes: that is the
// path a >2^31-element transfer takes, made cheap. Run under mpirun with any number of ranks; any
// mismatch aborts every rank.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "comm/mpi_communicator.h"

namespace {

using topiary::comm::Communicator;
using topiary::comm::DataType;
using topiary::comm::ReduceOp;

int checks = 0;

void expect(Communicator& comm, bool ok, const std::string& what) {
  ++checks;
  if (!ok) comm.abort(1, "check failed: " + what);
}

// A value every rank can compute for any (rank, index), small enough that sums of uint8 over 4
// ranks do not wrap and floating sums are exact (so expected values are exact too).
template <typename T>
T value(int rank, int64_t i) {
  return static_cast<T>((rank * 7 + i * 3) % 50 + (i % 2 == 0 ? 1 : 0));
}

template <typename T>
void check_type(Communicator& comm, Communicator& tiny_chunks, Communicator& large_chunks,
                DataType type, const char* type_name) {
  const int rank = comm.rank();
  const int world = comm.world_size();
  for (int64_t n : {int64_t{0}, int64_t{1}, int64_t{7}, int64_t{1001}, int64_t{65537}}) {
    const std::string label = std::string(type_name) + " n=" + std::to_string(n);
    Communicator& chunked = n > 1001 ? large_chunks : tiny_chunks;
    for (ReduceOp op : {ReduceOp::kSum, ReduceOp::kMin, ReduceOp::kMax}) {
      std::vector<T> data(n), small(n), expected(n);
      for (int64_t i = 0; i < n; ++i) {
        data[i] = small[i] = value<T>(rank, i);
        T acc = value<T>(0, i);
        for (int r = 1; r < world; ++r) {
          const T v = value<T>(r, i);
          acc = op == ReduceOp::kSum   ? static_cast<T>(acc + v)
                : op == ReduceOp::kMin ? (v < acc ? v : acc)
                                       : (v > acc ? v : acc);
        }
        expected[i] = acc;
      }
      comm.all_reduce(data.data(), n, type, op, "test all-reduce");
      chunked.all_reduce(small.data(), n, type, op, "test chunked all-reduce");
      const std::string op_name = op == ReduceOp::kSum   ? "sum"
                                  : op == ReduceOp::kMin ? "min"
                                                         : "max";
      expect(comm, data == expected, "all-reduce " + op_name + " " + label);
      expect(comm, std::memcmp(data.data(), small.data(), n * sizeof(T)) == 0,
             "chunked all-reduce " + op_name + " " + label);
    }
    for (int root : {0, world - 1}) {
      std::vector<T> data(n), small(n);
      for (int64_t i = 0; i < n; ++i) data[i] = small[i] = value<T>(rank, i);
      comm.broadcast(data.data(), n, type, root, "test broadcast");
      chunked.broadcast(small.data(), n, type, root, "test chunked broadcast");
      bool ok = true;
      for (int64_t i = 0; i < n; ++i) ok = ok && data[i] == value<T>(root, i);
      expect(comm, ok, "broadcast root " + std::to_string(root) + " " + label);
      expect(comm, data == small, "chunked broadcast " + label);
    }
    {
      std::vector<T> mine(n), all(n * world), all_small(n * world);
      for (int64_t i = 0; i < n; ++i) mine[i] = value<T>(rank, i);
      comm.all_gather(mine.data(), all.data(), n, type, "test all-gather");
      chunked.all_gather(mine.data(), all_small.data(), n, type, "test chunked all-gather");
      bool ok = true;
      for (int r = 0; r < world; ++r) {
        for (int64_t i = 0; i < n; ++i) ok = ok && all[r * n + i] == value<T>(r, i);
      }
      expect(comm, ok, "all-gather " + label);
      expect(comm, all == all_small, "chunked all-gather " + label);
    }
  }
}

}  // namespace

int main() {
  auto comm = topiary::comm::make_mpi_communicator();
  topiary::comm::MpiOptions tiny;
  tiny.max_chunk_elements = 7;
  auto tiny_chunks = topiary::comm::make_mpi_communicator(tiny);
  topiary::comm::MpiOptions large;
  large.max_chunk_elements = 4093;
  auto large_chunks = topiary::comm::make_mpi_communicator(large);
  check_type<float>(*comm, *tiny_chunks, *large_chunks, DataType::kFloat32, "float32");
  check_type<double>(*comm, *tiny_chunks, *large_chunks, DataType::kFloat64, "float64");
  check_type<int32_t>(*comm, *tiny_chunks, *large_chunks, DataType::kInt32, "int32");
  check_type<int64_t>(*comm, *tiny_chunks, *large_chunks, DataType::kInt64, "int64");
  check_type<uint64_t>(*comm, *tiny_chunks, *large_chunks, DataType::kUInt64, "uint64");
  check_type<uint8_t>(*comm, *tiny_chunks, *large_chunks, DataType::kUInt8, "uint8");
  comm->barrier("test end");
  if (comm->rank() == 0) {
    std::printf(
        "ok: %d collective checks on %d ranks (chunk limits 7 and 4093 give identical bytes)\n",
        checks, comm->world_size());
  }
  return 0;
}
