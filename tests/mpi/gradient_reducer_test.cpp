// GradientReducer under real ranks:
//  1. dense bucketed reduction equals a naive per-tensor all-reduce on random tensors, with tiny
//     buckets so that parameters spread over many buckets, and an unused parameter (no grad);
//  2. mask-aware packing gives exactly the reduced gradients of masking then reducing densely;
//  3. a masked model trained with compaction on and off ends with equal weights, bit for bit;
//  4. at 90% sparsity the bytes sent are at most 0.11x the dense bytes; a parameter flagged
//     dense travels dense, reduce(all_dense) sends a whole step dense; the plan is rebuilt only
//     when masks change;
//  5. the row-sparse exchange of a lookup table equals the dense reduction bit for bit (rows
//     touched by some ranks, by none, a row of -0 on one rank, a missing gradient, a compacted
//     mask, an all-dense step) and sends only the touched rows;
//  6. the overlapped exchange (buckets launched from autograd hooks during backward) equals the
//     blocking reduction with the same bucket layout bit for bit on arbitrary floats, and
//     today's blocking layout on exact values: dense, masked (compact) and row-sparse
//     parameters, gradient accumulation (two backward passes, only the last armed), an unused
//     parameter, and an all-dense step;
//  7. the compressed exchange (bf16, fp16 on the wire) gives every rank the same bits, equal on
//     2 ranks to one rounding of the sum of the rounded, scaled gradients (and within a few
//     roundings of the exact mean on more), overlapped equal to blocking bit for bit, with the
//     bucket and row bytes halved.
// Gradients are multiples of 2^-10: every sum of a few of them is exact in float32, so equality
// does not depend on the order in which the MPI library adds ranks (that order may follow the
// message size, and compaction changes the size). Test 1 uses arbitrary floats and a tolerance.
#include <torch/torch.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "comm/mpi_communicator.h"
#include "train/gradient_reducer.h"
#include "train/mask_set.h"

