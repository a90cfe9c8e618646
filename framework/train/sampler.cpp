#include "train/sampler.h"

#include <algorithm>
#include <numeric>
#include <random>
#include <string>

#include "core/error.h"

namespace topiary::train {
namespace {

// 0, 1, ..., n-1 in a seeded order. mt19937_64 is fully specified; this Fisher-Yates avoids
// std::shuffle and std::uniform_int_distribution, whose outputs differ between standard libraries.
std::vector<int64_t> seeded_permutation(int64_t n, uint64_t seed) {
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 engine(seed);
  for (int64_t i = n - 1; i > 0; --i) {
    const auto j = static_cast<int64_t>(engine() % static_cast<uint64_t>(i + 1));
    std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(j)]);
  }
  return order;
}

}  // namespace

EpochSampler::EpochSampler(int64_t num_examples, int64_t global_batch, int world_size, int rank,
                           uint64_t seed, bool drop_last)
    : num_examples_(num_examples),
      global_batch_(global_batch),
      world_size_(world_size),
      rank_(rank),
      seed_(seed),
      drop_last_(drop_last) {
  if (global_batch <= 0 || global_batch % world_size != 0) {
    throw UserError("training.batch_size " + std::to_string(global_batch) +
                    " must be a positive multiple of the number of ranks (" +
                    std::to_string(world_size) + ")");
  }
  if (global_batch > num_examples) {
    throw UserError("training.batch_size " + std::to_string(global_batch) +
                    " is larger than the training set (" + std::to_string(num_examples) +
                    " examples)");
  }
}

std::vector<int64_t> EpochSampler::epoch_order(int64_t epoch) const {
  std::vector<int64_t> order = seeded_permutation(
      num_examples_, seed_ * 0x9E3779B97F4A7C15ull + static_cast<uint64_t>(epoch) + 1);
  // Completing the last batch with the epoch's first examples keeps it full and world-size
  // independent, like the others.
  const auto padded = static_cast<size_t>(steps_per_epoch() * global_batch_);
  for (size_t i = 0; order.size() < padded; ++i) order.push_back(order[i]);
  if (bucket_batches_ > 0) bucket_by_length(order, epoch);
  return order;
}

void EpochSampler::set_length_buckets(std::vector<int64_t> lengths, int64_t bucket_batches) {
  TOPIARY_ASSERT(bucket_batches == 0 || static_cast<int64_t>(lengths.size()) == num_examples_,
                 "one length per example");
  lengths_ = std::move(lengths);
  bucket_batches_ = bucket_batches;
  cached_epoch_ = -1;
}

void EpochSampler::bucket_by_length(std::vector<int64_t>& order, int64_t epoch) const {
  const int64_t batches = steps_per_epoch();
  const int64_t chunk = bucket_batches_ * global_batch_;
  const int64_t used = batches * global_batch_;  // the rest is dropped anyway
  for (int64_t begin = 0; begin < used; begin += chunk) {
    const int64_t end = std::min(used, begin + chunk);
    std::stable_sort(order.begin() + begin, order.begin() + end, [&](int64_t a, int64_t b) {
      return lengths_[static_cast<size_t>(a)] < lengths_[static_cast<size_t>(b)];
    });
  }
  // Sorted chunks would otherwise give short-to-long sweeps; permute whole global batches.
  const std::vector<int64_t> batch_order =
      seeded_permutation(batches, seed_ * 0xD6E8FEB86659FD93ull + static_cast<uint64_t>(epoch) + 7);
  std::vector<int64_t> bucketed;
  bucketed.reserve(order.size());
  for (const int64_t b : batch_order) {
    bucketed.insert(bucketed.end(), order.begin() + b * global_batch_,
                    order.begin() + (b + 1) * global_batch_);
  }
  bucketed.insert(bucketed.end(), order.begin() + used, order.end());
  order = std::move(bucketed);
}

std::vector<int64_t> EpochSampler::local_indices(int64_t step) {
  const int64_t epoch = step / steps_per_epoch();
  const int64_t within = step % steps_per_epoch();
  if (epoch != cached_epoch_) {
    cached_order_ = epoch_order(epoch);
    cached_epoch_ = epoch;
  }
  const int64_t begin = within * global_batch_ + rank_ * local_batch();
  return {cached_order_.begin() + begin, cached_order_.begin() + begin + local_batch()};
}

}  // namespace topiary::train
