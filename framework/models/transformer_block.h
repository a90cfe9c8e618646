#pragma once
// One pre-LN Transformer block with explicit per-head attention projections; shared by the
// encoder classifier (bidirectional, key padding mask) and the GPT decoder (causal mask).
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include "models/model.h"

namespace topiary::models {

class AttentionImpl : public torch::nn::Module {
 public:
  // q/k/v project width -> heads * head_dim, o projects back (head_dim = width / heads unless
  // the model was thinned to fewer heads).
  AttentionImpl(int64_t width, int64_t heads, int64_t head_dim, double dropout);
  // mask: bool, broadcastable to [B, heads, T, T]; true = may attend.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask);

 private:
  int64_t heads_;
  int64_t head_dim_;
  torch::nn::Linear q_{nullptr}, k_{nullptr}, v_{nullptr}, o_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
};
TORCH_MODULE(Attention);

class FeedForwardImpl : public torch::nn::Module {
 public:
  FeedForwardImpl(int64_t width, int64_t hidden, double dropout);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::Linear up_{nullptr}, down_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
};
TORCH_MODULE(FeedForward);

class TransformerBlockImpl : public torch::nn::Module {
 public:
  TransformerBlockImpl(int64_t width, int64_t heads, int64_t head_dim, int64_t ffn, double dropout);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask);

 private:
  torch::nn::LayerNorm norm1_{nullptr}, norm2_{nullptr};
  Attention attention_{nullptr};
  FeedForward ffn_{nullptr};
};
TORCH_MODULE(TransformerBlock);

// The `spec.layers` blocks of an encoder or decoder (per-layer heads / FFN widths of thinned
// models; head width embedding_dim / heads). UserError when heads do not divide the width.
torch::nn::ModuleList make_transformer_blocks(const ModelSpec& spec);

// What the encoder classifier and the GPT decoder share after their token embedding: learned
// positions, the blocks and a final LayerNorm, with dropout on the embedded input. Registered
// on the owning model as position, layers, norm and dropout, in that order (parameter order
// decides bucket order in the gradient exchange, so it must not change).
struct TransformerStack {
  static TransformerStack register_on(torch::nn::Module& owner, const ModelSpec& spec);
  // token_embeddings [B, T, D] -> normalised hidden states [B, T, D]; mask as for the blocks.
  torch::Tensor forward(const torch::Tensor& token_embeddings, const torch::Tensor& mask);

  torch::nn::Embedding position{nullptr};
  torch::nn::ModuleList layers{nullptr};
  torch::nn::LayerNorm norm{nullptr};
  torch::nn::Dropout dropout{nullptr};
};

}  // namespace topiary::models