namespace {

using topiary::comm::Communicator;
using topiary::train::GradientReducer;
using topiary::train::MaskSet;
using topiary::train::ReducerOptions;
using Named = std::vector<std::pair<std::string, torch::Tensor>>;

void expect(Communicator& comm, bool ok, const std::string& what) {
  if (!ok) comm.abort(1, "check failed: " + what);
}

Named make_parameters(const std::vector<std::vector<int64_t>>& shapes) {
  Named out;
  for (size_t i = 0; i < shapes.size(); ++i) {
    out.emplace_back("p" + std::to_string(i), torch::zeros(shapes[i]).requires_grad_(true));
  }
  return out;
}

torch::Tensor dyadic(const std::vector<int64_t>& shape, torch::Generator& gen) {
  return torch::randint(-1024, 1025, shape, gen, torch::kFloat32).div_(1024.0);
}

void set_grads(Named& params, int rank, uint64_t seed, bool exact, size_t skip = SIZE_MAX) {
  auto gen = at::detail::createCPUGenerator(seed * 101 + static_cast<uint64_t>(rank));
  for (size_t i = 0; i < params.size(); ++i) {
    auto& p = params[i].second;
    if (i == skip) {
      p.mutable_grad() = torch::Tensor();
      continue;
    }
    p.mutable_grad() = exact ? dyadic(p.sizes().vec(), gen) : torch::randn(p.sizes(), gen);
  }
}

void test_naive_equivalence(Communicator& comm) {
  Named params = make_parameters({{3}, {17, 5}, {1}, {64, 33}, {7, 7, 7}, {1000}, {2, 3}});
  set_grads(params, comm.rank(), 1, /*exact=*/false, /*skip=*/4);
  std::vector<torch::Tensor> naive;
  for (auto& [name, p] : params) {
    torch::Tensor g = p.grad().defined() ? p.grad().clone() : torch::zeros_like(p);
    comm.all_reduce(g.data_ptr(), g.numel(), topiary::comm::DataType::kFloat32,
                    topiary::comm::ReduceOp::kSum, "naive reference");
    naive.push_back(g.div_(comm.world_size()));
  }
  GradientReducer reducer(params, comm, /*bucket_bytes=*/4096, /*first_bucket_bytes=*/256);
  expect(comm, reducer.bucket_count() >= 4, "tiny buckets give several buckets");
  reducer.reduce();
  for (size_t i = 0; i < params.size(); ++i) {
    expect(comm, torch::allclose(params[i].second.grad(), naive[i], 1e-6, 1e-7),
           "reducer equals naive all-reduce for " + params[i].first);
  }
}

MaskSet random_masks(const Named& params, double sparsity, uint64_t seed) {
  // Same seed on every rank: masks agree, as they do in training.
  auto gen = at::detail::createCPUGenerator(seed);
  MaskSet masks;
  for (const auto& [name, p] : params) {
    if (p.dim() < 2) continue;  // biases stay dense, as in typical recipes
    masks.add(name, p);
    masks.at(name).copy_((torch::rand(p.sizes(), gen) >= sparsity).to(torch::kFloat32));
  }
  return masks;
}

void test_compaction_exact(Communicator& comm) {
  const std::vector<std::vector<int64_t>> shapes = {{16, 33}, {16}, {512, 128}, {9}, {40, 50}};
  Named dense_params = make_parameters(shapes);
  Named compact_params = make_parameters(shapes);
  MaskSet masks = random_masks(dense_params, 0.9, 7);
  ReducerOptions dense_options;
  dense_options.compact_masked = false;
  dense_options.first_bucket_bytes = 1024;
  dense_options.bucket_bytes = 64 << 10;
  ReducerOptions compact_options = dense_options;
  compact_options.compact_masked = true;
  GradientReducer dense(dense_params, comm, dense_options);
  GradientReducer compact(compact_params, comm, compact_options);
  dense.set_masks(masks);
  compact.set_masks(masks);
  for (uint64_t round = 0; round < 3; ++round) {
    set_grads(dense_params, comm.rank(), 10 + round, /*exact=*/true, round == 1 ? 3 : SIZE_MAX);
    set_grads(compact_params, comm.rank(), 10 + round, /*exact=*/true, round == 1 ? 3 : SIZE_MAX);
    masks.apply_to_grads(dense_params);  // what the trainer does before reducing
    dense.reduce();
    compact.reduce();
    for (size_t i = 0; i < shapes.size(); ++i) {
      expect(comm, torch::equal(dense_params[i].second.grad(), compact_params[i].second.grad()),
             "compacted reduction equals dense for " + dense_params[i].first);
    }
  }
  const double ratio =
      static_cast<double>(compact.bytes_per_step()) / static_cast<double>(dense.bytes_per_step());
  expect(comm, dense.bytes_per_step() == dense.dense_bytes_per_step(), "dense bytes");
  expect(comm, ratio <= 0.11, "bytes at 90% sparsity <= 0.11x dense, got " + std::to_string(ratio));
  const int64_t before = compact.bytes_per_step();
  compact.set_needs_dense("p2", true);
  expect(comm, compact.bytes_per_step() > before + 512 * 128 * 4 * 8 / 10, "p2 travels dense");
  set_grads(dense_params, comm.rank(), 20, true);
  set_grads(compact_params, comm.rank(), 20, true);
  masks.apply_to_grads(dense_params);
  masks.apply_to_grads(compact_params);  // a dense-flagged parameter is reduced as given
  dense.reduce();
  compact.reduce();
  for (size_t i = 0; i < shapes.size(); ++i) {
    expect(comm, torch::equal(dense_params[i].second.grad(), compact_params[i].second.grad()),
           "mixed dense/compacted reduction equals dense for " + dense_params[i].first);
  }
  // A step where a scorer needs the dense reduced gradient: nothing masked, all sent dense.
  set_grads(dense_params, comm.rank(), 30, true);
  set_grads(compact_params, comm.rank(), 30, true);
  dense.reduce();
  compact.reduce(/*all_dense=*/true);
  for (size_t i = 0; i < shapes.size(); ++i) {
    expect(comm, torch::equal(dense_params[i].second.grad(), compact_params[i].second.grad()),
           "all-dense step equals dense reduction for " + dense_params[i].first);
  }
  expect(comm, compact_params[2].second.grad().ne(0).sum().item<int64_t>() > 512 * 128 / 2,
         "all-dense step keeps gradients of pruned entries");
  if (comm.rank() == 0) {
    std::printf("ok: compaction exact; bytes/step at 90%% sparsity %lld vs dense %lld (%.4fx)\n",
                static_cast<long long>(before), static_cast<long long>(dense.bytes_per_step()),
                ratio);
  }
}

// A two-layer MLP trained by SGD with momentum on rank-local data; masks tighten twice.
struct MaskedRun {
  torch::nn::Sequential model{nullptr};
  Named params;
  MaskSet masks;
  std::unique_ptr<torch::optim::SGD> optimizer;
  std::unique_ptr<GradientReducer> reducer;

