#include "hf/pretrained.h"

#include <H5Cpp.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "hf/bert_config.h"
#include "hf/bert_names.h"
#include "hf/safetensors.h"
#include "io/checkpoint_file.h"
#include "io/hdf5_util.h"
#include "io/imported_model.h"
#include "models/bert.h"

namespace topiary::hf {
namespace {

constexpr const char* kConfigAttribute = io::kImportedConfigAttribute;
constexpr const char* kTokenizerAttribute = io::kImportedTokenizerAttribute;
constexpr const char* kSourceAttribute = io::kImportedSourceAttribute;

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError(path + ": cannot open");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string shape_text(c10::IntArrayRef shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

// The shapes config.json implies, from a model built with it (the classifier head excluded).
std::map<std::string, std::vector<int64_t>> expected_shapes(const models::ModelSpec& spec) {
  models::ModelSpec probe = spec;
  probe.num_classes = 1;
  models::BertClassifier model(probe);
  std::map<std::string, std::vector<int64_t>> shapes;
  for (const auto& item : model.named_parameters()) {
    if (item.key().rfind("fc.", 0) != 0) shapes[item.key()] = item.value().sizes().vec();
  }
  return shapes;
}

// Hugging Face names -> ours; a tensor BERT does not have is a UserError naming the file.
std::map<std::string, torch::Tensor> renamed_weights(
    const std::map<std::string, torch::Tensor>& stored, const std::string& file) {
  std::map<std::string, torch::Tensor> weights;
  for (const auto& [name, tensor] : stored) {
    if (is_ignored_tensor(name)) continue;
    const std::optional<std::string> ours = topiary_name(name);
    if (!ours) throw UserError(file + ": tensor '" + name + "' is not part of a BERT model");
    if (*ours == "fc.weight" || *ours == "fc.bias") continue;  // the task's head is new
    weights[*ours] = tensor;
  }
  return weights;
}

// Every tensor config.json implies must be there with its shape, and nothing else; errors
// name the file and the tensor as the file names it (`stored_name`).
void check_against_config(const std::map<std::string, torch::Tensor>& weights,
                          const models::ModelSpec& spec, const std::string& file,
                          std::string (*stored_name)(const std::string&)) {
  const auto expected = expected_shapes(spec);
  for (const auto& [name, tensor] : weights) {
    const auto want = expected.find(name);
    if (want == expected.end()) {
      throw UserError(file + ": tensor '" + name + "' is not part of a BERT model");
    }
    if (tensor.sizes().vec() != want->second) {
      throw UserError(file + ": tensor '" + stored_name(name) + "' has shape " +
                      shape_text(tensor.sizes()) + "; config.json gives " +
                      shape_text(want->second));
    }
  }
  for (const auto& [name, shape] : expected) {
    if (!weights.count(name)) {
      throw UserError(file + ": tensor '" + stored_name(name) + "' (" + shape_text(shape) +
                      ") is missing");
    }
  }
}

std::string same_name(const std::string& name) { return name; }
// As a BertModel file names it (BertForSequenceClassification files add "bert.").
std::string encoder_file_name(const std::string& ours) {
  const std::string name = hf_name(ours);
  return name.rfind("bert.", 0) == 0 ? name.substr(5) : name;
}

PretrainedModel load_folder(const std::string& dir) {
  PretrainedModel model;
  model.source = dir;
  const std::string config_path = dir + "/config.json";
  model.config_json = read_text(config_path);
  model.spec = read_bert_config(config_path);
  const std::string weights_path = dir + "/model.safetensors";
  if (!std::filesystem::exists(weights_path)) {
    throw UserError(weights_path + ": missing (only safetensors weights are read)");
  }
  model.weights = renamed_weights(read_safetensors(weights_path), weights_path);
  check_against_config(model.weights, model.spec, weights_path, encoder_file_name);
  const std::string tokenizer_path = dir + "/tokenizer.json";
  if (std::filesystem::exists(tokenizer_path)) model.tokenizer_json = read_text(tokenizer_path);
  return model;
}

std::string required_attribute(const std::map<std::string, std::string>& attributes,
                               const char* name, const std::string& path) {
  const auto it = attributes.find(name);
  if (it == attributes.end()) {
    throw UserError(path + ": not a model written by `topiary import hf` (no " + name + ")");
  }
  return it->second;
}

nlohmann::json parse_config(const std::string& text, const std::string& where) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw UserError(where + ": config.json attribute is not JSON: " + e.what());
  }
}

PretrainedModel load_imported(const std::string& path) {
  io::CheckpointContents contents = io::read_checkpoint(path);
  PretrainedModel model;
  model.source = path;
  model.config_json = required_attribute(contents.attributes, kConfigAttribute, path);
  model.spec = parse_bert_config(parse_config(model.config_json, path), path);
  model.tokenizer_json = contents.attributes[kTokenizerAttribute];
  for (io::NamedArray& array : contents.weights) {
    model.weights[array.name] = torch::from_blob(array.values.data(), array.shape).clone();
  }
  check_against_config(model.weights, model.spec, path, same_name);
  return model;
}

}  // namespace

