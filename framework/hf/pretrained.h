#pragma once
// Pretrained BERT-family models from Hugging Face files: a folder with config.json and
// model.safetensors (and usually tokenizer.json), or the single HDF5 file `topiary import hf`
// writes from one (weights under our parameter names, config.json and tokenizer.json as
// attributes). Every tensor is checked against the architecture config.json describes, so a
// file whose shapes disagree with its config is refused naming both.
#include <torch/types.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "models/model.h"

namespace topiary::hf {

struct PretrainedModel {
  models::ModelSpec spec;                        // num_classes 0: the task sets it
  std::map<std::string, torch::Tensor> weights;  // our names (models/bert.h), float32, no fc.*
  std::string config_json;                       // the config.json text
  std::string tokenizer_json;                    // tokenizer.json text; empty when absent
  std::string source;                            // the folder or file it was read from
};

PretrainedModel load_pretrained(const std::string& path);
// Only the architecture (reads config.json, or the imported file's attribute).
models::ModelSpec pretrained_spec(const std::string& path);

// The tokenizer.json text of a pretrained model (folder or imported file); empty when it has none.
std::string pretrained_tokenizer_json(const std::string& path);

// `topiary import hf`: the model as one HDF5 file, written atomically.
void write_imported_model(const PretrainedModel& model, const std::string& path);

// Copies the pretrained weights into a BertClassifier's parameters (same architecture); the
// classifier head (fc.*) keeps its fresh initialisation. Returns the names left untouched.
std::vector<std::string> copy_pretrained_weights(
    const PretrainedModel& model,
    const std::vector<std::pair<std::string, torch::Tensor>>& parameters);

}  // namespace topiary::hf
