#include "data/augmentation.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "core/hash.h"

namespace topiary::data {
namespace {

// SplitMix64 as a counter-based stream: the i-th draw depends only on (key, i).
class Stream {
 public:
  explicit Stream(uint64_t key) : state_(key) {}
  uint64_t next() { return core::splitmix64_next(state_); }
  double uniform() { return core::unit_interval(next()); }
  // Uniform in [0, n), n > 0 (the modulo bias is below 2^-40 for the sizes used here).
  int64_t below(int64_t n) { return static_cast<int64_t>(next() % static_cast<uint64_t>(n)); }

 private:
  uint64_t state_;
};

uint64_t mix(uint64_t a, uint64_t b) {
  Stream s(a ^ (b * 0xD6E8FEB86659FD93ULL));
  return s.next();
}

using Word = std::vector<int32_t>;

std::vector<Word> split_words(std::span<const int32_t> tokens, const std::vector<bool>& continues) {
  std::vector<Word> words;
  for (const int32_t id : tokens) {
    const bool continuation =
        id >= 0 && static_cast<size_t>(id) < continues.size() && continues[static_cast<size_t>(id)];
    if (continuation && !words.empty()) {
      words.back().push_back(id);
    } else {
      words.push_back({id});
    }
  }
  return words;
}

// The operations on words; the draws are those of the one-token-per-word case, so a word-level
// vocabulary's results do not depend on the word grouping existing.
std::vector<Word> augment_words(std::vector<Word> words, const AugmentOptions& options,
                                Stream& random, const AugmentVocabulary& vocabulary) {
  if (options.delete_probability > 0) {
    std::vector<Word> kept;
    for (Word& word : words) {
      if (random.uniform() >= options.delete_probability) kept.push_back(std::move(word));
    }
    if (kept.empty()) {
      kept.push_back(std::move(words[static_cast<size_t>(random.below(int64_t(words.size())))]));
    }
    words = std::move(kept);
  }
  const auto n = static_cast<int64_t>(words.size());
  const auto times = [&](double probability) {
    return static_cast<int64_t>(std::llround(probability * static_cast<double>(n)));
  };
  if (n >= 2) {
    for (int64_t i = 0, swaps = times(options.swap_probability); i < swaps; ++i) {
      std::swap(words[static_cast<size_t>(random.below(n))],
                words[static_cast<size_t>(random.below(n))]);
    }
  }
  if (!vocabulary.insertable.empty()) {
    const auto choices = static_cast<int64_t>(vocabulary.insertable.size());
    for (int64_t i = 0, inserts = times(options.insert_probability); i < inserts; ++i) {
      const int32_t word = vocabulary.insertable[static_cast<size_t>(random.below(choices))];
      const int64_t at = random.below(static_cast<int64_t>(words.size()) + 1);
      words.insert(words.begin() + at, Word{word});
    }
  }
  if (options.mask_probability > 0) {
    for (size_t i = 0; i < words.size();) {
      if (random.uniform() < options.mask_probability) {
        const size_t end = std::min(words.size(), i + static_cast<size_t>(options.mask_span));
        for (; i < end; ++i) std::fill(words[i].begin(), words[i].end(), vocabulary.mask_id);
      } else {
        ++i;
      }
    }
  }
  return words;
}

}  // namespace

std::vector<int32_t> augment_tokens(std::span<const int32_t> tokens, const AugmentOptions& options,
                                    uint64_t seed, int64_t step, int64_t example,
                                    const AugmentVocabulary& vocabulary) {
  const size_t ends = vocabulary.keep_ends ? 1 : 0;
  if (tokens.size() <= 2 * ends || !options.any()) return {tokens.begin(), tokens.end()};
  Stream random(mix(mix(seed, static_cast<uint64_t>(step)), static_cast<uint64_t>(example)));
  const std::vector<Word> words = augment_words(
      split_words(tokens.subspan(ends, tokens.size() - 2 * ends), vocabulary.continues), options,
      random, vocabulary);

  std::vector<int32_t> out;
  if (ends > 0) out.push_back(tokens.front());
  for (const Word& word : words) out.insert(out.end(), word.begin(), word.end());
  if (vocabulary.max_tokens > 0) {
    const auto body_limit =
        std::max<int64_t>(static_cast<int64_t>(ends), vocabulary.max_tokens - int64_t(ends));
    if (static_cast<int64_t>(out.size()) > body_limit) out.resize(static_cast<size_t>(body_limit));
  }
  if (ends > 0) out.push_back(tokens.back());
  return out;
}

}  // namespace topiary::data
