#include "models/textcnn.h"

#include <torch/nn/functional/activation.h>

#include <algorithm>

namespace topiary::models {

TextCnn::TextCnn(const ClassifierSpec& spec) {
  embedding_ = register_module(
      "embedding",
      torch::nn::Embedding(torch::nn::EmbeddingOptions(spec.vocab_size, spec.embedding_dim)));
  convs_ = register_module("convs", torch::nn::ModuleList());
  for (int64_t width : spec.widths) {
    convs_->push_back(torch::nn::Conv1d(
        torch::nn::Conv1dOptions(spec.embedding_dim, spec.filters, width)));
    max_width_ = std::max(max_width_, width);
  }
  dropout_ = register_module("dropout", torch::nn::Dropout(spec.dropout));
  fc_ = register_module(
      "fc", torch::nn::Linear(spec.filters * static_cast<int64_t>(spec.widths.size()),
                              spec.num_classes));
}

torch::Tensor TextCnn::forward(const torch::Tensor& tokens) {
  // [B, L] -> [B, E, L] so that convolutions slide over time.
  const torch::Tensor embedded = embedding_->forward(tokens).transpose(1, 2);
  std::vector<torch::Tensor> pooled;
  pooled.reserve(convs_->size());
  for (const auto& conv : *convs_) {
    torch::Tensor features = torch::relu(conv->as<torch::nn::Conv1d>()->forward(embedded));
    pooled.push_back(std::get<0>(features.max(/*dim=*/2)));
  }
  return fc_->forward(dropout_->forward(torch::cat(pooled, 1)));
}

}  // namespace topiary::models