PretrainedModel load_pretrained(const std::string& path) {
  if (std::filesystem::is_directory(path)) return load_folder(path);
  if (!std::filesystem::exists(path)) {
    throw UserError(path +
                    ": no such pretrained model (a Hugging Face folder with config.json "
                    "and model.safetensors, or a file from `topiary import hf`)");
  }
  return load_imported(path);
}

namespace {
std::map<std::string, std::string> imported_attributes(const std::string& path) {
  if (!std::filesystem::exists(path)) {
    throw UserError(path +
                    ": no such pretrained model (a Hugging Face folder with config.json "
                    "and model.safetensors, or a file from `topiary import hf`)");
  }
  return io::checked_hdf5(path, [&] {
    const H5::H5File file(path, H5F_ACC_RDONLY);
    return io::read_string_attributes(file);
  });
}
}  // namespace

std::string pretrained_tokenizer_json(const std::string& path) {
  if (std::filesystem::is_directory(path)) {
    const std::string file = path + "/tokenizer.json";
    return std::filesystem::exists(file) ? read_text(file) : std::string();
  }
  const auto attributes = imported_attributes(path);
  required_attribute(attributes, kConfigAttribute, path);
  const auto found = attributes.find(kTokenizerAttribute);
  return found == attributes.end() ? std::string() : found->second;
}

models::ModelSpec pretrained_spec(const std::string& path) {
  if (std::filesystem::is_directory(path)) return read_bert_config(path + "/config.json");
  const auto attributes = imported_attributes(path);
  const std::string text = required_attribute(attributes, kConfigAttribute, path);
  return parse_bert_config(parse_config(text, path), path);
}

void write_imported_model(const PretrainedModel& model, const std::string& path) {
  io::CheckpointContents contents;
  for (const auto& [name, tensor] : model.weights) {
    const torch::Tensor values = tensor.to(torch::kFloat).contiguous();
    contents.weights.push_back(
        {name, values.sizes().vec(),
         std::vector<float>(values.data_ptr<float>(), values.data_ptr<float>() + values.numel())});
  }
  contents.attributes[kConfigAttribute] = model.config_json;
  contents.attributes[kTokenizerAttribute] = model.tokenizer_json;
  contents.attributes[kSourceAttribute] = model.source;
  io::write_checkpoint(path, contents);
}

std::vector<std::string> copy_pretrained_weights(
    const PretrainedModel& model,
    const std::vector<std::pair<std::string, torch::Tensor>>& parameters) {
  torch::NoGradGuard no_grad;
  std::vector<std::string> untouched;
  for (const auto& [name, parameter] : parameters) {
    const auto found = model.weights.find(name);
    if (found == model.weights.end()) {
      untouched.push_back(name);
      continue;
    }
    TOPIARY_ASSERT(found->second.sizes() == parameter.sizes(),
                   "pretrained tensor " + name + " does not fit the model built from its config");
    parameter.copy_(found->second);
  }
  return untouched;
}

}  // namespace topiary::hf
