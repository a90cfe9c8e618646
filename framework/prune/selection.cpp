#include "prune/selection.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace topiary::prune {
namespace {

// Note [Selection order]: entries are pruned in the strict total order (score, tensor, flat
// index), NaN counting as -inf and -0 as +0. Scores map to unsigned keys that compare exactly
// like that on the score part, so selection is integer work: find the k-th smallest key T,
// prune every key < T, then the first (k - #below T) keys == T in tensor, index order.
inline uint32_t order_key(float score) {
  uint32_t bits = std::bit_cast<uint32_t>(score);
  const uint32_t magnitude = bits & 0x7fffffffu;
  // Selects, not branches, so that the loops over scores vectorise.
  bits = magnitude > 0x7f800000u ? 0xff800000u : bits;  // NaN -> -inf
  bits = magnitude == 0 ? 0u : bits;                    // -0 -> +0
  const uint32_t negative = 0u - (bits >> 31);          // all ones when the sign bit is set
  return bits ^ (negative | 0x80000000u);  // negative: all bits flipped; else the sign bit
}

inline float key_score(uint32_t key) {
  return std::bit_cast<float>((key & 0x80000000u) ? (key & 0x7fffffffu) : ~key);
}

int64_t total_size(std::span<const ScoredTensor> tensors) {
  int64_t total = 0;
  for (const auto& t : tensors) total += static_cast<int64_t>(t.scores.size());
  return total;
}

struct KthKey {
  uint32_t key;
  int64_t below;  // entries whose key is smaller
};

// Exact fallback: two 16-bit-digit histogram passes.
KthKey radix_kth(std::span<const ScoredTensor> tensors, int64_t k) {
  std::vector<int64_t> histogram(65536);
  for (const auto& t : tensors)
    for (float s : t.scores) ++histogram[order_key(s) >> 16];
  int64_t below = 0;
  uint32_t high = 0;
  while (below + histogram[high] < k) below += histogram[high++];
  std::fill(histogram.begin(), histogram.end(), 0);
  for (const auto& t : tensors) {
    for (float s : t.scores) {
      const uint32_t key = order_key(s);
      if ((key >> 16) == high) ++histogram[key & 0xffffu];
    }
  }
  uint32_t low = 0;
  while (below + histogram[low] < k) below += histogram[low++];
  return {(high << 16) | low, below};
}

// Counts the keys below `lo` and appends those in [lo, lo + span] to `inside`. Counting is
// branch-free and vectorises (an AVX2 clone is picked at load time where the CPU has it); a
// block holding in-bracket keys is gathered in a second, branch-free look while it is in cache.
__attribute__((target_clones("avx2", "default"))) int64_t count_below_and_gather(
    const float* scores, int64_t n, uint32_t lo, uint32_t span, std::vector<uint32_t>& inside) {
  constexpr int64_t kBlock = 64;
  uint32_t gathered[kBlock];
  int64_t below = 0;
  for (int64_t i = 0; i < n; i += kBlock) {
    const int64_t end = std::min(n, i + kBlock);
    uint32_t block_below = 0, block_inside = 0;
    for (int64_t j = i; j < end; ++j) {
      const uint32_t key = order_key(scores[j]);
      block_below += key < lo;
      block_inside += key - lo <= span;
    }
    below += block_below;
    if (block_inside == 0) continue;
    size_t count = 0;
    for (int64_t j = i; j < end; ++j) {
      const uint32_t key = order_key(scores[j]);
      gathered[count] = key;
      count += key - lo <= span;
    }
    inside.insert(inside.end(), gathered, gathered + count);
  }
  return below;
}

// Floyd-Rivest style: a fixed-stride sample brackets the k-th key, one pass counts the keys
// below the bracket and gathers those inside it, and nth_element picks among the gathered few.
// The sample only decides speed; a bracket that misses falls back to radix_kth. Deterministic.
KthKey kth_key(std::span<const ScoredTensor> tensors, int64_t total, int64_t k) {
  constexpr int64_t kMinSample = int64_t{1} << 16, kMaxSample = int64_t{1} << 20;
  if (total <= 4 * kMinSample) return radix_kth(tensors, k);
  // A bigger sample narrows the bracket (width ~ 1/sqrt(sample)), so fewer blocks need the
  // gather; one entry in 64 keeps the strided sampling well below one pass.
  const int64_t kSample = std::clamp(total / 64, kMinSample, kMaxSample);
  std::vector<uint32_t> sample;
  sample.reserve(kSample + 1);
  const int64_t stride = total / kSample;
  int64_t next = stride / 2;
  int64_t base = 0;
  for (const auto& t : tensors) {
    const auto n = static_cast<int64_t>(t.scores.size());
    for (; next < base + n; next += stride) sample.push_back(order_key(t.scores[next - base]));
    base += n;
  }
  const auto s = static_cast<int64_t>(sample.size());
  // Rank k in a random sample would be ~k*s/total with standard deviation sqrt(s*p*(1-p)): a
  // 4-sigma bracket gathers ~8*sqrt(p*(1-p)/s) of the entries (under 1.6%).
  const int64_t at = k * s / total;
  const double p = static_cast<double>(k) / static_cast<double>(total);
  const int64_t margin =
      16 + static_cast<int64_t>(4 * std::sqrt(static_cast<double>(s) * p * (1 - p)));
  uint32_t lo = 0, hi = 0xffffffffu;
  if (at - margin > 0) {
    std::nth_element(sample.begin(), sample.begin() + (at - margin), sample.end());
    lo = sample[at - margin];
  }
  if (at + margin < s - 1) {
    std::nth_element(sample.begin(), sample.begin() + (at + margin), sample.end());
    hi = sample[at + margin];
  }
  int64_t below = 0;
  std::vector<uint32_t> inside;
  for (const auto& t : tensors) {
    below += count_below_and_gather(t.scores.data(), static_cast<int64_t>(t.scores.size()), lo,
                                    hi - lo, inside);
  }
  const int64_t rank = k - below;  // 1-based rank of the answer among `inside`
  if (rank < 1 || rank > static_cast<int64_t>(inside.size())) return radix_kth(tensors, k);
  std::nth_element(inside.begin(), inside.begin() + (rank - 1), inside.end());
  const uint32_t key = inside[static_cast<size_t>(rank - 1)];
  // nth_element leaves every smaller gathered key before the answer.
  return {key,
          below + static_cast<int64_t>(std::count_if(inside.begin(), inside.begin() + (rank - 1),
                                                     [&](uint32_t x) { return x < key; }))};
}

void select(std::span<ScoredTensor> tensors, double sparsity) {
  const int64_t total = total_size(tensors);
  const int64_t k = pruned_count(total, sparsity);
  if (k <= 0) {
    for (auto& t : tensors) std::fill(t.mask.begin(), t.mask.end(), 1.0f);
    return;
  }
  const auto [threshold, below] = kth_key(tensors, total, k);
  int64_t ties = k - below;  // keys == threshold still to prune, first in (tensor, index)
  constexpr int64_t kBlock = 16;
  for (auto& t : tensors) {
    const float* scores = t.scores.data();
    float* mask = t.mask.data();
    const auto n = static_cast<int64_t>(t.scores.size());
    for (int64_t i = 0; i < n; i += kBlock) {
      const int64_t end = std::min(n, i + kBlock);
      uint32_t equal = 0;
      for (int64_t j = i; j < end; ++j) {
        const uint32_t key = order_key(scores[j]);
        mask[j] = key > threshold ? 1.0f : 0.0f;
        equal += key == threshold;
      }
      if (equal == 0) continue;
      for (int64_t j = i; j < end; ++j) {
        if (order_key(scores[j]) != threshold) continue;
        mask[j] = ties > 0 ? 0.0f : 1.0f;
        if (ties > 0) --ties;
      }
    }
  }
}

}  // namespace

int64_t pruned_count(int64_t count, double sparsity) {
  const auto k = static_cast<int64_t>(std::llround(sparsity * static_cast<double>(count)));
  return std::clamp<int64_t>(k, 0, count);
}

float kth_smallest_score(std::span<const ScoredTensor> tensors, int64_t k) {
  return key_score(kth_key(tensors, total_size(tensors), k).key);
}

void select_layerwise(std::span<ScoredTensor> tensors, double sparsity) {
  for (auto& t : tensors) select(std::span<ScoredTensor>(&t, 1), sparsity);
}

void select_global(std::span<ScoredTensor> tensors, double sparsity) { select(tensors, sparsity); }

}  // namespace topiary::prune
