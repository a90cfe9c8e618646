#pragma once
// EDA-style text augmentation on token ids (Wei & Zou 2019, "EDA: Easy Data Augmentation"),
// for classification training data only. Each operation has a probability:
//   delete  each token is dropped with this probability (at least one token stays);
//   swap    round(swap * n) times, two random positions exchange their tokens;
//   insert  round(insert * n) random vocabulary words (ids >= first_word_id) are inserted at
//           random positions (EDA inserts synonyms; with no thesaurus, a random word is the
//           label-preserving noise that is left);
//   mask    each position starts, with this probability, a span of `span` tokens replaced by
//           mask_id (<unk>: the vocabulary has no <mask>).
// applied in that order. Randomness comes from a counter-based generator keyed by (seed, step,
// example index), so the result depends on nothing else: every rank and every resume augments
// an example the same way at the same step.
#include <cstdint>
#include <span>
#include <vector>

namespace topiary::data {

struct AugmentOptions {
  double delete_probability = 0;
  double swap_probability = 0;
  double insert_probability = 0;
  double mask_probability = 0;
  int64_t mask_span = 3;
  bool any() const {
    return delete_probability > 0 || swap_probability > 0 || insert_probability > 0 ||
           mask_probability > 0;
  }
};

std::vector<int32_t> augment_tokens(std::span<const int32_t> tokens, const AugmentOptions& options,
                                    uint64_t seed, int64_t step, int64_t example,
                                    int32_t first_word_id, int32_t vocabulary_size,
                                    int32_t mask_id);

}  // namespace topiary::data
