#include "train/checkpoint.h"

#include <torch/torch.h>

#include "io/checkpoint_file.h"

namespace topiary::train {
namespace {

io::NamedArray to_array(const std::string& name, const torch::Tensor& tensor) {
  torch::Tensor cpu = tensor.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  io::NamedArray array;
  array.name = name;
  array.shape.assign(cpu.sizes().begin(), cpu.sizes().end());
  array.values.assign(cpu.data_ptr<float>(), cpu.data_ptr<float>() + cpu.numel());
  return array;
}

}  // namespace

void write_training_checkpoint(const std::string& path,
                               const std::vector<std::pair<std::string, torch::Tensor>>& parameters,
                               const MaskSet& masks, const recipe::Recipe& recipe, int64_t step) {
  io::CheckpointContents contents;
  for (const auto& [name, parameter] : parameters) contents.weights.push_back(to_array(name, parameter));
  for (const auto& [name, mask] : masks.all()) contents.masks.push_back(to_array(name, mask));
  contents.attributes["step"] = std::to_string(step);
  contents.attributes["recipe"] = recipe.effective_yaml;
  contents.attributes["model_type"] = recipe.model.type;
  io::write_checkpoint(path, contents);
}

void write_rank_masks(const std::string& path, const MaskSet& masks) {
  io::CheckpointContents contents;
  for (const auto& [name, mask] : masks.all()) contents.masks.push_back(to_array(name, mask));
  contents.attributes["content"] = "masks of one rank";
  io::write_checkpoint(path, contents);
}

}  // namespace topiary::train