  MaskedRun(Communicator& comm, bool compact) {
    torch::manual_seed(5);  // identical initial weights on every rank and in both runs
    model = torch::nn::Sequential(torch::nn::Linear(128, 256), torch::nn::ReLU(),
                                  torch::nn::Linear(256, 10));
    for (const auto& item : model->named_parameters())
      params.emplace_back(item.key(), item.value());
    optimizer = std::make_unique<torch::optim::SGD>(model->parameters(),
                                                    torch::optim::SGDOptions(0.05).momentum(0.9));
    ReducerOptions options;
    options.compact_masked = compact;
    options.first_bucket_bytes = 4096;
    reducer = std::make_unique<GradientReducer>(params, comm, options);
    for (const auto& [name, p] : params) {
      if (p.dim() == 2) masks.add(name, p);
    }
    reducer->set_masks(masks);
  }

  void step(Communicator& comm, int64_t i) {
    auto gen = at::detail::createCPUGenerator(1000 * i + static_cast<uint64_t>(comm.rank()));
    torch::Tensor x = dyadic({32, 128}, gen);
    torch::Tensor y = torch::randint(0, 10, {32}, gen);
    optimizer->zero_grad();
    torch::nn::functional::cross_entropy(model->forward(x), y).backward();
    // Round gradients to dyadic values so that cross-rank sums are exact (see top comment).
    for (auto& [name, p] : params) {
      p.mutable_grad().mul_(4096).round_().div_(4096).clamp_(-4, 4);
    }
    masks.apply_to_grads(params);
    reducer->reduce();
    optimizer->step();
    masks.apply_to_weights(params);
  }

