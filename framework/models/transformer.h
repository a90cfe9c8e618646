#pragma once
// BERT-style (pre-LN) Transformer encoder classifier with learned positions and mean pooling
// over real tokens. Attention projections are separate so that head-structured pruning can
// address them: rows [h*d, (h+1)*d) of q/k/v.weight and columns of o.weight belong to head h.
// Parameters: embedding.weight [V,D], position.weight [P,D],
// layers.<i>.norm1.{weight,bias}, layers.<i>.attention.{q,k,v,o}.{weight,bias} [D,D]/[D],
// layers.<i>.norm2.{weight,bias}, layers.<i>.ffn.up.{weight,bias} [F,D]/[F],
// layers.<i>.ffn.down.{weight,bias} [D,F]/[D], norm.{weight,bias}, fc.{weight,bias} [C,D]/[C].
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>

#include "models/model.h"
#include "models/transformer_block.h"

namespace topiary::models {

class TransformerClassifier final : public Model {
 public:
  explicit TransformerClassifier(const ModelSpec& spec);
  torch::Tensor forward(const torch::Tensor& tokens) override;
  std::vector<std::string> lookup_tables() const override { return {"embedding.weight"}; }

 private:
  int64_t heads_;
  int64_t max_positions_;
  torch::nn::Embedding embedding_{nullptr};
  TransformerStack stack_;
  torch::nn::Linear fc_{nullptr};
};

}  // namespace topiary::models
