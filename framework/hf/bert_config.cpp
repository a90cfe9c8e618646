#include "hf/bert_config.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "core/error.h"

namespace topiary::hf {
namespace {

int64_t positive(const nlohmann::json& config, const char* key, const std::string& where) {
  if (!config.contains(key)) throw UserError(where + ": key '" + key + "' is missing");
  const nlohmann::json& value = config.at(key);
  if (!value.is_number_integer() || value.get<int64_t>() < 1) {
    throw UserError(where + ": key '" + key + "' must be a whole number >= 1, found " +
                    value.dump());
  }
  return value.get<int64_t>();
}

double number_or(const nlohmann::json& config, const char* key, double fallback,
                 const std::string& where) {
  if (!config.contains(key)) return fallback;
  if (!config.at(key).is_number()) {
    throw UserError(where + ": key '" + key + "' must be a number, found " + config.at(key).dump());
  }
  return config.at(key).get<double>();
}

void require_string(const nlohmann::json& config, const char* key, const char* expected,
                    bool required, const std::string& where) {
  if (!config.contains(key)) {
    if (required) throw UserError(where + ": key '" + key + "' is missing");
    return;
  }
  const nlohmann::json& value = config.at(key);
  if (!value.is_string() || value.get<std::string>() != expected) {
    throw UserError(where + ": key '" + key + "' is " + value.dump() + "; only \"" + expected +
                    "\" is supported");
  }
}

}  // namespace

models::ModelSpec parse_bert_config(const nlohmann::json& config, const std::string& where) {
  if (!config.is_object()) throw UserError(where + ": not a JSON object");
  require_string(config, "model_type", "bert", true, where);
  require_string(config, "hidden_act", "gelu", false, where);
  require_string(config, "position_embedding_type", "absolute", false, where);
  models::ModelSpec spec;
  spec.type = ModelType::kBert;
  spec.vocab_size = positive(config, "vocab_size", where);
  spec.embedding_dim = positive(config, "hidden_size", where);
  spec.layers = positive(config, "num_hidden_layers", where);
  spec.heads = positive(config, "num_attention_heads", where);
  spec.ffn = positive(config, "intermediate_size", where);
  spec.max_positions = positive(config, "max_position_embeddings", where);
  spec.token_types =
      config.contains("type_vocab_size") ? positive(config, "type_vocab_size", where) : int64_t{2};
  spec.norm_eps = number_or(config, "layer_norm_eps", 1e-12, where);
  spec.dropout = number_or(config, "hidden_dropout_prob", 0.1, where);
  if (spec.embedding_dim % spec.heads != 0) {
    throw UserError(where + ": key 'num_attention_heads' (" + std::to_string(spec.heads) +
                    ") must divide 'hidden_size' (" + std::to_string(spec.embedding_dim) + ")");
  }
  if (config.contains("pad_token_id") && config.at("pad_token_id") != 0) {
    throw UserError(where + ": key 'pad_token_id' is " + config.at("pad_token_id").dump() +
                    "; Topiary pads with id 0");
  }
  return spec;
}

models::ModelSpec read_bert_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw UserError(path + ": cannot open: " + std::strerror(errno));
  nlohmann::json config;
  try {
    config = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw UserError(path + ": not JSON: " + e.what());
  }
  return parse_bert_config(config, path);
}

nlohmann::json bert_classifier_config(const models::ModelSpec& spec,
                                      const std::vector<std::string>& label_names) {
  nlohmann::json id2label = nlohmann::json::object(), label2id = nlohmann::json::object();
  for (size_t i = 0; i < label_names.size(); ++i) {
    id2label[std::to_string(i)] = label_names[i];
    label2id[label_names[i]] = i;
  }
  nlohmann::json config = {{"architectures", {"BertForSequenceClassification"}},
                           {"model_type", "bert"},
                           {"vocab_size", spec.vocab_size},
                           {"hidden_size", spec.embedding_dim},
                           {"num_hidden_layers", spec.layers},
                           {"num_attention_heads", spec.heads},
                           {"intermediate_size", spec.ffn},
                           {"hidden_act", "gelu"},
                           {"hidden_dropout_prob", spec.dropout},
                           {"attention_probs_dropout_prob", spec.dropout},
                           {"max_position_embeddings", spec.max_positions},
                           {"type_vocab_size", spec.token_types},
                           {"layer_norm_eps", spec.norm_eps},
                           {"position_embedding_type", "absolute"},
                           {"pad_token_id", 0},
                           {"initializer_range", 0.02},
                           {"num_labels", label_names.size()},
                           {"id2label", id2label},
                           {"label2id", label2id}};
  return config;
}

}  // namespace topiary::hf
