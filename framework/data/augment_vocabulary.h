#pragma once
// Which ids EDA-style augmentation (augmentation.h) may insert, which one masks, and how tokens
// group into words, for a classification dataset's vocabulary:
//   WordPiece data (a "wordpiece:" tokenizer): a word is a piece and the "##" pieces after it;
//     inserts draw whole-word pieces (no "##" piece, no added or bracketed token such as [CLS]
//     or [unused0]); masking writes [MASK] (the unknown token where the vocabulary has none);
//     [CLS] and [SEP] stay in place, and no augmented example gets longer than the longest
//     training example, which the model is known to take.
//   Any other tokenizer: every token is a word, inserts draw ids 2.., masking writes <unk>.
#include "data/augmentation.h"
#include "data/dataset.h"

namespace topiary::data {

AugmentVocabulary augment_vocabulary(const Dataset& dataset);

}  // namespace topiary::data
