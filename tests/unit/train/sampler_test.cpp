#include "train/sampler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace topiary::train {
namespace {

// The global batch of `step` as the ranks' samplers give it, rank by rank; checks each share's
// size.
std::vector<int64_t> joined_shares(std::vector<EpochSampler>& samplers, int64_t step,
                                   int64_t batch) {
  std::vector<int64_t> joined;
  for (auto& s : samplers) {
    auto part = s.local_indices(step);
    EXPECT_EQ(static_cast<int64_t>(part.size()), batch / static_cast<int64_t>(samplers.size()));
    joined.insert(joined.end(), part.begin(), part.end());
  }
  return joined;
}

TEST(Sampler, ShardsAreDisjointAndCoverEachGlobalBatch) {
  const int64_t n = 1003, batch = 32;
  for (int world : {1, 2, 4}) {
    std::vector<EpochSampler> samplers;
    for (int r = 0; r < world; ++r) samplers.emplace_back(n, batch, world, r, 9);
    EpochSampler single(n, batch, 1, 0, 9);
    for (int64_t step = 0; step < 3 * samplers[0].steps_per_epoch(); step += 7) {
      const std::vector<int64_t> joined = joined_shares(samplers, step, batch);
      // World size does not change the global batch.
      EXPECT_EQ(joined, single.local_indices(step)) << "world " << world << " step " << step;
      EXPECT_EQ(std::set<int64_t>(joined.begin(), joined.end()).size(), joined.size());
    }
  }
}

TEST(Sampler, EpochIsAPermutationThatChangesEachEpochAndWithSeed) {
  EpochSampler a(500, 50, 1, 0, 1), b(500, 50, 1, 0, 2);
  auto e0 = a.epoch_order(0), e1 = a.epoch_order(1);
  auto sorted = e0;
  std::sort(sorted.begin(), sorted.end());
  for (int64_t i = 0; i < 500; ++i) EXPECT_EQ(sorted[i], i);
  EXPECT_NE(e0, e1);
  EXPECT_NE(e0, b.epoch_order(0));
  EXPECT_EQ(e0, EpochSampler(500, 50, 1, 0, 1).epoch_order(0));
}

// A checkpoint stores the number of completed steps; a sampler rebuilt from (seed, world size,
// rank) and that step must continue with exactly the examples the interrupted run would have
// seen next, also mid-epoch and across the epoch boundary, on every rank.
TEST(Sampler, ResumeMidEpochContinuesWithTheRemainingOrder) {
  const int64_t n = 1003, batch = 32;
  for (int world : {1, 2, 4}) {
    for (int rank = 0; rank < world; ++rank) {
      EpochSampler uninterrupted(n, batch, world, rank, 5);
      const int64_t steps = 2 * uninterrupted.steps_per_epoch() + 3;
      std::vector<std::vector<int64_t>> expected;
      for (int64_t step = 0; step < steps; ++step) {
        expected.push_back(uninterrupted.local_indices(step));
      }
      for (int64_t saved_at : {int64_t{1}, uninterrupted.steps_per_epoch() / 2,
                               uninterrupted.steps_per_epoch(), steps - 1}) {
        EpochSampler before(n, batch, world, rank, 5);
        for (int64_t step = 0; step < saved_at; ++step) before.local_indices(step);
        EpochSampler resumed(n, batch, world, rank, 5);  // a fresh process after the resume
        for (int64_t step = saved_at; step < steps; ++step) {
          ASSERT_EQ(resumed.local_indices(step), expected[static_cast<size_t>(step)])
              << "world " << world << " rank " << rank << " saved at " << saved_at;
        }
      }
    }
  }
}

// Length bucketing: global batches hold similar lengths (much less padding), every used
// example still appears once per epoch, the global batches do not depend on world size, and a
// fresh sampler (a resume) gives the same order.
TEST(Sampler, LengthBucketsCutPaddingAndKeepTheGuarantees) {
  const int64_t n = 2000, batch = 32;
  std::vector<int64_t> lengths(n);
  for (int64_t i = 0; i < n; ++i) lengths[size_t(i)] = 1 + (i * 7919) % 60;
  const auto padded_tokens = [&](EpochSampler& s, int64_t epoch) {
    int64_t padded = 0;
    for (int64_t step = epoch * s.steps_per_epoch(); step < (epoch + 1) * s.steps_per_epoch();
         ++step) {
      int64_t longest = 0;
      for (int64_t e : s.local_indices(step)) longest = std::max(longest, lengths[size_t(e)]);
      padded += longest * batch;
    }
    return padded;
  };
  EpochSampler plain(n, batch, 1, 0, 4);
  EpochSampler bucketed(n, batch, 1, 0, 4);
  bucketed.set_length_buckets(lengths, 10);
  EXPECT_LT(padded_tokens(bucketed, 1) * 10, padded_tokens(plain, 1) * 6);  // >= 40% less

  const auto order = bucketed.epoch_order(1);
  auto sorted = order;
  std::sort(sorted.begin(), sorted.end());
  for (int64_t i = 0; i < n; ++i) ASSERT_EQ(sorted[size_t(i)], i);
  EXPECT_NE(order, bucketed.epoch_order(2));

  for (int world : {2, 4}) {
    std::vector<EpochSampler> ranks;
    for (int r = 0; r < world; ++r) {
      ranks.emplace_back(n, batch, world, r, 4);
      ranks.back().set_length_buckets(lengths, 10);
    }
    EpochSampler single(n, batch, 1, 0, 4);
    single.set_length_buckets(lengths, 10);
    for (int64_t step = 0; step < 2 * single.steps_per_epoch(); step += 5) {
      std::vector<int64_t> joined;
      for (auto& r : ranks) {
        const auto part = r.local_indices(step);
        joined.insert(joined.end(), part.begin(), part.end());
      }
      ASSERT_EQ(joined, single.local_indices(step)) << "world " << world << " step " << step;
    }
  }
}

TEST(Sampler, RejectsBatchNotDivisibleByWorldSize) {
  EXPECT_THROW(EpochSampler(100, 30, 4, 0, 1), std::exception);
  EXPECT_THROW(EpochSampler(10, 30, 1, 0, 1), std::exception);
}

TEST(Sampler, WithoutDropLastTheLastBatchIsCompletedFromTheEpochsStart) {
  const int64_t n = 1003, batch = 32;  // 31 full batches and 11 examples left over
  EpochSampler single(n, batch, 1, 0, 5, /*drop_last=*/false);
  ASSERT_EQ(single.steps_per_epoch(), 32);
  EXPECT_EQ(EpochSampler(n, batch, 1, 0, 5).steps_per_epoch(), 31);
  for (int64_t epoch = 0; epoch < 2; ++epoch) {
    const std::vector<int64_t> order = single.epoch_order(epoch);
    ASSERT_EQ(static_cast<int64_t>(order.size()), 32 * batch);
    // Every example once, then the epoch's first 21 again.
    EXPECT_EQ(std::set<int64_t>(order.begin(), order.begin() + n).size(), static_cast<size_t>(n));
    EXPECT_TRUE(std::equal(order.begin() + n, order.end(), order.begin()));
    // The dropping sampler's epoch is the same permutation.
    const std::vector<int64_t> dropping = EpochSampler(n, batch, 1, 0, 5).epoch_order(epoch);
    EXPECT_TRUE(std::equal(dropping.begin(), dropping.end(), order.begin()));
  }
  for (int world : {2, 4}) {
    std::vector<EpochSampler> samplers;
    for (int r = 0; r < world; ++r) samplers.emplace_back(n, batch, world, r, 5, false);
    for (int64_t step : {0, 30, 31, 32, 63}) {
      const std::vector<int64_t> joined = joined_shares(samplers, step, batch);
      EXPECT_EQ(joined, single.local_indices(step)) << "world " << world << " step " << step;
    }
  }
}

TEST(Sampler, WithoutDropLastBucketingKeepsEveryExample) {
  const int64_t n = 250, batch = 20;
  std::vector<int64_t> lengths(n);
  for (int64_t i = 0; i < n; ++i) lengths[static_cast<size_t>(i)] = (i * 37) % 51;
  EpochSampler s(n, batch, 1, 0, 3, false);
  s.set_length_buckets(lengths, 4);
  const std::vector<int64_t> order = s.epoch_order(1);
  ASSERT_EQ(static_cast<int64_t>(order.size()), 13 * batch);
  EXPECT_EQ(std::set<int64_t>(order.begin(), order.end()).size(), static_cast<size_t>(n));
}

}  // namespace
}  // namespace topiary::train
