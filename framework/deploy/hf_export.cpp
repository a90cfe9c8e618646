#include "deploy/hf_export.h"

#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "core/error.h"
#include "hf/bert_config.h"
#include "hf/bert_names.h"
#include "hf/pretrained.h"
#include "hf/safetensors.h"
#include "train/open_checkpoint.h"

namespace topiary::deploy {
namespace {

bool is_thinned(const models::ModelSpec& spec) {
  return !spec.heads_per_layer.empty() || !spec.ffn_per_layer.empty();
}

nlohmann::json exported_config(const models::ModelSpec& spec,
                               const std::vector<std::string>& label_names) {
  nlohmann::json config = hf::bert_classifier_config(spec, label_names);
  if (!is_thinned(spec)) return config;
  std::vector<int64_t> heads, ffn;
  for (size_t i = 0; i < static_cast<size_t>(spec.layers); ++i) {
    heads.push_back(spec.heads_at(i));
    ffn.push_back(spec.ffn_at(i));
  }
  config["architectures"] = {"TopiaryBertForSequenceClassification"};
  config["model_type"] = "topiary_bert";
  config["heads_per_layer"] = heads;
  config["ffn_per_layer"] = ffn;
  config["auto_map"] = {{"AutoConfig", "modeling_topiary_bert.TopiaryBertConfig"},
                        {"AutoModelForSequenceClassification",
                         "modeling_topiary_bert.TopiaryBertForSequenceClassification"}};
  return config;
}

// Transformers reads tokenizer.json for the vocabulary and rules; tokenizer_config.json says
// which class to build (needed when model_type is not bert) and the special tokens.
nlohmann::json tokenizer_config(const std::string& tokenizer_json, int64_t max_positions) {
  bool lowercase = true;
  try {
    const nlohmann::json tokenizer = nlohmann::json::parse(tokenizer_json);
    lowercase = tokenizer.at("normalizer").value("lowercase", true);
  } catch (const nlohmann::json::exception&) {
    // A tokenizer.json without a BERT normalizer: transformers' default (lowercase) applies.
  }
  return {{"tokenizer_class", "BertTokenizer"},
          {"do_lower_case", lowercase},
          {"unk_token", "[UNK]"},
          {"sep_token", "[SEP]"},
          {"pad_token", "[PAD]"},
          {"cls_token", "[CLS]"},
          {"mask_token", "[MASK]"},
          {"model_max_length", max_positions}};
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) throw UserError(path.string() + ": write failed");
}

}  // namespace

HfExportResult export_hf(const std::string& checkpoint, const std::string& dir,
                         const std::string& data_override) {
  train::OpenOptions options;
  options.data = data_override;
  train::OpenedCheckpoint opened = train::open_checkpoint(checkpoint, options);
  if (opened.spec.type != ModelType::kBert) {
    throw UserError(checkpoint + ": --format hf exports a BERT model; this one is " +
                    std::string(kModelTypes.name(opened.spec.type)));
  }
  const std::string tokenizer_json = hf::pretrained_tokenizer_json(opened.recipe.model.from);
  if (tokenizer_json.empty()) {
    throw UserError(opened.recipe.model.from + ": no tokenizer.json to export with the model");
  }
  std::filesystem::create_directories(dir);
  const std::filesystem::path folder(dir);
  HfExportResult result;
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  opened.masks.apply_to_weights(opened.parameters);  // pruned weights are stored as zeros
  for (const auto& [name, parameter] : opened.parameters) {
    tensors.emplace_back(hf::hf_name(name), parameter);
    result.parameters += parameter.numel();
  }
  result.tensors = static_cast<int64_t>(tensors.size());
  hf::write_safetensors((folder / "model.safetensors").string(), tensors, {{"format", "pt"}});
  const nlohmann::json config = exported_config(opened.spec, opened.dataset.label_names);
  write_text(folder / "config.json", config.dump(2) + "\n");
  write_text(folder / "tokenizer.json", tokenizer_json);
  write_text(folder / "tokenizer_config.json",
             tokenizer_config(tokenizer_json, opened.spec.max_positions).dump(2) + "\n");
  result.remote_code = is_thinned(opened.spec);
  if (result.remote_code) {
    write_text(folder / "modeling_topiary_bert.py", topiary_bert_modeling_source());
  }
  return result;
}

}  // namespace topiary::deploy
