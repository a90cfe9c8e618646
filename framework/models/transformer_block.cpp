#include "models/transformer_block.h"

#include <torch/nn/functional/activation.h>
#include <torch/torch.h>

#include <cmath>

#include "core/error.h"

namespace topiary::models {

AttentionImpl::AttentionImpl(int64_t width, int64_t heads, int64_t head_dim, double dropout)
    : heads_(heads), head_dim_(head_dim) {
  const int64_t inner = heads * head_dim;
  q_ = register_module("q", torch::nn::Linear(width, inner));
  k_ = register_module("k", torch::nn::Linear(width, inner));
  v_ = register_module("v", torch::nn::Linear(width, inner));
  o_ = register_module("o", torch::nn::Linear(inner, width));
  dropout_ = register_module("dropout", torch::nn::Dropout(dropout));
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& mask) {
  const int64_t batch = x.size(0), time = x.size(1);
  const int64_t head_dim = head_dim_;
  auto split = [&](const torch::Tensor& t) {
    return t.view({batch, time, heads_, head_dim}).transpose(1, 2);  // [B, H, T, d]
  };
  const torch::Tensor q = split(q_->forward(x));
  const torch::Tensor k = split(k_->forward(x));
  const torch::Tensor v = split(v_->forward(x));
  torch::Tensor scores =
      torch::matmul(q, k.transpose(-2, -1)) / std::sqrt(static_cast<double>(head_dim));
  scores = scores.masked_fill(~mask, -std::numeric_limits<float>::infinity());
  const torch::Tensor weights = dropout_->forward(torch::softmax(scores, -1));
  const torch::Tensor mixed =
      torch::matmul(weights, v).transpose(1, 2).reshape({batch, time, heads_ * head_dim});
  return o_->forward(mixed);
}

FeedForwardImpl::FeedForwardImpl(int64_t width, int64_t hidden, double dropout) {
  up_ = register_module("up", torch::nn::Linear(width, hidden));
  down_ = register_module("down", torch::nn::Linear(hidden, width));
  dropout_ = register_module("dropout", torch::nn::Dropout(dropout));
}

torch::Tensor FeedForwardImpl::forward(const torch::Tensor& x) {
  return down_->forward(dropout_->forward(torch::gelu(up_->forward(x))));
}

TransformerBlockImpl::TransformerBlockImpl(int64_t width, int64_t heads, int64_t head_dim,
                                           int64_t ffn, double dropout) {
  norm1_ = register_module("norm1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({width})));
  attention_ = register_module("attention", Attention(width, heads, head_dim, dropout));
  norm2_ = register_module("norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({width})));
  ffn_ = register_module("ffn", FeedForward(width, ffn, dropout));
}

torch::Tensor TransformerBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& mask) {
  torch::Tensor h = x + attention_->forward(norm1_->forward(x), mask);
  return h + ffn_->forward(norm2_->forward(h));
}

torch::nn::ModuleList make_transformer_blocks(const ModelSpec& spec) {
  if (spec.embedding_dim % spec.heads != 0) {
    throw UserError("model.embedding_dim (" + std::to_string(spec.embedding_dim) +
                    ") must be divisible by model.heads (" + std::to_string(spec.heads) + ")");
  }
  torch::nn::ModuleList blocks;
  const int64_t head_dim = spec.embedding_dim / spec.heads;
  for (size_t i = 0; i < static_cast<size_t>(spec.layers); ++i) {
    blocks->push_back(TransformerBlock(spec.embedding_dim, spec.heads_at(i), head_dim,
                                       spec.ffn_at(i), spec.dropout));
  }
  return blocks;
}

TransformerStack TransformerStack::register_on(torch::nn::Module& owner, const ModelSpec& spec) {
  TransformerStack stack;
  stack.position = owner.register_module(
      "position", torch::nn::Embedding(spec.max_positions, spec.embedding_dim));
  stack.layers = owner.register_module("layers", make_transformer_blocks(spec));
  stack.norm = owner.register_module(
      "norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({spec.embedding_dim})));
  stack.dropout = owner.register_module("dropout", torch::nn::Dropout(spec.dropout));
  return stack;
}

torch::Tensor TransformerStack::forward(const torch::Tensor& token_embeddings,
                                        const torch::Tensor& mask) {
  const torch::Tensor positions =
      torch::arange(token_embeddings.size(1),
                    torch::TensorOptions(torch::kLong).device(token_embeddings.device()));
  torch::Tensor x = dropout->forward(token_embeddings + position->forward(positions));
  for (const auto& layer : *layers) x = layer->as<TransformerBlockImpl>()->forward(x, mask);
  return norm->forward(x);
}

}  // namespace topiary::models
