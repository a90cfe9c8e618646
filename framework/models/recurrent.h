#pragma once
// Bidirectional LSTM or GRU classifier: embedding -> packed BiRNN -> max-and-mean pooling over
// real tokens -> dropout -> linear. Packing makes the result independent of padding.
// Parameters: embedding.weight [V,E]; rnn.weight_ih_l<k>[_reverse], rnn.weight_hh_l<k>[_reverse],
// rnn.bias_ih_l<k>[_reverse], rnn.bias_hh_l<k>[_reverse] (PyTorch's names; rows are gates x
// hidden units, gates i,f,g,o for LSTM and r,z,n for GRU); fc.weight [C, 4H] (columns: max pool
// forward, max pool reverse, mean pool forward, mean pool reverse, H each), fc.bias [C].
// A thinned model (ModelSpec::hidden_per_layer) may have a different hidden size per layer;
// torch::nn::LSTM / GRU cannot, so such a model runs PerLayerRecurrent, which keeps the same
// parameter names. A model whose layers share one size is built exactly as before.
#include <torch/nn/module.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/rnn.h>
#include <torch/nn/utils/rnn.h>

#include <vector>

#include "models/model.h"

namespace topiary::models {

// A stacked bidirectional LSTM / GRU whose layers may differ in hidden size (the same size in
// both directions of a layer), run layer by layer with ATen's packed recurrent kernels.
class PerLayerRecurrent final : public torch::nn::Module {
 public:
  PerLayerRecurrent(bool gru, int64_t input_size, std::vector<int64_t> hidden, double dropout);
  torch::nn::utils::rnn::PackedSequence forward(const torch::nn::utils::rnn::PackedSequence& in);

 private:
  bool gru_;
  std::vector<int64_t> hidden_;
  double dropout_;  // between layers, while training
};

class RecurrentClassifier final : public Model {
 public:
  explicit RecurrentClassifier(const ModelSpec& spec);
  torch::Tensor forward(const torch::Tensor& tokens) override;
  std::vector<std::string> lookup_tables() const override { return {"embedding.weight"}; }

 private:
  bool gru_ = false;
  torch::nn::Embedding embedding_{nullptr};
  torch::nn::LSTM lstm_{nullptr};
  torch::nn::GRU gru_module_{nullptr};
  std::shared_ptr<PerLayerRecurrent> per_layer_;  // set instead of the two above when sizes differ
  torch::nn::Dropout dropout_{nullptr};
  torch::nn::Linear fc_{nullptr};
};

}  // namespace topiary::models
