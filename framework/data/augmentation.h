#pragma once
// EDA-style text augmentation on token ids (Wei & Zou 2019, "EDA: Easy Data Augmentation"),
// for classification training data only. Each operation has a probability and acts on words,
// where a word is a token with the continuation pieces after it (WordPiece "play ##ing"):
//   delete  each word is dropped with this probability (at least one word stays);
//   swap    round(swap * n) times, two random words exchange places;
//   insert  round(insert * n) random vocabulary words are inserted at random places (EDA
//           inserts synonyms; with no thesaurus, a random word is the label-preserving noise
//           that is left);
//   mask    each word starts, with this probability, a span of `span` words whose every token
//           becomes the vocabulary's mask id,
// applied in that order (n: words left after deletion). Randomness comes from a counter-based
// generator keyed by (seed, step, example index), so the result depends on nothing else: every
// rank and every resume augments an example the same way at the same step.
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

// What augmentation needs to know of a dataset's vocabulary (augment_vocabulary.h builds it).
struct AugmentVocabulary {
  std::vector<int32_t> insertable;  // the words a random insert draws from; empty: no inserts
  int32_t mask_id = 0;              // what each token of a masked word becomes
  // continues[id]: the token continues the word before it. Empty: every token is a word.
  std::vector<bool> continues;
  // The first and last token ([CLS] and [SEP]) stay where they are and as they are.
  bool keep_ends = false;
  // An augmented example keeps at most this many tokens (0: no limit), cut at the end of the
  // text (before the kept last token): inserts must not push it past what the model takes.
  int64_t max_tokens = 0;
};

std::vector<int32_t> augment_tokens(std::span<const int32_t> tokens, const AugmentOptions& options,
                                    uint64_t seed, int64_t step, int64_t example,
                                    const AugmentVocabulary& vocabulary);

}  // namespace topiary::data
