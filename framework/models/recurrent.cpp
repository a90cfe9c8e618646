#include "models/recurrent.h"

#include <ATen/ops/gru.h>
#include <ATen/ops/lstm.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace topiary::models {

namespace rnn = torch::nn::utils::rnn;

PerLayerRecurrent::PerLayerRecurrent(bool gru, int64_t input_size, std::vector<int64_t> hidden,
                                     double dropout)
    : gru_(gru), hidden_(std::move(hidden)), dropout_(dropout) {
  const int64_t gates = gru_ ? 3 : 4;
  int64_t in = input_size;
  for (size_t l = 0; l < hidden_.size(); ++l) {
    const int64_t h = hidden_[l];
    // PyTorch's RNN initialisation: U(-1/sqrt(h), 1/sqrt(h)) for every tensor.
    const double bound = 1.0 / std::sqrt(static_cast<double>(h));
    auto init = [&](const std::vector<int64_t>& shape) {
      return torch::empty(shape).uniform_(-bound, bound);
    };
    // Registration order is ATen's parameter order (see forward).
    for (const char* suffix : {"", "_reverse"}) {
      const std::string k = "_l" + std::to_string(l) + suffix;
      register_parameter("weight_ih" + k, init({gates * h, in}));
      register_parameter("weight_hh" + k, init({gates * h, h}));
      register_parameter("bias_ih" + k, init({gates * h}));
      register_parameter("bias_hh" + k, init({gates * h}));
    }
    in = 2 * h;
  }
}

rnn::PackedSequence PerLayerRecurrent::forward(const rnn::PackedSequence& in) {
  torch::Tensor data = in.data();
  const int64_t batch = in.batch_sizes()[0].item<int64_t>();
  const std::vector<torch::Tensor> all = parameters();  // 8 per layer, in registration order
  for (size_t l = 0; l < hidden_.size(); ++l) {
    const auto first = all.begin() + static_cast<std::ptrdiff_t>(8 * l);
    const std::vector<torch::Tensor> params(first, first + 8);
    // Zero initial states, as torch::nn::LSTM / GRU use without hx.
    const torch::Tensor h0 = torch::zeros({2, batch, hidden_[l]}, data.options());
    if (gru_) {
      data = std::get<0>(at::gru(data, in.batch_sizes(), h0, params, /*has_biases=*/true,
                                 /*num_layers=*/1, 0.0, is_training(), /*bidirectional=*/true));
    } else {
      data = std::get<0>(at::lstm(data, in.batch_sizes(), {h0, torch::zeros_like(h0)}, params,
                                  /*has_biases=*/true, /*num_layers=*/1, 0.0, is_training(),
                                  /*bidirectional=*/true));
    }
    if (l + 1 < hidden_.size() && dropout_ > 0 && is_training()) {
      data = torch::dropout(data, dropout_, /*train=*/true);
    }
  }
  return rnn::PackedSequence(data, in.batch_sizes(), in.sorted_indices(), in.unsorted_indices());
}

RecurrentClassifier::RecurrentClassifier(const ModelSpec& spec)
    : gru_(spec.type == ModelType::kBiGru) {
  embedding_ = register_module(
      "embedding",
      torch::nn::Embedding(
          torch::nn::EmbeddingOptions(spec.vocab_size, spec.embedding_dim).padding_idx(0)));
  const int64_t layers = std::max<int64_t>(1, spec.layers);
  const double between = layers > 1 ? spec.dropout : 0.0;
  std::vector<int64_t> hidden;
  for (int64_t l = 0; l < layers; ++l) hidden.push_back(spec.hidden_at(static_cast<size_t>(l)));
  const bool uniform =
      std::all_of(hidden.begin(), hidden.end(), [&](int64_t h) { return h == hidden.front(); });
  if (!uniform) {
    per_layer_ = register_module(
        "rnn", std::make_shared<PerLayerRecurrent>(gru_, spec.embedding_dim, hidden, between));
  } else if (gru_) {
    gru_module_ = register_module(
        "rnn", torch::nn::GRU(torch::nn::GRUOptions(spec.embedding_dim, hidden.front())
                                  .num_layers(layers)
                                  .bidirectional(true)
                                  .batch_first(true)
                                  .dropout(between)));
  } else {
    lstm_ = register_module(
        "rnn", torch::nn::LSTM(torch::nn::LSTMOptions(spec.embedding_dim, hidden.front())
                                   .num_layers(layers)
                                   .bidirectional(true)
                                   .batch_first(true)
                                   .dropout(between)));
  }
  dropout_ = register_module("dropout", torch::nn::Dropout(spec.dropout));
  fc_ = register_module("fc", torch::nn::Linear(4 * hidden.back(), spec.num_classes));
}

torch::Tensor RecurrentClassifier::forward(const torch::Tensor& tokens) {
  const torch::Tensor lengths = (tokens != 0).sum(1).clamp_min(1);
  const torch::Tensor embedded = embedding_->forward(tokens);
  auto packed = rnn::pack_padded_sequence(embedded, lengths.to(torch::kCPU),
                                          /*batch_first=*/true,
                                          /*enforce_sorted=*/false);
  rnn::PackedSequence output = per_layer_ ? per_layer_->forward(packed)
                               : gru_ ? std::get<0>(gru_module_->forward_with_packed_input(packed))
                                      : std::get<0>(lstm_->forward_with_packed_input(packed));
  auto [states, unpadded_lengths] = rnn::pad_packed_sequence(output, /*batch_first=*/true);
  // Positions past each example's end take no part in pooling.
  const torch::Tensor positions = torch::arange(states.size(1), tokens.options()).unsqueeze(0);
  const torch::Tensor real = (positions < lengths.unsqueeze(1)).unsqueeze(2);
  const torch::Tensor max_pooled =
      std::get<0>(states.masked_fill(~real, -std::numeric_limits<float>::infinity()).max(1));
  const torch::Tensor mean_pooled =
      (states * real).sum(1) / lengths.unsqueeze(1).to(states.scalar_type());
  return fc_->forward(dropout_->forward(torch::cat({max_pooled, mean_pooled}, 1)));
}

}  // namespace topiary::models
