// All-reduce (sum, min, max), broadcast and all-gather of the MPI communicator, for every data
// type and for sizes 0, 1, odd sizes and a large one. Communicators with a 7-element chunk limit
// (small sizes) and a 4093-element limit (the large size) must give identical bytes: that is the
// path a >2^31-element transfer takes, made cheap. Run under mpirun with any number of ranks; any
// mismatch aborts every rank. 16-bit floats (bf16, fp16: sum only) are checked the same way,
// after the float32 <-> 16-bit conversions themselves (round to nearest even, inf, NaN).
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "comm/half_float.h"
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

void check_half_conversions(Communicator& comm) {
  using namespace topiary::comm;
  expect(comm, float_to_bfloat16(1.0f) == 0x3f80 && float_to_float16(1.0f) == 0x3c00, "1.0");
  // Halfway cases go to the even neighbour.
  expect(comm, float_to_bfloat16(1.0f + 0x1p-8f) == 0x3f80, "bf16 tie down to even");
  expect(comm, float_to_bfloat16(1.0f + 0x3p-8f) == 0x3f82, "bf16 tie up to even");
  expect(comm, float_to_float16(1.0f + 0x1p-11f) == 0x3c00, "fp16 tie down to even");
  expect(comm, float_to_float16(1.0f + 0x3p-11f) == 0x3c02, "fp16 tie up to even");
  expect(comm, float_to_bfloat16(3.4e38f) == 0x7f80, "bf16 overflow to inf");
  expect(comm, float_to_float16(65520.0f) == 0x7c00 && float_to_float16(65504.0f) == 0x7bff,
         "fp16 overflow to inf at 65520");
  expect(comm, float_to_float16(0x1p-24f) == 0x0001 && float_to_float16(0x1p-25f) == 0x0000,
         "fp16 smallest subnormal, and the tie below it to zero");
  expect(comm, std::isnan(bfloat16_to_float(float_to_bfloat16(std::nanf("")))), "bf16 NaN");
  expect(comm, std::isnan(float16_to_float(float_to_float16(std::nanf("")))), "fp16 NaN");
  expect(comm,
         bfloat16_to_float(float_to_bfloat16(-2.5f)) == -2.5f &&
             float16_to_float(float_to_float16(-2.5f)) == -2.5f,
         "exact values round trip");
}

// Small integers are exact in both 16-bit types, and so are their sums over 4 ranks (<= 256).
void check_half_type(Communicator& comm, Communicator& tiny_chunks, DataType type,
                     const char* type_name) {
  const bool bf16 = type == DataType::kBFloat16;
  auto encode = [&](float v) {
    return bf16 ? topiary::comm::float_to_bfloat16(v) : topiary::comm::float_to_float16(v);
  };
  const int rank = comm.rank();
  const int world = comm.world_size();
  for (int64_t n : {int64_t{0}, int64_t{1}, int64_t{7}, int64_t{1001}}) {
    const std::string label = std::string(type_name) + " n=" + std::to_string(n);
    std::vector<uint16_t> data(n), small(n), expected(n);
    for (int64_t i = 0; i < n; ++i) {
      data[i] = small[i] = encode(value<float>(rank, i));
      float sum = 0;
      for (int r = 0; r < world; ++r) sum += value<float>(r, i);
      expected[i] = encode(sum);
    }
    comm.all_reduce(data.data(), n, type, ReduceOp::kSum, "test all-reduce");
    tiny_chunks.all_reduce(small.data(), n, type, ReduceOp::kSum, "test chunked all-reduce");
    expect(comm, data == expected, "all-reduce sum " + label);
    expect(comm, data == small, "chunked all-reduce sum " + label);
    std::vector<uint16_t> mine(n), all(n * world);
    for (int64_t i = 0; i < n; ++i) mine[i] = encode(value<float>(rank, i));
    comm.all_gather(mine.data(), all.data(), n, type, "test all-gather");
    bool ok = true;
    for (int r = 0; r < world; ++r) {
      for (int64_t i = 0; i < n; ++i) ok = ok && all[r * n + i] == encode(value<float>(r, i));
    }
    expect(comm, ok, "all-gather " + label);
    comm.broadcast(mine.data(), n, type, world - 1, "test broadcast");
    ok = true;
    for (int64_t i = 0; i < n; ++i) ok = ok && mine[i] == encode(value<float>(world - 1, i));
    expect(comm, ok, "broadcast " + label);
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
  check_half_conversions(*comm);
  check_half_type(*comm, *tiny_chunks, DataType::kBFloat16, "bfloat16");
  check_half_type(*comm, *tiny_chunks, DataType::kFloat16, "float16");
  comm->barrier("test end");
  if (comm->rank() == 0) {
    std::printf(
        "ok: %d collective checks on %d ranks (chunk limits 7 and 4093 give identical bytes)\n",
        checks, comm->world_size());
  }
  return 0;
}
