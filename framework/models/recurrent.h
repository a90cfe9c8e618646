#pragma once
// Bidirectional LSTM or GRU classifier: embedding -> packed BiRNN -> max-and-mean pooling over
// real tokens -> dropout -> linear. Packing makes the result independent of padding.
// Parameters: embedding.weight [V,E]; rnn.weight_ih_l<k>[_reverse], rnn.weight_hh_l<k>[_reverse],
// rnn.bias_ih_l<k>[_reverse], rnn.bias_hh_l<k>[_reverse] (PyTorch's names; rows are gates x
// hidden units); fc.weight [C, 4H], fc.bias [C].
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/rnn.h>

#include "models/model.h"

namespace topiary::models {

class RecurrentClassifier final : public Model {
 public:
  explicit RecurrentClassifier(const ModelSpec& spec);
  torch::Tensor forward(const torch::Tensor& tokens) override;

 private:
  bool gru_ = false;
  torch::nn::Embedding embedding_{nullptr};
  torch::nn::LSTM lstm_{nullptr};
  torch::nn::GRU gru_module_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
  torch::nn::Linear fc_{nullptr};
};

}  // namespace topiary::models
