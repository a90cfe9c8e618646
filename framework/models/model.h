#pragma once
// Text models (classifiers and the GPT language model) share one interface so the trainer and
// pruners never depend on a concrete model. Parameter names are stable and documented: recipes
// target them by name.
#include <torch/nn/module.h>
#include <torch/types.h>

#include <memory>
#include <string>
#include <vector>

#include "core/embedding_init.h"
#include "core/model_type.h"

namespace topiary::models {

struct ModelSpec {
  ModelType type = ModelType::kTextCnn;  // kModelTypes spells it
  int64_t vocab_size = 0;
  int64_t num_classes = 0;
  int64_t embedding_dim = 128;
  // How embedding.weight is drawn (make_model; the padding row stays zero). Not stored with a
  // model: it only matters before training.
  EmbeddingInit embedding_init = EmbeddingInit::kNormal;
  double embedding_init_range = 0.25;  // kUniform: U(-range, range)
  int64_t filters = 100;
  std::vector<int64_t> widths{3, 4, 5};
  double dropout = 0.5;
  // bilstm / bigru
  int64_t hidden = 128;
  int64_t layers = 1;
  // transformer
  int64_t heads = 4;
  int64_t ffn = 512;
  int64_t max_positions = 256;  // transformer, gpt (gpt: also the context length)
  bool tie_embeddings = true;   // gpt: the output projection is embedding.weight
  // bert: segment (token type) embeddings and the LayerNorm epsilon of the pretrained model
  int64_t token_types = 2;
  double norm_eps = 1e-12;
  // Thinned models (`topiary thin`) differ per layer; empty = `filters` / `heads` / `ffn` /
  // `hidden` for every convolution width / block / recurrent layer. Head width stays
  // embedding_dim / heads; both directions of a recurrent layer have the same size.
  std::vector<int64_t> filters_per_width;
  std::vector<int64_t> heads_per_layer;
  std::vector<int64_t> ffn_per_layer;
  std::vector<int64_t> hidden_per_layer;
  int64_t filters_at(size_t i) const {
    return filters_per_width.empty() ? filters : filters_per_width.at(i);
  }
  int64_t heads_at(size_t i) const {
    return heads_per_layer.empty() ? heads : heads_per_layer.at(i);
  }
  int64_t ffn_at(size_t i) const { return ffn_per_layer.empty() ? ffn : ffn_per_layer.at(i); }
  int64_t hidden_at(size_t i) const {
    return hidden_per_layer.empty() ? hidden : hidden_per_layer.at(i);
  }
};

class Model : public torch::nn::Module {
 public:
  // tokens: int64 [batch, length], padded with id 0. Returns logits [batch, num_classes] for a
  // classifier, next-token logits [batch, length, vocab] for a language model.
  virtual torch::Tensor forward(const torch::Tensor& tokens) = 0;
  // What forward returns, and into `hidden` each block's output [batch, length, width] in order
  // (for layer-wise distillation); models that do not expose their blocks leave it empty.
  virtual torch::Tensor forward_with_hidden(const torch::Tensor& tokens,
                                            std::vector<torch::Tensor>& hidden) {
    hidden.clear();
    return forward(tokens);
  }
  virtual bool is_language_model() const { return false; }
  // Shortest input the model accepts (e.g. the widest convolution).
  virtual int64_t min_length() const { return 1; }
  // Parameters read only by row lookup (embedding tables): a step's gradient is zero outside
  // the rows its tokens touched, so data-parallel training exchanges only those rows.
  virtual std::vector<std::string> lookup_tables() const { return {}; }
};

// Registry: one model class per ModelType.
std::shared_ptr<Model> make_model(const ModelSpec& spec);

}  // namespace topiary::models
