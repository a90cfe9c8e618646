#pragma once
// A Hugging Face BERT config.json <-> the encoder's ModelSpec. Only what the BertClassifier
// implements is accepted: model_type bert, hidden_act gelu, absolute positions; anything else
// is a UserError naming the file and key, so a model that would compute something different is
// never loaded silently.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/model.h"

namespace topiary::hf {

// type kBert, vocab_size, embedding_dim (hidden_size), layers, heads, ffn (intermediate_size),
// max_positions, token_types, norm_eps and dropout (hidden_dropout_prob); num_classes 0.
models::ModelSpec read_bert_config(const std::string& path);
models::ModelSpec parse_bert_config(const nlohmann::json& config, const std::string& where);

// config.json of a BertForSequenceClassification with the spec's sizes (not the per-layer
// sizes of a thinned model) and the label names.
nlohmann::json bert_classifier_config(const models::ModelSpec& spec,
                                      const std::vector<std::string>& label_names);

}  // namespace topiary::hf
