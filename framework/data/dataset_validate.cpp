#include <set>

#include "core/error.h"
#include "data/dataset.h"
#include "data/lm_tokenizer.h"
#include "data/vocabulary.h"
#include "data/wordpiece_tokenizer.h"

namespace topiary::data {
namespace {

void check_names(const std::vector<std::string>& names, const std::string& where,
                 const std::string& dataset) {
  std::set<std::string> seen;
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string at = where + ": dataset '" + dataset + "' entry " + std::to_string(i);
    if (names[i].empty()) throw UserError(at + " is empty");
    if (names[i].find('\0') != std::string::npos) throw UserError(at + " contains a NUL byte");
    if (!seen.insert(names[i]).second) throw UserError(at + " repeats '" + names[i] + "'");
  }
}

void check_split(const TokenizedSplit& split, const std::string& name, const std::string& where,
                 size_t vocabulary_size, size_t label_count, bool labelled) {
  const std::string prefix = where + ": dataset '/" + name + "/";
  if (!labelled && !split.labels.empty()) {
    throw UserError(prefix + "labels' must be empty in a language-model dataset");
  }
  if (!labelled && split.offsets.empty()) {
    throw UserError(prefix + "offsets' is empty, expected documents + 1 entries");
  }
  const size_t n = labelled ? split.labels.size() : split.offsets.size() - 1;
  if (split.offsets.size() != n + 1) {
    throw UserError(prefix + "offsets' has " + std::to_string(split.offsets.size()) +
                    " entries, expected labels + 1 = " + std::to_string(n + 1));
  }
  if (split.offsets[0] != 0) {
    throw UserError(prefix + "offsets' must start at 0, starts at " +
                    std::to_string(split.offsets[0]));
  }
  for (size_t i = 1; i <= n; ++i) {
    if (split.offsets[i] < split.offsets[i - 1]) {
      throw UserError(prefix + "offsets' decreases at entry " + std::to_string(i) + " (" +
                      std::to_string(split.offsets[i - 1]) + " -> " +
                      std::to_string(split.offsets[i]) + ")");
    }
  }
  const auto token_count = static_cast<int64_t>(split.tokens.size());
  if (split.offsets[n] != token_count) {
    throw UserError(prefix + "offsets' ends at " + std::to_string(split.offsets[n]) + " but '/" +
                    name + "/tokens' has " + std::to_string(token_count) +
                    " entries (offsets out of range)");
  }
  for (size_t i = 0; i < split.tokens.size(); ++i) {
    const int32_t token = split.tokens[i];
    if (token < 0 || static_cast<size_t>(token) >= vocabulary_size) {
      throw UserError(prefix + "tokens' entry " + std::to_string(i) + " is " +
                      std::to_string(token) + ", outside the vocabulary of " +
                      std::to_string(vocabulary_size) + " tokens");
    }
  }
  for (size_t i = 0; labelled && i < n; ++i) {
    const int32_t label = split.labels[i];
    if (label < 0 || static_cast<size_t>(label) >= label_count) {
      throw UserError(prefix + "labels' entry " + std::to_string(i) + " is " +
                      std::to_string(label) + ", but there are " + std::to_string(label_count) +
                      " label names");
    }
  }
}

// Topiary's own vocabularies start "<pad>", "<unk>"; a wordpiece one is the tokenizer's, in its
// id order, and must hold the tokens its description names, with the pad token at id 0.
void check_vocabulary_start(const Dataset& dataset, const std::string& where) {
  const auto& vocabulary = dataset.vocabulary;
  const auto tokenizer = dataset.attributes.find("tokenizer");
  if (tokenizer == dataset.attributes.end() || !is_wordpiece_description(tokenizer->second)) {
    if (vocabulary.size() < 2 || vocabulary[kPadId] != kPadToken ||
        vocabulary[kUnkId] != kUnkToken) {
      throw UserError(where + ": dataset '/vocabulary' must start with \"<pad>\", \"<unk>\"");
    }
    return;
  }
  if (dataset.kind != kClassificationKind) {
    throw UserError(where + ": a wordpiece tokenizer is for classification datasets only");
  }
  try {
    WordPieceTokenizer::from_description(tokenizer->second, vocabulary);
  } catch (const UserError& e) {
    throw UserError(where + ": attribute 'tokenizer' and dataset '/vocabulary': " + e.what());
  }
}

}  // namespace

void validate_dataset(const Dataset& dataset, const std::string& where) {
  const auto& vocabulary = dataset.vocabulary;
  check_vocabulary_start(dataset, where);
  if (vocabulary.size() > static_cast<size_t>(INT32_MAX)) {
    throw UserError(where + ": dataset '/vocabulary' is larger than int32 ids allow");
  }
  check_names(vocabulary, where, "/vocabulary");
  const bool labelled = dataset.kind == kClassificationKind;
  if (!labelled && dataset.kind != kLanguageModelKind) {
    throw UserError(where + ": kind '" + dataset.kind + "' is neither '" + kClassificationKind +
                    "' nor '" + kLanguageModelKind + "'");
  }
  if (labelled) {
    if (dataset.label_names.empty()) {
      throw UserError(where + ": dataset '/label_names' is empty");
    }
    check_names(dataset.label_names, where, "/label_names");
  } else {
    if (!dataset.label_names.empty()) {
      throw UserError(where + ": a language-model dataset has no '/label_names'");
    }
    if (vocabulary.size() < 3 || vocabulary[kEosId] != kEosToken) {
      throw UserError(where +
                      ": dataset '/vocabulary' of a language model must start with "
                      "\"<pad>\", \"<unk>\", \"<eos>\"");
    }
  }
  check_split(dataset.train, "train", where, vocabulary.size(), dataset.label_names.size(),
              labelled);
  check_split(dataset.valid, "valid", where, vocabulary.size(), dataset.label_names.size(),
              labelled);
  if (dataset.has_test()) {
    check_split(dataset.test, "test", where, vocabulary.size(), dataset.label_names.size(),
                labelled);
  }
}

}  // namespace topiary::data
