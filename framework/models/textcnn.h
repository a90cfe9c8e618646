#pragma once
// Kim (2014) CNN for sentence classification. Token id 0 is padding: its embedding is zero and
// windows past an example's end never win max-over-time pooling.
// Parameters: embedding.weight [V,E]; convs.<i>.weight [F,E,w_i], convs.<i>.bias [F];
// fc.weight [C, F*len(widths)], fc.bias [C].
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>

#include "models/model.h"

namespace topiary::models {

class TextCnn final : public Model {
 public:
  explicit TextCnn(const ModelSpec& spec);
  torch::Tensor forward(const torch::Tensor& tokens) override;
  std::vector<std::string> lookup_tables() const override { return {"embedding.weight"}; }
  int64_t min_length() const override { return max_width_; }

 private:
  torch::nn::Embedding embedding_{nullptr};
  torch::nn::ModuleList convs_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
  torch::nn::Linear fc_{nullptr};
  std::vector<int64_t> widths_;
  int64_t max_width_ = 1;
};

}  // namespace topiary::models
