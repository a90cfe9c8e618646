#include "data/augment_vocabulary.h"

#include <algorithm>
#include <string>

#include "data/vocabulary.h"
#include "data/wordpiece_settings.h"

namespace topiary::data {
namespace {

AugmentVocabulary word_level(const Dataset& dataset) {
  AugmentVocabulary vocabulary;
  vocabulary.mask_id = kUnkId;
  for (auto id = kUnkId + 1; id < static_cast<int32_t>(dataset.vocabulary.size()); ++id) {
    vocabulary.insertable.push_back(id);
  }
  return vocabulary;
}

bool is_bracketed(const std::string& token) {
  return token.size() >= 2 && token.front() == '[' && token.back() == ']';
}

AugmentVocabulary wordpiece(const Dataset& dataset, const WordPieceSettings& settings) {
  const std::string& prefix = settings.model.continuing_subword_prefix;
  AugmentVocabulary vocabulary;
  vocabulary.keep_ends = true;
  vocabulary.continues.resize(dataset.vocabulary.size());
  int32_t mask = -1, unknown = -1;
  for (size_t i = 0; i < dataset.vocabulary.size(); ++i) {
    const std::string& token = dataset.vocabulary[i];
    const auto id = static_cast<int32_t>(i);
    const bool added = std::any_of(settings.added_tokens.begin(), settings.added_tokens.end(),
                                   [&](const AddedToken& t) { return t.content == token; });
    if (token == "[MASK]") mask = id;
    if (token == settings.model.unk_token) unknown = id;
    if (!prefix.empty() && token.size() > prefix.size() && token.starts_with(prefix)) {
      vocabulary.continues[i] = true;
    } else if (!added && !is_bracketed(token) && token != settings.pad_token) {
      vocabulary.insertable.push_back(id);
    }
  }
  vocabulary.mask_id = mask >= 0 ? mask : (unknown >= 0 ? unknown : kUnkId);
  const TokenizedSplit& train = dataset.train;
  for (int64_t e = 0; e < train.size(); ++e) {
    vocabulary.max_tokens =
        std::max(vocabulary.max_tokens, train.offsets[e + 1] - train.offsets[e]);
  }
  return vocabulary;
}

}  // namespace

AugmentVocabulary augment_vocabulary(const Dataset& dataset) {
  const auto tokenizer = dataset.attributes.find("tokenizer");
  if (tokenizer != dataset.attributes.end() && is_wordpiece_description(tokenizer->second)) {
    return wordpiece(dataset, parse_wordpiece_description(tokenizer->second));
  }
  return word_level(dataset);
}

}  // namespace topiary::data
