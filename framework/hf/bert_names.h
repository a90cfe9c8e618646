#pragma once
// Parameter names: Hugging Face BERT <-> BertClassifier (models/bert.h). The encoder's names
// are those of BertModel; a BertForSequenceClassification file prefixes them with "bert." and
// adds classifier.{weight,bias} (our fc).
#include <optional>
#include <string>

namespace topiary::hf {

// Our name for a Hugging Face tensor; nullopt for a tensor that is not part of the encoder
// classifier (see is_ignored_tensor) or that BERT does not have.
std::optional<std::string> topiary_name(const std::string& hf_name);

// Tensors found in BERT files that the classifier does not use: the position_ids buffer and the
// pre-training heads (cls.*).
bool is_ignored_tensor(const std::string& hf_name);

// The BertForSequenceClassification name of one of our parameters.
std::string hf_name(const std::string& topiary_name);

}  // namespace topiary::hf