  void prune(double sparsity) {
    // Magnitude pruning from weights, identical on every rank because weights are identical.
    torch::NoGradGuard no_grad;
    for (auto& [name, p] : params) {
      if (!masks.has(name)) continue;
      torch::Tensor scores = p.abs().reshape({-1});
      const int64_t k = static_cast<int64_t>(sparsity * static_cast<double>(scores.numel()));
      torch::Tensor order = std::get<1>(scores.sort(/*stable=*/true, 0, false));
      torch::Tensor flat = masks.at(name).reshape({-1});
      flat.index_fill_(0, order.narrow(0, 0, k), 0.0f);
    }
    masks.apply_to_weights(params);
    reducer->masks_changed();
  }
};

void test_masked_training(Communicator& comm) {
  MaskedRun dense(comm, false);
  MaskedRun compact(comm, true);
  for (int64_t i = 0; i < 12; ++i) {
    if (i == 4) {
      dense.prune(0.5);
      compact.prune(0.5);
    }
    if (i == 8) {
      dense.prune(0.9);
      compact.prune(0.9);
    }
    dense.step(comm, i);
    compact.step(comm, i);
  }
  expect(comm, compact.reducer->plan_builds() == 4, "plan built at set_masks and two updates");
  for (size_t i = 0; i < dense.params.size(); ++i) {
    const auto& a = dense.params[i].second;
    const auto& b = compact.params[i].second;
    expect(comm, torch::equal(a, b),
           "weights equal after masked training: " + dense.params[i].first);
  }
  expect(comm, compact.masks.sparsity() > 0.89, "masks reached 90%");
  if (comm.rank() == 0) {
    std::printf("ok: masked training with compaction equals dense reduction (%lld vs %lld bytes)\n",
                static_cast<long long>(compact.reducer->bytes_per_step()),
                static_cast<long long>(dense.reducer->bytes_per_step()));
  }
}

// Rows [0, rows) of an embedding-like gradient: rank r touches its own random rows plus row 7
// (shared by all), row 11 is -0 on rank 0 only (untouched everywhere, but not +0 there).
torch::Tensor table_gradient(int64_t rows, int64_t width, int rank, uint64_t seed) {
  auto gen = at::detail::createCPUGenerator(seed * 31 + static_cast<uint64_t>(rank));
  torch::Tensor grad = torch::zeros({rows, width});
  torch::Tensor picked = torch::randint(0, rows, {rows / 20}, gen);
  for (int64_t i = 0; i < picked.numel(); ++i) {
    const int64_t r = picked[i].item<int64_t>();
    if (r != 11) grad[r].copy_(dyadic({width}, gen));
  }
  grad[7].copy_(dyadic({width}, gen));
  if (rank == 0) grad[11].fill_(-0.0f);
  return grad;
}

void test_row_sparse(Communicator& comm) {
  const std::vector<std::vector<int64_t>> shapes = {{400, 16}, {16, 8}, {8}};
  Named dense_params = make_parameters(shapes);
  Named row_params = make_parameters(shapes);
  ReducerOptions dense_options;
  dense_options.first_bucket_bytes = 512;
  ReducerOptions row_options = dense_options;
  row_options.row_sparse = {"p0"};
  GradientReducer dense(dense_params, comm, dense_options);
  GradientReducer rows(row_params, comm, row_options);
  auto check_round = [&](uint64_t seed, bool drop_table, bool all_dense, const std::string& what) {
    set_grads(dense_params, comm.rank(), seed, /*exact=*/true);
    set_grads(row_params, comm.rank(), seed, /*exact=*/true);
    for (Named* params : {&dense_params, &row_params}) {
      (*params)[0].second.mutable_grad() =
          drop_table ? torch::Tensor() : table_gradient(400, 16, comm.rank(), seed);
    }
    dense.reduce(all_dense);
    rows.reduce(all_dense);
    for (size_t i = 0; i < shapes.size(); ++i) {
      const torch::Tensor& a = dense_params[i].second.grad();
      const torch::Tensor& b = row_params[i].second.grad();
      // Bits, not values: -0 == +0 as floats.
      expect(comm, torch::equal(a.view(torch::kInt32), b.view(torch::kInt32)),
             what + ": row-sparse equals dense bit for bit for " + row_params[i].first);
    }
  };
  check_round(40, false, false, "touched rows");
  expect(comm, row_params[0].second.grad()[7].ne(0).any().item<bool>(), "row 7 reduced");
  expect(comm, row_params[0].second.grad()[11].view(torch::kInt32).eq(0).all().item<bool>(),
         "row 11 canonicalised to +0");
  const int64_t touched_bytes = rows.bytes_per_step();
  expect(comm, touched_bytes < dense.bytes_per_step() / 2,
         "row-sparse sends less: " + std::to_string(touched_bytes) + " vs " +
             std::to_string(dense.bytes_per_step()));
  check_round(41, true, false, "missing table gradient");
  check_round(42, false, true, "all-dense step");
  // A compacted mask on the table takes the compact path (masks agree on every rank).
  MaskSet masks = random_masks(dense_params, 0.9, 8);
  dense.set_masks(masks);
  rows.set_masks(masks);
  set_grads(dense_params, comm.rank(), 43, true);
  set_grads(row_params, comm.rank(), 43, true);
  masks.apply_to_grads(dense_params);
  masks.apply_to_grads(row_params);
  dense.reduce();
  rows.reduce();
  for (size_t i = 0; i < shapes.size(); ++i) {
    expect(comm, torch::equal(dense_params[i].second.grad(), row_params[i].second.grad()),
           "masked table: equal for " + row_params[i].first);
  }
  check_round(44, false, true, "all-dense step with masks");
  if (comm.rank() == 0) {
    std::printf("ok: row-sparse exchange exact; %lld bytes/step vs dense %lld\n",
                static_cast<long long>(touched_bytes),
                static_cast<long long>(dense.dense_bytes_per_step()));
  }
}

// Gradients from a real backward pass, so that autograd hooks fire: loss = sum_i <p_i, c_i> with
// c_i drawn per rank; parameter `unused` is left out; the table p0 is read through a few rows.
void backward_pass(Named& params, int rank, uint64_t seed, bool exact, size_t unused) {
  auto gen = at::detail::createCPUGenerator(seed * 131 + static_cast<uint64_t>(rank));
  torch::Tensor loss = torch::zeros({});
  for (size_t i = 0; i < params.size(); ++i) {
    if (i == unused) continue;
    const torch::Tensor& p = params[i].second;
    if (i == 0) {
      const torch::Tensor rows = torch::randint(0, p.size(0), {5}, gen, torch::kLong);
      const std::vector<int64_t> shape = {5, p.size(1)};
      const torch::Tensor c = exact ? dyadic(shape, gen) : torch::randn(shape, gen);
      loss = loss + (p.index_select(0, rows) * c).sum();
    } else {
      const torch::Tensor c = exact ? dyadic(p.sizes().vec(), gen) : torch::randn(p.sizes(), gen);
      loss = loss + (p * c).sum();
    }
  }
  loss.backward();
}

void test_overlap(Communicator& comm) {
  const std::vector<std::vector<int64_t>> shapes = {{300, 8}, {16, 33}, {16}, {64, 20},
                                                    {9},      {40, 50}, {5}};
  for (bool exact : {true, false}) {
    Named today_params = make_parameters(shapes);
    Named layout_params = make_parameters(shapes);
    Named overlap_params = make_parameters(shapes);
    ReducerOptions blocking;
    blocking.first_bucket_bytes = 256;
    blocking.bucket_bytes = 4096;
    blocking.row_sparse = {"p0"};
    ReducerOptions overlapped = blocking;
    overlapped.overlap = true;
    GradientReducer today(today_params, comm, blocking);
    GradientReducer same_layout(layout_params, comm, overlapped);  // reduce(): blocking
    GradientReducer overlap(overlap_params, comm, overlapped);
    expect(comm, overlap.bucket_count() >= 4, "several buckets");
    MaskSet today_masks = random_masks(today_params, 0.8, 9);
    MaskSet layout_masks = random_masks(layout_params, 0.8, 9);
    MaskSet overlap_masks = random_masks(overlap_params, 0.8, 9);
    for (int round = 0; round < 4; ++round) {
      if (round == 2) {  // masks from here on: compact buckets, the table compacted too
        today.set_masks(today_masks);
        same_layout.set_masks(layout_masks);
        overlap.set_masks(overlap_masks);
      }
      const bool all_dense = round == 3;
      const size_t unused = round == 1 ? 4 : SIZE_MAX;
      const uint64_t seed = 60 + static_cast<uint64_t>(round) + (exact ? 0 : 100);
      for (Named* params : {&today_params, &layout_params, &overlap_params}) {
        for (auto& [name, p] : *params) p.mutable_grad() = torch::Tensor();
      }
      // Gradient accumulation: two backward passes, the exchange armed for the last only.
      for (Named* params : {&today_params, &layout_params}) {
        backward_pass(*params, comm.rank(), seed, exact, unused);
        backward_pass(*params, comm.rank(), seed + 1000, exact, unused);
      }
      backward_pass(overlap_params, comm.rank(), seed, exact, unused);
      overlap.arm(all_dense);
      backward_pass(overlap_params, comm.rank(), seed + 1000, exact, unused);
      overlap.finish();
      if (round == 0) {
        expect(comm, overlap.buckets_launched_in_backward() == overlap.bucket_count(),
               "every bucket launched during backward when every parameter has a gradient");
      }
      if (round == 1) {
        expect(comm, overlap.buckets_launched_in_backward() < overlap.bucket_count(),
               "the unused parameter's bucket waits for finish()");
      }
      if (round >= 2 && !all_dense) {  // what the trainer does before a blocking reduction
        today_masks.apply_to_grads(today_params);
        layout_masks.apply_to_grads(layout_params);
      }
      today.reduce(all_dense);
      same_layout.reduce(all_dense);
      for (size_t i = 0; i < shapes.size(); ++i) {
        const torch::Tensor a = overlap_params[i].second.grad();
        const std::string what = std::string(exact ? "exact" : "float") + " round " +
                                 std::to_string(round) + " " + overlap_params[i].first;
        expect(
            comm,
            torch::equal(a.view(torch::kInt32), layout_params[i].second.grad().view(torch::kInt32)),
            "overlapped equals blocking with the same layout, bit for bit: " + what);
        if (exact) {
          expect(comm,
                 torch::equal(a.view(torch::kInt32),
                              today_params[i].second.grad().view(torch::kInt32)),
                 "overlapped equals today's blocking reduction: " + what);
        }
      }
    }
  }
  if (comm.rank() == 0) std::printf("ok: overlapped exchange equals the blocking one\n");
}

// Every rank's float32 `local`, stacked: [world size, numel].
torch::Tensor gather_all(Communicator& comm, const torch::Tensor& local) {
  torch::Tensor mine = local.reshape({-1}).contiguous();
  torch::Tensor all = torch::empty({comm.world_size(), mine.numel()});
  comm.all_gather(mine.data_ptr(), all.data_ptr(), mine.numel(), topiary::comm::DataType::kFloat32,
                  "test gather");
  return all;
}

// What each rank sends for `local`: scaled by 1 / world size, rounded to `wire`.
torch::Tensor rounded_contributions(Communicator& comm, const torch::Tensor& local,
                                    torch::ScalarType wire) {
  const torch::Tensor sent = (local * (1.0 / comm.world_size())).to(wire).to(torch::kFloat32);
  return gather_all(comm, sent);
}

void test_compressed_exchange(Communicator& comm) {
  using topiary::comm::DataType;
  const std::vector<std::vector<int64_t>> shapes = {{300, 8}, {16, 33}, {16}, {64, 20}, {9}};
  const int n = comm.world_size();
  struct Wire {
    DataType type;
    torch::ScalarType dtype;
    double unit;  // unit roundoff
    const char* name;
  };
  for (const Wire& wire : {Wire{DataType::kBFloat16, torch::kBFloat16, 0x1p-8, "bf16"},
                           Wire{DataType::kFloat16, torch::kHalf, 0x1p-11, "fp16"}}) {
    Named blocking_params = make_parameters(shapes);
    Named overlap_params = make_parameters(shapes);
    Named fp32_params = make_parameters(shapes);
    ReducerOptions fp32_options;
    fp32_options.first_bucket_bytes = 256;
    fp32_options.bucket_bytes = 4096;
    fp32_options.row_sparse = {"p0"};
    fp32_options.overlap = true;
    ReducerOptions options = fp32_options;
    options.wire = wire.type;
    GradientReducer blocking(blocking_params, comm, options);  // reduce(): blocking, same layout
    GradientReducer overlap(overlap_params, comm, options);
    GradientReducer fp32(fp32_params, comm, fp32_options);
    // Masks on two matrices (compact buckets); the table p0 keeps the row exchange.
    MaskSet masks = random_masks(Named{blocking_params[1], blocking_params[3]}, 0.8, 9);
    for (GradientReducer* reducer : {&blocking, &overlap, &fp32}) reducer->set_masks(masks);
    for (int round = 0; round < 3; ++round) {
      const uint64_t seed = 80 + static_cast<uint64_t>(round);
      for (Named* params : {&blocking_params, &overlap_params, &fp32_params}) {
        for (auto& [name, p] : *params) p.mutable_grad() = torch::Tensor();
      }
      backward_pass(blocking_params, comm.rank(), seed, /*exact=*/false, SIZE_MAX);
      backward_pass(fp32_params, comm.rank(), seed, /*exact=*/false, SIZE_MAX);
      overlap.arm(false);
      backward_pass(overlap_params, comm.rank(), seed, /*exact=*/false, SIZE_MAX);
      overlap.finish();
      masks.apply_to_grads(blocking_params);
      masks.apply_to_grads(fp32_params);
      std::vector<torch::Tensor> local;
      for (auto& [name, p] : blocking_params) local.push_back(p.grad().clone());
      blocking.reduce();
      fp32.reduce();
      for (size_t i = 0; i < shapes.size(); ++i) {
        const std::string what = std::string(wire.name) + " round " + std::to_string(round) + " " +
                                 blocking_params[i].first;
        const torch::Tensor got = blocking_params[i].second.grad().reshape({-1});
        expect(comm,
               torch::equal(got.view(torch::kInt32),
                            overlap_params[i].second.grad().reshape({-1}).view(torch::kInt32)),
               "overlapped equals blocking, bit for bit: " + what);
        const torch::Tensor everyone = gather_all(comm, got);
        expect(comm, torch::equal(everyone[0].view(torch::kInt32), got.view(torch::kInt32)),
               "every rank has the same bits: " + what);
        const torch::Tensor terms = rounded_contributions(comm, local[i], wire.dtype);
        if (n == 2) {
          const torch::Tensor expected = (terms[0] + terms[1]).to(wire.dtype).to(torch::kFloat32);
          expect(comm, torch::equal(got, expected), "one rounding of the sum on 2 ranks: " + what);
        } else {
          const torch::Tensor error =
              (got.to(torch::kDouble) - terms.to(torch::kDouble).sum(0)).abs();
          const torch::Tensor bound = terms.to(torch::kDouble).abs().sum(0) * (4 * wire.unit);
          expect(comm, error.le(bound).all().item<bool>(), "within 4 roundings: " + what);
        }
        expect(comm, got.ne(0).sum().item<int64_t>() > 0 || i == 0, "not all zero: " + what);
      }
    }
    // Row flags (one byte per table row) are not compressed; everything else travels in half.
    const int64_t flags = shapes[0][0];
    const int64_t halved = blocking.bytes_per_step() - flags;
    const int64_t full = fp32.bytes_per_step() - flags;
    expect(comm, std::abs(2 * halved - full) <= 2,
           std::string(wire.name) + " sends half the bytes: " + std::to_string(halved) + " vs " +
               std::to_string(full));
  }
  if (comm.rank() == 0) std::printf("ok: compressed exchange (bf16, fp16)\n");
}

}  // namespace

int main() {
  torch::set_num_threads(1);
  auto comm = topiary::comm::make_mpi_communicator();
  test_naive_equivalence(*comm);
  test_compaction_exact(*comm);
  test_masked_training(*comm);
  test_row_sparse(*comm);
  test_overlap(*comm);
  test_compressed_exchange(*comm);
  comm->barrier("test end");
  if (comm->rank() == 0) std::printf("ok: gradient reducer on %d ranks\n", comm->world_size());
  return 0;
}
