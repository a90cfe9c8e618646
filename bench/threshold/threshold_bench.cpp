// Global magnitude threshold over N fp32 scores, split into equal tensors like a model's
// parameters, timed against one streaming read pass over the same memory. Usage:
//   threshold_bench VALUES.f32 [--tensors T] [--sparsity S] [--repeats R]
// Prints one JSON line (median seconds of R repeats each, run alternately): stream_seconds (a
// vectorised abs-max pass: the floor any exact selection must read), threshold_seconds
// (prune::kth_smallest_score at k = pruned_count(N, S)), select_seconds (prune::select_global,
// threshold plus writing every mask entry), and the threshold value.
#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <span>
#include <string>
#include <vector>

#include "prune/selection.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double median(std::vector<double> xs) {
  std::sort(xs.begin(), xs.end());
  return xs[xs.size() / 2];
}

// Largest magnitude, read through the bit patterns so that the loop vectorises (a float sum
// does not without -ffast-math).
float abs_max(std::span<const topiary::prune::ScoredTensor> tensors) {
  uint32_t largest = 0;
  for (const auto& t : tensors) {
    const auto* bits = reinterpret_cast<const uint32_t*>(t.scores.data());
    for (size_t i = 0; i < t.scores.size(); ++i) largest = std::max(largest, bits[i] & 0x7fffffffu);
  }
  return std::bit_cast<float>(largest);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: threshold_bench VALUES.f32 [--tensors T] [--sparsity S] "
                 "[--repeats R]\n");
    return 2;
  }
  int64_t tensor_count = 10;
  double sparsity = 0.9;
  int repeats = 5;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--tensors"))
      tensor_count = std::atoll(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--sparsity"))
      sparsity = std::atof(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--repeats"))
      repeats = std::atoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "threshold_bench: unknown option %s\n", argv[i]);
      return 2;
    }
  }
  std::ifstream in(argv[1], std::ios::binary | std::ios::ate);
  if (!in) {
    std::fprintf(stderr, "threshold_bench: cannot open %s\n", argv[1]);
    return 2;
  }
  const auto bytes = static_cast<int64_t>(in.tellg());
  std::vector<float> values(static_cast<size_t>(bytes / 4));
  in.seekg(0);
  in.read(reinterpret_cast<char*>(values.data()), bytes / 4 * 4);
  std::vector<float> masks(values.size());
  const auto n = static_cast<int64_t>(values.size());
  std::vector<topiary::prune::ScoredTensor> tensors;
  for (int64_t t = 0; t < tensor_count; ++t) {
    const int64_t begin = n * t / tensor_count, end = n * (t + 1) / tensor_count;
    tensors.push_back({std::span<const float>(values.data() + begin, end - begin),
                       std::span<float>(masks.data() + begin, end - begin)});
  }
  const int64_t k = topiary::prune::pruned_count(n, sparsity);
  std::vector<double> stream, threshold, select;
  float largest = 0, value = 0;
  for (int r = 0; r < repeats; ++r) {
    auto start = Clock::now();
    largest = abs_max(tensors);
    stream.push_back(seconds_since(start));
    start = Clock::now();
    value = topiary::prune::kth_smallest_score(tensors, k);
    threshold.push_back(seconds_since(start));
    start = Clock::now();
    topiary::prune::select_global(tensors, sparsity);
    select.push_back(seconds_since(start));
  }
  int64_t kept = 0;
  for (float m : masks) kept += m != 0.0f;
  std::printf(
      "{\"values\": %lld, \"tensors\": %lld, \"k\": %lld, \"repeats\": %d, \"stream_seconds\": "
      "%.6f, \"threshold_seconds\": %.6f, \"select_seconds\": %.6f, \"threshold\": %.17g, "
      "\"abs_max\": %.17g, \"kept\": %lld}\n",
      static_cast<long long>(n), static_cast<long long>(tensor_count), static_cast<long long>(k),
      repeats, median(stream), median(threshold), median(select), value, largest,
      static_cast<long long>(kept));
  return 0;
}
