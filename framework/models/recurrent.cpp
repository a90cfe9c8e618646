#include "models/recurrent.h"

#include <torch/nn/utils/rnn.h>

#include <limits>

namespace topiary::models {

RecurrentClassifier::RecurrentClassifier(const ModelSpec& spec) : gru_(spec.type == "bigru") {
  embedding_ = register_module(
      "embedding",
      torch::nn::Embedding(
          torch::nn::EmbeddingOptions(spec.vocab_size, spec.embedding_dim).padding_idx(0)));
  const int64_t layers = std::max<int64_t>(1, spec.layers);
  const double between = layers > 1 ? spec.dropout : 0.0;
  if (gru_) {
    gru_module_ =
        register_module("rnn", torch::nn::GRU(torch::nn::GRUOptions(spec.embedding_dim, spec.hidden)
                                                  .num_layers(layers)
                                                  .bidirectional(true)
                                                  .batch_first(true)
                                                  .dropout(between)));
  } else {
    lstm_ = register_module("rnn",
                            torch::nn::LSTM(torch::nn::LSTMOptions(spec.embedding_dim, spec.hidden)
                                                .num_layers(layers)
                                                .bidirectional(true)
                                                .batch_first(true)
                                                .dropout(between)));
  }
  dropout_ = register_module("dropout", torch::nn::Dropout(spec.dropout));
  fc_ = register_module("fc", torch::nn::Linear(4 * spec.hidden, spec.num_classes));
}

torch::Tensor RecurrentClassifier::forward(const torch::Tensor& tokens) {
  const torch::Tensor lengths = (tokens != 0).sum(1).clamp_min(1);
  const torch::Tensor embedded = embedding_->forward(tokens);
  auto packed = torch::nn::utils::rnn::pack_padded_sequence(embedded, lengths.to(torch::kCPU),
                                                            /*batch_first=*/true,
                                                            /*enforce_sorted=*/false);
  torch::nn::utils::rnn::PackedSequence output =
      gru_ ? std::get<0>(gru_module_->forward_with_packed_input(packed))
           : std::get<0>(lstm_->forward_with_packed_input(packed));
  auto [states, unpadded_lengths] =
      torch::nn::utils::rnn::pad_packed_sequence(output, /*batch_first=*/true);
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
