#include "models/bert.h"

#include <torch/torch.h>

#include "core/error.h"
#include "models/transformer_block.h"

namespace topiary::models {
namespace {

torch::nn::LayerNorm layer_norm(const ModelSpec& spec) {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({spec.embedding_dim}).eps(spec.norm_eps));
}

// Post-LN: each sub-layer's output (after dropout) is added to its input, then normalised.
class BertBlockImpl : public torch::nn::Module {
 public:
  BertBlockImpl(const ModelSpec& spec, int64_t heads, int64_t ffn) {
    const int64_t head_dim = spec.embedding_dim / spec.heads;
    attention_ =
        register_module("attention", Attention(spec.embedding_dim, heads, head_dim, spec.dropout));
    norm1_ = register_module("norm1", layer_norm(spec));
    // BERT drops out after the second projection (below), not between the two.
    ffn_ = register_module("ffn", FeedForward(spec.embedding_dim, ffn, 0.0));
    norm2_ = register_module("norm2", layer_norm(spec));
    dropout_ = register_module("dropout", torch::nn::Dropout(spec.dropout));
  }
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask) {
    const torch::Tensor h = norm1_->forward(x + dropout_->forward(attention_->forward(x, mask)));
    return norm2_->forward(h + dropout_->forward(ffn_->forward(h)));
  }

 private:
  Attention attention_{nullptr};
  torch::nn::LayerNorm norm1_{nullptr}, norm2_{nullptr};
  FeedForward ffn_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
};
TORCH_MODULE(BertBlock);

}  // namespace

BertClassifier::BertClassifier(const ModelSpec& spec) : max_positions_(spec.max_positions) {
  if (spec.embedding_dim % spec.heads != 0) {
    throw UserError("model.embedding_dim (" + std::to_string(spec.embedding_dim) +
                    ") must be divisible by model.heads (" + std::to_string(spec.heads) + ")");
  }
  const int64_t width = spec.embedding_dim;
  embedding_ = register_module(
      "embedding",
      torch::nn::Embedding(torch::nn::EmbeddingOptions(spec.vocab_size, width).padding_idx(0)));
  position_ = register_module("position", torch::nn::Embedding(spec.max_positions, width));
  token_type_ = register_module("token_type", torch::nn::Embedding(spec.token_types, width));
  embedding_norm_ = register_module("embedding_norm", layer_norm(spec));
  layers_ = register_module("layers", torch::nn::ModuleList());
  for (size_t i = 0; i < static_cast<size_t>(spec.layers); ++i) {
    layers_->push_back(BertBlock(spec, spec.heads_at(i), spec.ffn_at(i)));
  }
  pooler_ = register_module("pooler", torch::nn::Linear(width, width));
  fc_ = register_module("fc", torch::nn::Linear(width, spec.num_classes));
  dropout_ = register_module("dropout", torch::nn::Dropout(spec.dropout));
  // BERT's initialisation (normal, std 0.02) for a model trained from scratch; an imported
  // model overwrites everything but the classifier.
  torch::NoGradGuard no_grad;
  for (auto& parameter : named_parameters()) {
    const std::string& name = parameter.key();
    if (name.find("norm") != std::string::npos) continue;
    if (name.size() > 5 && name.compare(name.size() - 5, 5, ".bias") == 0) {
      parameter.value().zero_();
    } else {
      parameter.value().normal_(0.0, 0.02);
    }
  }
  embedding_->weight[0].zero_();
}

torch::Tensor BertClassifier::key_mask(const torch::Tensor& tokens) const {
  // An input without a real token attends to its first position, so the logits stay finite.
  torch::Tensor real = tokens != 0;
  const torch::Tensor empty = ~real.any(1);
  if (empty.any().item<bool>()) {
    real = real.clone();
    real.select(1, 0).masked_fill_(empty, true);
  }
  return real.unsqueeze(1).unsqueeze(2);  // [B, 1, 1, T]
}

torch::Tensor BertClassifier::encode(const torch::Tensor& input,
                                     std::vector<torch::Tensor>* hidden) {
  const torch::Tensor tokens =
      input.size(1) > max_positions_ ? input.narrow(1, 0, max_positions_) : input;
  const auto index_options = torch::TensorOptions(torch::kLong).device(tokens.device());
  const torch::Tensor positions = torch::arange(tokens.size(1), index_options);
  const torch::Tensor types = torch::zeros({tokens.size(1)}, index_options);
  torch::Tensor x =
      embedding_->forward(tokens) + position_->forward(positions) + token_type_->forward(types);
  x = dropout_->forward(embedding_norm_->forward(x));
  const torch::Tensor mask = key_mask(tokens);
  if (hidden != nullptr) hidden->clear();
  for (const auto& layer : *layers_) {
    x = layer->as<BertBlockImpl>()->forward(x, mask);
    if (hidden != nullptr) hidden->push_back(x);
  }
  return x;
}

torch::Tensor BertClassifier::forward(const torch::Tensor& tokens) {
  return classify(encode(tokens));
}

torch::Tensor BertClassifier::forward_with_hidden(const torch::Tensor& tokens,
                                                  std::vector<torch::Tensor>& hidden) {
  return classify(encode(tokens, &hidden));
}

torch::Tensor BertClassifier::classify(const torch::Tensor& encoded) {
  const torch::Tensor first = encoded.select(1, 0);  // the [CLS] position
  const torch::Tensor pooled = torch::tanh(pooler_->forward(first));
  return fc_->forward(dropout_->forward(pooled));
}

}  // namespace topiary::models
