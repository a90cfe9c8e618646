#pragma once
// BERT encoder classifier (Devlin et al. 2019), the architecture of the pretrained BERT-family
// models that `topiary import hf` reads: word + position + token-type embeddings with a
// LayerNorm, post-LN blocks (attention, then GELU feed-forward, each added to its input and
// normalised), a tanh pooler over the first ([CLS]) token and a linear classifier. The block
// parameters use the encoder classifier's names, so recipes, head/neuron pruning and thinning
// address both the same way (hf/bert_names maps them to Hugging Face names):
// embedding.weight [V,D], position.weight [P,D], token_type.weight [2,D],
// embedding_norm.{weight,bias}, layers.<i>.attention.{q,k,v,o}.{weight,bias},
// layers.<i>.norm1.{weight,bias} (after attention), layers.<i>.ffn.{up,down}.{weight,bias},
// layers.<i>.norm2.{weight,bias} (after the feed-forward), pooler.{weight,bias} [D,D]/[D],
// fc.{weight,bias} [C,D]/[C].
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include "models/model.h"

namespace topiary::models {

class BertClassifier final : public Model {
 public:
  explicit BertClassifier(const ModelSpec& spec);
  torch::Tensor forward(const torch::Tensor& tokens) override;
  torch::Tensor forward_with_hidden(const torch::Tensor& tokens,
                                    std::vector<torch::Tensor>& hidden) override;
  // The last layer's hidden states [B, T, D] (padding id 0 masked as a key), what Hugging
  // Face's BertModel returns as last_hidden_state; `hidden`, when given, receives every
  // layer's.
  torch::Tensor encode(const torch::Tensor& tokens, std::vector<torch::Tensor>* hidden = nullptr);
  std::vector<std::string> lookup_tables() const override { return {"embedding.weight"}; }

 private:
  torch::Tensor key_mask(const torch::Tensor& tokens) const;
  torch::Tensor classify(const torch::Tensor& encoded);

  int64_t max_positions_;
  torch::nn::Embedding embedding_{nullptr}, position_{nullptr}, token_type_{nullptr};
  torch::nn::LayerNorm embedding_norm_{nullptr};
  torch::nn::ModuleList layers_{nullptr};
  torch::nn::Linear pooler_{nullptr}, fc_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
};

}  // namespace topiary::models
