#include "models/transformer.h"

#include <torch/torch.h>

#include "core/error.h"
#include "models/transformer_block.h"

namespace topiary::models {

TransformerClassifier::TransformerClassifier(const ModelSpec& spec)
    : heads_(spec.heads), max_positions_(spec.max_positions) {
  embedding_ = register_module(
      "embedding",
      torch::nn::Embedding(
          torch::nn::EmbeddingOptions(spec.vocab_size, spec.embedding_dim).padding_idx(0)));
  position_ =
      register_module("position", torch::nn::Embedding(spec.max_positions, spec.embedding_dim));
  layers_ = register_module("layers", make_transformer_blocks(spec));
  norm_ = register_module("norm",
                          torch::nn::LayerNorm(torch::nn::LayerNormOptions({spec.embedding_dim})));
  dropout_ = register_module("dropout", torch::nn::Dropout(spec.dropout));
  fc_ = register_module("fc", torch::nn::Linear(spec.embedding_dim, spec.num_classes));
  // BERT-style small initialisation of embeddings keeps early attention logits tame.
  torch::NoGradGuard no_grad;
  embedding_->weight.normal_(0.0, 0.02);
  embedding_->weight[0].zero_();
  position_->weight.normal_(0.0, 0.02);
}

torch::Tensor TransformerClassifier::forward(const torch::Tensor& input) {
  const torch::Tensor tokens =
      input.size(1) > max_positions_ ? input.narrow(1, 0, max_positions_) : input;
  const int64_t time = tokens.size(1);
  // Real tokens; an input without any is read as its first (padding) token, as the recurrent
  // models do, so that attention always has a key and the logits stay finite.
  torch::Tensor real = tokens != 0;  // [B, T]
  const torch::Tensor empty = ~real.any(1);
  if (empty.any().item<bool>()) {
    real = real.clone();
    real.select(1, 0).masked_fill_(empty, true);
  }
  const torch::Tensor positions = torch::arange(time, tokens.options());
  torch::Tensor x = dropout_->forward(embedding_->forward(tokens) + position_->forward(positions));
  // Every query may look at every real key; padded keys are hidden.
  const torch::Tensor mask = real.unsqueeze(1).unsqueeze(2);  // [B, 1, 1, T]
  for (const auto& layer : *layers_) x = layer->as<TransformerBlockImpl>()->forward(x, mask);
  x = norm_->forward(x);
  const torch::Tensor weights = real.unsqueeze(2).to(x.scalar_type());
  const torch::Tensor pooled = (x * weights).sum(1) / weights.sum(1).clamp_min(1.0);
  return fc_->forward(dropout_->forward(pooled));
}

}  // namespace topiary::models
