#pragma once
// A model's architecture as JSON (the export's "model" attribute): what python/topiary_h5 and
// `topiary predict` need to rebuild it without the recipe. Keys are ModelSpec's fields, plus
// max_length (classifier input truncation).
#include <nlohmann/json.hpp>

#include "models/model.h"

namespace topiary::train {

nlohmann::json describe_model(const models::ModelSpec& spec, int64_t max_length);
// UserError naming `where` for a missing or mistyped key.
// The same from the JSON text of a file attribute (not JSON is a UserError too).
models::ModelSpec spec_from_description(const std::string& json_text, const std::string& where,
                                        int64_t* max_length);
models::ModelSpec spec_from_description(const nlohmann::json& description, const std::string& where,
                                        int64_t* max_length);

}  // namespace topiary::train
