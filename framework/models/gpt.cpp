#include "models/gpt.h"

#include <torch/torch.h>

#include <cmath>

#include "core/error.h"
#include "models/transformer_block.h"

namespace topiary::models {

GptLanguageModel::GptLanguageModel(const ModelSpec& spec) : max_positions_(spec.max_positions) {
  embedding_ =
      register_module("embedding", torch::nn::Embedding(spec.vocab_size, spec.embedding_dim));
  stack_ = TransformerStack::register_on(*this, spec);
  if (!spec.tie_embeddings) {
    head_ = register_module(
        "head", torch::nn::Linear(
                    torch::nn::LinearOptions(spec.embedding_dim, spec.vocab_size).bias(false)));
  }
  // GPT-2 initialisation: N(0, 0.02) everywhere, residual projections scaled by 1/sqrt(2L) so
  // the residual stream's variance does not grow with depth; biases zero.
  torch::NoGradGuard no_grad;
  const double residual_std = 0.02 / std::sqrt(2.0 * static_cast<double>(spec.layers));
  for (auto& item : named_parameters()) {
    const std::string& name = item.key();
    torch::Tensor p = item.value();
    if (name.find("norm") != std::string::npos) continue;  // LayerNorm keeps 1 / 0
    if (name.size() > 5 && name.compare(name.size() - 5, 5, ".bias") == 0) {
      p.zero_();
    } else if (name.find("attention.o.weight") != std::string::npos ||
               name.find("ffn.down.weight") != std::string::npos) {
      p.normal_(0.0, residual_std);
    } else {
      p.normal_(0.0, 0.02);
    }
  }
}

torch::Tensor GptLanguageModel::forward(const torch::Tensor& tokens) {
  const int64_t time = tokens.size(1);
  TOPIARY_ASSERT(time <= max_positions_, "GPT input longer than model.max_positions");
  // Query t may attend to keys 0..t only.
  const torch::Tensor causal = torch::ones({time, time}, tokens.options().dtype(torch::kBool))
                                   .tril()
                                   .view({1, 1, time, time});
  const torch::Tensor x = stack_.forward(embedding_->forward(tokens), causal);
  return head_ ? head_->forward(x) : torch::matmul(x, embedding_->weight.t());
}

}  // namespace topiary::models
