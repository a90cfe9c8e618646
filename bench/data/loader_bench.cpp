// How fast the data side can feed training: reads a prepared dataset (a single file or a
// sharded manifest) with data::read_dataset, then assembles training batches the way the
// trainer does, for as long as --seconds says, and prints tokens per second.
//   classification: EpochSampler + train::make_batch (padding to the longest row, at least
//                   --min-length, truncating to --max-length), then ids and labels copied once
//                   more (the trainer's from_blob(...).clone() into tensors).
//   language model: the token stream of train::token_stream, blocks of --context + 1 tokens at
//                   stride --context shifted per epoch, inputs and targets copied once more
//                   (task.cpp's slicing and clone).
// Torch-free on purpose (batch.cpp, sampler.cpp and the data library only), so it builds in
// seconds; a copy into a fresh buffer stands in for the tensor clone.
// Usage: loader_bench DATASET [--batch N] [--max-length N] [--min-length N] [--context N]
//                     [--seconds S] [--seed N]
// The last line is machine-readable: "loader_tokens_per_second <real tokens/s>".
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/error.h"
#include "data/dataset.h"
#include "data/lm_tokenizer.h"
#include "train/batch.h"
#include "train/sampler.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace data = topiary::data;
namespace train = topiary::train;

struct Options {
  std::string path;
  int64_t batch = 256;
  int64_t max_length = 0;
  int64_t min_length = 1;
  int64_t context = 64;
  double seconds = 3;
  uint64_t seed = 1;
};

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

Options parse(int argc, char** argv) {
  Options o;
  if (argc < 2) throw topiary::UserError("usage: loader_bench DATASET [--batch N] ...");
  o.path = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    const char* value = argv[i + 1];
    if (key == "--batch")
      o.batch = std::atoll(value);
    else if (key == "--max-length")
      o.max_length = std::atoll(value);
    else if (key == "--min-length")
      o.min_length = std::atoll(value);
    else if (key == "--context")
      o.context = std::atoll(value);
    else if (key == "--seconds")
      o.seconds = std::atof(value);
    else if (key == "--seed")
      o.seed = std::strtoull(value, nullptr, 10);
    else
      throw topiary::UserError("loader_bench: unknown option " + key);
  }
  return o;
}

// Steps until `seconds` have passed; returns (steps, real tokens, padded tokens, seconds).
struct Rate {
  int64_t steps = 0, real = 0, padded = 0;
  double seconds = 0;
};

// The trainer's from_blob(...).clone(): one more copy into a fresh buffer.
std::vector<int64_t> clone(const std::vector<int64_t>& from) {
  return std::vector<int64_t>(from.begin(), from.end());
}

// train::token_stream (evaluate.cpp, a torch translation unit): documents each followed by <eos>.
std::vector<int64_t> token_stream(const data::TokenizedSplit& split) {
  std::vector<int64_t> stream;
  stream.reserve(split.tokens.size() + static_cast<size_t>(split.size()));
  for (int64_t d = 0; d < split.size(); ++d) {
    for (int64_t t = split.offsets[d]; t < split.offsets[d + 1]; ++t) {
      stream.push_back(split.tokens[static_cast<size_t>(t)]);
    }
    stream.push_back(data::kEosId);
  }
  return stream;
}

Rate classification(const data::Dataset& dataset, const Options& o) {
  train::EpochSampler sampler(dataset.train.size(), o.batch, 1, 0, o.seed);
  Rate rate;
  const auto start = Clock::now();
  while (rate.seconds < o.seconds) {
    const std::vector<int64_t> examples = sampler.local_indices(rate.steps);
    train::PaddedBatch batch =
        train::make_batch(dataset.train, examples, o.min_length, o.max_length);
    const std::vector<int64_t> ids = clone(batch.ids);
    const std::vector<int64_t> labels = clone(batch.labels);
    if (static_cast<int64_t>(labels.size()) != batch.rows)
      throw std::logic_error("one label per row");
    rate.real += batch.real_tokens;
    rate.padded += static_cast<int64_t>(ids.size());
    ++rate.steps;
    rate.seconds = seconds_since(start);
  }
  return rate;
}

