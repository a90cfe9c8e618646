#include "train/model_description.h"

#include <algorithm>
#include <optional>

#include "core/error.h"

namespace topiary::train {

nlohmann::json describe_model(const models::ModelSpec& spec, int64_t max_length) {
  nlohmann::json description = {{"type", std::string(kModelTypes.name(spec.type))},
                                {"vocab_size", spec.vocab_size},
                                {"num_classes", spec.num_classes},
                                {"embedding_dim", spec.embedding_dim},
                                {"filters", spec.filters},
                                {"filters_per_width", spec.filters_per_width},
                                {"widths", spec.widths},
                                {"dropout", spec.dropout},
                                {"hidden", spec.hidden},
                                {"hidden_per_layer", spec.hidden_per_layer},
                                {"layers", spec.layers},
                                {"heads", spec.heads},
                                {"heads_per_layer", spec.heads_per_layer},
                                {"ffn", spec.ffn},
                                {"ffn_per_layer", spec.ffn_per_layer},
                                {"max_positions", spec.max_positions},
                                {"tie_embeddings", spec.tie_embeddings},
                                {"max_length", max_length}};
  if (spec.type == ModelType::kBert) {  // only BERT has them; other descriptions stay as they were
    description["token_types"] = spec.token_types;
    description["norm_eps"] = spec.norm_eps;
  }
  return description;
}

models::ModelSpec spec_from_description(const std::string& json_text, const std::string& where,
                                        int64_t* max_length) {
  nlohmann::json description;
  try {
    description = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::exception& e) {
    throw UserError(where + ": model description is not JSON: " + e.what());
  }
  return spec_from_description(description, where, max_length);
}

models::ModelSpec spec_from_description(const nlohmann::json& d, const std::string& where,
                                        int64_t* max_length) {
  models::ModelSpec spec;
  std::string type;
  try {
    type = d.at("type").get<std::string>();
    spec.vocab_size = d.at("vocab_size").get<int64_t>();
    spec.num_classes = d.at("num_classes").get<int64_t>();
    spec.embedding_dim = d.at("embedding_dim").get<int64_t>();
    spec.filters = d.at("filters").get<int64_t>();
    spec.filters_per_width = d.value("filters_per_width", std::vector<int64_t>{});
    spec.widths = d.at("widths").get<std::vector<int64_t>>();
    spec.dropout = d.at("dropout").get<double>();
    spec.hidden = d.at("hidden").get<int64_t>();
    spec.hidden_per_layer = d.value("hidden_per_layer", std::vector<int64_t>{});
    spec.layers = d.at("layers").get<int64_t>();
    spec.heads = d.at("heads").get<int64_t>();
    spec.heads_per_layer = d.value("heads_per_layer", std::vector<int64_t>{});
    spec.ffn = d.at("ffn").get<int64_t>();
    spec.ffn_per_layer = d.value("ffn_per_layer", std::vector<int64_t>{});
    spec.max_positions = d.at("max_positions").get<int64_t>();
    spec.tie_embeddings = d.at("tie_embeddings").get<bool>();
    spec.token_types = d.value("token_types", spec.token_types);
    spec.norm_eps = d.value("norm_eps", spec.norm_eps);
    if (max_length) *max_length = d.value("max_length", int64_t{0});
  } catch (const nlohmann::json::exception& e) {
    throw UserError(where + ": model description: " + e.what());
  }
  // Stored as its name (core/model_type.h), so descriptions written by any version read back.
  const std::optional<ModelType> parsed = kModelTypes.parse(type);
  if (!parsed) {
    throw UserError("unknown model type '" + type + "'; known: " + kModelTypes.joined());
  }
  spec.type = *parsed;
  // Per-layer sizes (thinned models) must name every layer / width with a size >= 1.
  auto check = [&](const std::vector<int64_t>& sizes, const char* key, size_t count) {
    if (sizes.empty()) return;
    const bool positive = std::all_of(sizes.begin(), sizes.end(), [](int64_t v) { return v >= 1; });
    if (sizes.size() != count || !positive) {
      throw UserError(where + ": model description: '" + key + "' needs " + std::to_string(count) +
                      " sizes >= 1, one per " +
                      (std::string(key) == "filters_per_width" ? "width" : "layer"));
    }
  };
  const auto layers = static_cast<size_t>(std::max<int64_t>(0, spec.layers));
  check(spec.filters_per_width, "filters_per_width", spec.widths.size());
  check(spec.heads_per_layer, "heads_per_layer", layers);
  check(spec.ffn_per_layer, "ffn_per_layer", layers);
  check(spec.hidden_per_layer, "hidden_per_layer", std::max<size_t>(1, layers));
  return spec;
}

}  // namespace topiary::train
