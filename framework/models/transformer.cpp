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
  stack_ = TransformerStack::register_on(*this, spec);
  fc_ = register_module("fc", torch::nn::Linear(spec.embedding_dim, spec.num_classes));
  // BERT-style small initialisation of embeddings keeps early attention logits tame.
  torch::NoGradGuard no_grad;
  embedding_->weight.normal_(0.0, 0.02);
  embedding_->weight[0].zero_();
  stack_.position->weight.normal_(0.0, 0.02);
}

torch::Tensor TransformerClassifier::forward(const torch::Tensor& input) {
  const torch::Tensor tokens =
      input.size(1) > max_positions_ ? input.narrow(1, 0, max_positions_) : input;
  // Real tokens; an input without any is read as its first (padding) token, as the recurrent
  // models do, so that attention always has a key and the logits stay finite.
  torch::Tensor real = tokens != 0;  // [B, T]
  const torch::Tensor empty = ~real.any(1);
  if (empty.any().item<bool>()) {
    real = real.clone();
    real.select(1, 0).masked_fill_(empty, true);
  }
  // Every query may look at every real key; padded keys are hidden.
  const torch::Tensor mask = real.unsqueeze(1).unsqueeze(2);  // [B, 1, 1, T]
  const torch::Tensor x = stack_.forward(embedding_->forward(tokens), mask);
  const torch::Tensor weights = real.unsqueeze(2).to(x.scalar_type());
  const torch::Tensor pooled = (x * weights).sum(1) / weights.sum(1).clamp_min(1.0);
  return fc_->forward(stack_.dropout->forward(pooled));
}

}  // namespace topiary::models
