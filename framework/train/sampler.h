#pragma once
// Which examples each rank trains on. Every epoch is a seeded permutation of the whole
// training set, cut into global batches of `global_batch` examples (the last partial batch is
// dropped, or with drop_last false completed with the first examples of the same epoch's order,
// so every example is seen each epoch and every global batch is full); rank r takes the r-th
// contiguous slice of each global batch. Hence:
//  - shards are disjoint and together cover each global batch exactly;
//  - the global batch (and so the averaged gradient) does not depend on world size;
//  - the order depends only on (seed, epoch), so a resume can continue at any step.
// With length bucketing (set_length_buckets), each epoch's permutation is cut into chunks of
// `bucket_batches` global batches, each chunk is sorted by example length (stable), cut into
// global batches, and the epoch's batches are permuted again (seeded): global batches hold
// examples of similar length; all three properties above still hold.
#include <cstdint>
#include <vector>

namespace topiary::train {

class EpochSampler {
 public:
  // Throws UserError when global_batch is not divisible by world_size or exceeds the dataset.
  EpochSampler(int64_t num_examples, int64_t global_batch, int world_size, int rank, uint64_t seed,
               bool drop_last = true);

  int64_t steps_per_epoch() const {
    return drop_last_ ? num_examples_ / global_batch_
                      : (num_examples_ + global_batch_ - 1) / global_batch_;
  }
  int64_t local_batch() const { return global_batch_ / world_size_; }
  // Examples of this rank for global optimizer step `step` (0-based, counted across epochs).
  std::vector<int64_t> local_indices(int64_t step);
  std::vector<int64_t> epoch_order(int64_t epoch) const;
  // lengths[i] = example i's length in tokens; bucket_batches 0 turns bucketing off.
  void set_length_buckets(std::vector<int64_t> lengths, int64_t bucket_batches);

 private:
  void bucket_by_length(std::vector<int64_t>& order, int64_t epoch) const;

  int64_t num_examples_;
  int64_t global_batch_;
  int world_size_;
  int rank_;
  uint64_t seed_;
  bool drop_last_;
  std::vector<int64_t> lengths_;
  int64_t bucket_batches_ = 0;
  int64_t cached_epoch_ = -1;
  std::vector<int64_t> cached_order_;
};

}  // namespace topiary::train
