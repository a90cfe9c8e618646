#pragma once
// `topiary thin`: removes pruned structures from a checkpoint so the model is smaller and
// faster, with outputs equal to the masked model's (up to float rounding):
//  - textcnn: convolution channels whose filter is fully masked (their constant output
//    relu(bias) is folded into fc.bias);
//  - transformer / gpt: FFN neurons whose ffn.up row is fully masked (gelu(bias) folded into
//    ffn.down.bias) or whose ffn.down column is; attention heads whose v rows are fully masked
//    (softmax weights sum to 1, so the head outputs v's bias: folded into o.bias) or whose
//    o columns are;
//  - bilstm / bigru: hidden units whose output nothing reads (see Note [Removable hidden
//    units] in thinning.cpp); both directions of a layer keep the same number of units.
// At least one channel / neuron / head / unit is kept per layer. The result is a checkpoint for
// eval / predict / export (no optimizer state; it cannot be resumed) whose "model" attribute
// describes the smaller architecture.
#include <string>

namespace topiary::deploy {

struct ThinResult {
  int64_t parameters_before = 0;
  int64_t parameters_after = 0;
  std::string report;  // one line per thinned layer
};

ThinResult thin_checkpoint(const std::string& input, const std::string& output,
                           const std::string& data = "");

}  // namespace topiary::deploy
