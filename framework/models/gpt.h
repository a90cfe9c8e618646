#pragma once
// GPT-style decoder language model: pre-LN Transformer blocks with causal attention, learned
// positions, a final LayerNorm and an output projection that is the token embedding itself
// unless tie_embeddings is false. Same block and parameter names as the encoder classifier, so
// recipes address heads and FFN neurons alike:
// embedding.weight [V,D], position.weight [P,D], layers.<i>.norm1.{weight,bias},
// layers.<i>.attention.{q,k,v,o}.{weight,bias} [D,D]/[D], layers.<i>.norm2.{weight,bias},
// layers.<i>.ffn.up.{weight,bias} [F,D]/[F], layers.<i>.ffn.down.{weight,bias} [D,F]/[D],
// norm.{weight,bias}, and without tying head.weight [V,D].
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>

#include "models/model.h"
#include "models/transformer_block.h"

namespace topiary::models {

class GptLanguageModel final : public Model {
 public:
  explicit GptLanguageModel(const ModelSpec& spec);
  // tokens [B, T] with T <= max_positions; returns next-token logits [B, T, V].
  torch::Tensor forward(const torch::Tensor& tokens) override;
  // Tied, the output projection reads every row of the table.
  std::vector<std::string> lookup_tables() const override {
    return head_ ? std::vector<std::string>{"embedding.weight"} : std::vector<std::string>{};
  }
  bool is_language_model() const override { return true; }
  int64_t context() const { return max_positions_; }

 private:
  int64_t max_positions_;
  torch::nn::Embedding embedding_{nullptr};
  TransformerStack stack_;
  torch::nn::Linear head_{nullptr};  // null when tied
};

}  // namespace topiary::models