Rate language_model(const data::Dataset& dataset, const Options& o) {
  const std::vector<int64_t> stream = token_stream(dataset.train);
  const int64_t context = o.context;
  const int64_t blocks = (static_cast<int64_t>(stream.size()) - context) / context;
  if (blocks < o.batch) throw topiary::UserError(o.path + ": too few blocks for --batch");
  train::EpochSampler sampler(blocks, o.batch, 1, 0, o.seed);
  Rate rate;
  const auto start = Clock::now();
  while (rate.seconds < o.seconds) {
    const std::vector<int64_t> local = sampler.local_indices(rate.steps);
    // task.cpp's per-epoch shift of the block grid.
    const int64_t epoch = rate.steps / sampler.steps_per_epoch();
    int64_t shift = 0;
    if (epoch > 0) {
      std::mt19937_64 engine(o.seed * 0xD1B54A32D192ED03ull + static_cast<uint64_t>(epoch));
      shift = static_cast<int64_t>(engine() % static_cast<uint64_t>(context));
    }
    std::vector<int64_t> inputs, targets;
    for (const int64_t block : local) {
      const auto first = stream.begin() + shift + block * context;
      inputs.insert(inputs.end(), first, first + context);
      targets.insert(targets.end(), first + 1, first + context + 1);
    }
    const auto rows = static_cast<int64_t>(local.size());
    const std::vector<int64_t> x = clone(inputs);
    const std::vector<int64_t> y = clone(targets);
    if (y.size() != x.size() || static_cast<int64_t>(x.size()) != rows * context) {
      throw std::logic_error("inputs and targets must be rows x context");
    }
    rate.real += static_cast<int64_t>(x.size());
    rate.padded += static_cast<int64_t>(x.size());
    ++rate.steps;
    rate.seconds = seconds_since(start);
  }
  return rate;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options o = parse(argc, argv);
    const auto read_start = Clock::now();
    const data::Dataset dataset = data::read_dataset(o.path);
    const double read_seconds = seconds_since(read_start);
    const auto train_tokens = static_cast<double>(dataset.train.tokens.size());
    const auto all_tokens = train_tokens + static_cast<double>(dataset.valid.tokens.size());
    std::printf("dataset %s: %s, %lld train examples, %.0f train tokens\n", o.path.c_str(),
                dataset.kind.c_str(), static_cast<long long>(dataset.train.size()), train_tokens);
    std::printf("read_dataset: %.3f s, %.3g tokens/s\n", read_seconds, all_tokens / read_seconds);
    const bool lm = dataset.kind == data::kLanguageModelKind;
    // What one training example (row) holds in real tokens: the trainer's mean_tokens_per_unit.
    double mean_tokens = static_cast<double>(o.context);
    if (!lm) {
      double total = 0;
      for (int64_t i = 0; i < dataset.train.size(); ++i) {
        const int64_t n = dataset.train.offsets[i + 1] - dataset.train.offsets[i];
        total += static_cast<double>(o.max_length > 0 ? std::min(n, o.max_length) : n);
      }
      mean_tokens = total / static_cast<double>(dataset.train.size());
    }
    std::printf("mean_tokens_per_example %.6g\n", mean_tokens);
    const Rate rate = lm ? language_model(dataset, o) : classification(dataset, o);
    std::printf("batches: %lld steps of %lld in %.2f s: %.3g real tokens/s, %.3g padded tokens/s\n",
                static_cast<long long>(rate.steps), static_cast<long long>(o.batch), rate.seconds,
                static_cast<double>(rate.real) / rate.seconds,
                static_cast<double>(rate.padded) / rate.seconds);
    std::printf("loader_tokens_per_second %.6g\n", static_cast<double>(rate.real) / rate.seconds);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "loader_bench: %s\n", e.what());
    return 2;
  }
}
