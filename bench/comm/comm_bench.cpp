// nccl-tests-style bandwidth of the communicator's all-reduce, blocking and nonblocking (the
// overlapped reducer's transport: the message cut into 4 buckets started back to back, then
// waited for); then the gradient sync of a synthetic model at sparsity 0/50/90/95% with
// mask-aware packing on and off; then backward + exchange with the exchange after backward
// (blocking) or overlapped with it. Configurations alternate so that all see the same machine
// state. Usage:
//   mpirun -np 2 build/bin/comm_bench [--max-bytes N] [--iters N] [--reducer-iters N]
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "comm/mpi_communicator.h"
#include "train/gradient_reducer.h"
#include "train/mask_set.h"

namespace {

using Clock = std::chrono::steady_clock;
using topiary::comm::Communicator;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Slowest rank's time: a collective is done when the last rank is done.
double max_over_ranks(Communicator& comm, double value) {
  comm.all_reduce(&value, 1, topiary::comm::DataType::kFloat64, topiary::comm::ReduceOp::kMax,
                  "bench timing");
  return value;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// The overlapped reducer's traffic: `buckets` nonblocking all-reduces in flight at once.
void nonblocking_all_reduce(Communicator& comm, float* data, int64_t count, int buckets,
                            const char* what) {
  std::vector<std::unique_ptr<topiary::comm::PendingCollective>> in_flight;
  const int64_t per_bucket = (count + buckets - 1) / buckets;
  for (int64_t offset = 0; offset < count; offset += per_bucket) {
    in_flight.push_back(comm.start_all_reduce(data + offset, std::min(per_bucket, count - offset),
                                              topiary::comm::DataType::kFloat32,
                                              topiary::comm::ReduceOp::kSum, what));
  }
  for (auto& pending : in_flight) pending->wait();
}

void bandwidth_table(Communicator& comm, int64_t max_bytes, int iters) {
  const int n = comm.world_size();
  constexpr int kBuckets = 4;
  if (comm.rank() == 0) {
    std::printf("# all-reduce, float32 sum, %s communicator, %d ranks, %d iterations per size\n",
                comm.name().c_str(), n, iters);
    std::printf(
        "# blocking: one all_reduce; nonblocking: %d start_all_reduce in flight, then wait\n",
        kBuckets);
    std::printf("# %12s %12s | %10s %10s %10s | %10s %10s %10s\n", "size(B)", "count", "time(us)",
                "algbw(GB/s)", "busbw(GB/s)", "nb time(us)", "nb algbw", "nb busbw");
  }
  std::vector<float> buffer(static_cast<size_t>(max_bytes / 4), 1.0f);
  for (int64_t bytes = 8; bytes <= max_bytes; bytes *= 4) {
    const int64_t count = bytes / 4;
    auto blocking = [&](const char* what) {
      comm.all_reduce(buffer.data(), count, topiary::comm::DataType::kFloat32,
                      topiary::comm::ReduceOp::kSum, what);
    };
    auto nonblocking = [&](const char* what) {
      nonblocking_all_reduce(comm, buffer.data(), count, kBuckets, what);
    };
    double time[2] = {0, 0};
    for (int which = 0; which < 2; ++which) {
      for (int i = 0; i < 3; ++i)
        which == 0 ? blocking("bench warm-up") : nonblocking("bench warm-up");
      comm.barrier("bench start");
      const auto start = Clock::now();
      for (int i = 0; i < iters; ++i) {
        which == 0 ? blocking("bench all-reduce") : nonblocking("bench nonblocking all-reduce");
      }
      time[which] = max_over_ranks(comm, seconds_since(start)) / iters;
    }
    const double bus = 2.0 * (n - 1) / n;
    if (comm.rank() == 0) {
      const double algbw = static_cast<double>(bytes) / time[0] / 1e9;
      const double nb_algbw = static_cast<double>(bytes) / time[1] / 1e9;
      std::printf("  %12lld %12lld | %10.1f %10.3f %10.3f | %10.1f %10.3f %10.3f\n",
                  static_cast<long long>(bytes), static_cast<long long>(count), time[0] * 1e6,
                  algbw, algbw * bus, time[1] * 1e6, nb_algbw, nb_algbw * bus);
    }
  }
}

// A transformer-block-shaped parameter set (~12.6M parameters, ~50 MB of gradients):
// matrices are masked, biases and norms stay dense, as recipes usually target them.
std::vector<std::pair<std::string, torch::Tensor>> synthetic_parameters() {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (int layer = 0; layer < 2; ++layer) {
    const std::string p = "layers." + std::to_string(layer) + ".";
    for (const char* name : {"q", "k", "v", "o"}) {
      out.emplace_back(p + name + ".weight", torch::zeros({768, 768}));
      out.emplace_back(p + name + ".bias", torch::zeros({768}));
    }
    out.emplace_back(p + "ffn1.weight", torch::zeros({3072, 768}));
    out.emplace_back(p + "ffn1.bias", torch::zeros({3072}));
    out.emplace_back(p + "ffn2.weight", torch::zeros({768, 3072}));
    out.emplace_back(p + "ffn2.bias", torch::zeros({768}));
    out.emplace_back(p + "norm.weight", torch::zeros({768}));
  }
  for (auto& [name, t] : out) t.requires_grad_(true);
  return out;
}

void reducer_table(Communicator& comm, int iters) {
  auto parameters = synthetic_parameters();
  int64_t total = 0;
  for (auto& [name, p] : parameters) {
    p.mutable_grad() = torch::randn(p.sizes());
    total += p.numel();
  }
  if (comm.rank() == 0) {
    std::printf("\n# gradient sync, %lld parameters, %d ranks, %d steps per cell (median)\n",
                static_cast<long long>(total), comm.world_size(), iters);
    std::printf("# %8s %14s %14s %8s %12s %12s %8s\n", "sparsity", "bytes dense", "bytes packed",
                "ratio", "dense(ms)", "packed(ms)", "speedup");
  }
  for (double sparsity : {0.0, 0.5, 0.9, 0.95}) {
    topiary::train::MaskSet masks;
    torch::manual_seed(17);  // same masks on every rank
    for (auto& [name, p] : parameters) {
      if (p.dim() < 2) continue;
      masks.add(name, p);
      masks.at(name).copy_((torch::rand(p.sizes()) >= sparsity).to(torch::kFloat32));
    }
    topiary::train::ReducerOptions dense_options;
    dense_options.compact_masked = false;
    topiary::train::ReducerOptions packed_options;
    topiary::train::GradientReducer dense(parameters, comm, dense_options);
    topiary::train::GradientReducer packed(parameters, comm, packed_options);
    dense.set_masks(masks);
    packed.set_masks(masks);
    std::vector<double> dense_times, packed_times;
    for (int i = 0; i < iters + 2; ++i) {
      // Alternate the two so that both meet the same machine state.
      for (int which = 0; which < 2; ++which) {
        auto& reducer = which == 0 ? dense : packed;
        comm.barrier("bench step");
        const auto start = Clock::now();
        reducer.reduce();
        const double t = max_over_ranks(comm, seconds_since(start));
        if (i >= 2) (which == 0 ? dense_times : packed_times).push_back(t);
      }
    }
    const double d = median(dense_times), p = median(packed_times);
    if (comm.rank() == 0) {
      std::printf("  %7.0f%% %14lld %14lld %8.4f %12.2f %12.2f %7.2fx\n", sparsity * 100,
                  static_cast<long long>(dense.bytes_per_step()),
                  static_cast<long long>(packed.bytes_per_step()),
                  static_cast<double>(packed.bytes_per_step()) /
                      static_cast<double>(dense.bytes_per_step()),
                  d * 1e3, p * 1e3, d / p);
    }
  }
}

// A backward pass with real work: each parameter's gradient comes from a matrix product with
// a fixed random input (16 rows), terms created in parameter order so that autograd produces
// gradients in reverse order, as a network's backward does. Same bits on every rank.
torch::Tensor synthetic_loss(const std::vector<std::pair<std::string, torch::Tensor>>& parameters,
                             const std::vector<torch::Tensor>& inputs) {
  torch::Tensor loss;
  for (size_t i = 0; i < parameters.size(); ++i) {
    const auto& p = parameters[i].second;
    auto term = torch::matmul(inputs[i], p.dim() == 1 ? p : p.t()).sum();
    loss = loss.defined() ? loss + term : term;
  }
  return loss;
}

void overlap_table(Communicator& comm, int iters) {
  auto parameters = synthetic_parameters();
  torch::manual_seed(23);
  std::vector<torch::Tensor> inputs;
  for (auto& [name, p] : parameters) {
    inputs.push_back(torch::randn({16, p.dim() == 1 ? p.size(0) : p.size(1)}));
  }
  if (comm.rank() == 0) {
    std::printf(
        "\n# backward + gradient exchange, %d ranks, %d steps per cell (median, slowest "
        "rank); exposed = step - backward alone\n",
        comm.world_size(), iters);
    std::printf("# %8s %12s %12s %12s %14s %14s %10s\n", "sparsity", "backward(ms)", "blocking(ms)",
                "overlap(ms)", "exposed blk", "exposed ovl", "in bwd");
  }
  for (double sparsity : {0.0, 0.9}) {
    topiary::train::MaskSet masks;
    torch::manual_seed(17);
    for (auto& [name, p] : parameters) {
      if (p.dim() < 2) continue;
      masks.add(name, p);
      masks.at(name).copy_((torch::rand(p.sizes()) >= sparsity).to(torch::kFloat32));
    }
    topiary::train::ReducerOptions blocking_options;
    topiary::train::ReducerOptions overlap_options;
    overlap_options.overlap = true;
    topiary::train::GradientReducer blocking(parameters, comm, blocking_options);
    topiary::train::GradientReducer overlapped(parameters, comm, overlap_options);
    blocking.set_masks(masks);
    overlapped.set_masks(masks);
    std::vector<double> times[3];  // backward alone, blocking step, overlapped step
    for (int i = 0; i < iters + 2; ++i) {
      for (int which = 0; which < 3; ++which) {
        for (auto& [name, p] : parameters) p.mutable_grad() = torch::Tensor();
        auto loss = synthetic_loss(parameters, inputs);
        comm.barrier("bench step");
        const auto start = Clock::now();
        if (which == 2) overlapped.arm(/*all_dense=*/false);
        loss.backward();
        if (which == 1) {
          masks.apply_to_grads(parameters);
          blocking.reduce();
        }
        if (which == 2) overlapped.finish();
        const double t = max_over_ranks(comm, seconds_since(start));
        if (i >= 2) times[which].push_back(t);
      }
    }
    const double b = median(times[0]), blk = median(times[1]), ovl = median(times[2]);
    if (comm.rank() == 0) {
      std::printf("  %7.0f%% %12.2f %12.2f %12.2f %14.2f %14.2f %6zu/%zu\n", sparsity * 100,
                  b * 1e3, blk * 1e3, ovl * 1e3, (blk - b) * 1e3, (ovl - b) * 1e3,
                  overlapped.buckets_launched_in_backward(), overlapped.bucket_count());
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  int64_t max_bytes = int64_t{64} << 20;
  int iters = 20;
  int reducer_iters = 10;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--max-bytes") == 0) max_bytes = std::atoll(argv[i + 1]);
    if (std::strcmp(argv[i], "--iters") == 0) iters = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--reducer-iters") == 0) reducer_iters = std::atoi(argv[i + 1]);
  }
  torch::set_num_threads(1);
  auto comm = topiary::comm::make_mpi_communicator();
  bandwidth_table(*comm, max_bytes, iters);
  reducer_table(*comm, reducer_iters);
  overlap_table(*comm, reducer_iters);
  return 0;
}
