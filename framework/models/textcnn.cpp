#include "models/textcnn.h"

#include <torch/nn/functional/activation.h>

#include <algorithm>
#include <limits>

namespace topiary::models {

TextCnn::TextCnn(const ModelSpec& spec) {
  embedding_ = register_module(
      "embedding",
      torch::nn::Embedding(
          torch::nn::EmbeddingOptions(spec.vocab_size, spec.embedding_dim).padding_idx(0)));
  convs_ = register_module("convs", torch::nn::ModuleList());
  widths_ = spec.widths;
  int64_t features = 0;
  for (size_t i = 0; i < spec.widths.size(); ++i) {
    const int64_t width = spec.widths[i];
    convs_->push_back(
        torch::nn::Conv1d(torch::nn::Conv1dOptions(spec.embedding_dim, spec.filters_at(i), width)));
    max_width_ = std::max(max_width_, width);
    features += spec.filters_at(i);
  }
  dropout_ = register_module("dropout", torch::nn::Dropout(spec.dropout));
  fc_ = register_module("fc", torch::nn::Linear(features, spec.num_classes));
}

torch::Tensor TextCnn::forward(const torch::Tensor& tokens) {
  // Padding must not change the result (a batch padded to a longer example, or split across
  // ranks, gives the same logits): windows that reach past an example's last real token are
  // excluded from max-over-time pooling. Id 0 is <pad> and never a real token.
  const torch::Tensor lengths = (tokens != 0).sum(1, /*keepdim=*/true);
  // [B, L] -> [B, E, L] so that convolutions slide over time. Made contiguous once here:
  // otherwise every convolution converts the strided view itself (3 copies instead of 1).
  const torch::Tensor embedded = embedding_->forward(tokens).transpose(1, 2).contiguous();
  std::vector<torch::Tensor> pooled;
  pooled.reserve(convs_->size());
  for (size_t i = 0; i < convs_->size(); ++i) {
    torch::Tensor features = convs_[i]->as<torch::nn::Conv1d>()->forward(embedded);
    const int64_t windows = features.size(2);
    // At least the first window stays, for examples shorter than the filter.
    const torch::Tensor valid_windows = (lengths - widths_[i] + 1).clamp_min(1);
    const torch::Tensor positions = torch::arange(windows, tokens.options()).unsqueeze(0);
    features = features.masked_fill((positions >= valid_windows).unsqueeze(1),
                                    -std::numeric_limits<float>::infinity());
    // relu(max(x)) == max(relu(x)), and cheaper.
    pooled.push_back(torch::relu(std::get<0>(features.max(/*dim=*/2))));
  }
  return fc_->forward(dropout_->forward(torch::cat(pooled, 1)));
}

}  // namespace topiary::models
