// train/optimizer: training.no_decay keeps weight decay off the parameters it names (BERT
// fine-tuning leaves biases and LayerNorm weights undecayed) and changes nothing else.
#include "train/optimizer.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace topiary::train {
namespace {

// One step with a zero gradient: only weight decay moves a parameter.
NamedParameters step_with_zero_gradients(recipe::Optimizer kind,
                                         const std::vector<std::string>& no_decay) {
  NamedParameters parameters = {{"layer.weight", torch::ones({2, 2})},
                                {"layer.bias", torch::ones({2})},
                                {"norm.weight", torch::ones({2})}};
  for (auto& [name, p] : parameters) p.mutable_grad() = torch::zeros_like(p);
  recipe::TrainingConfig config;
  config.optimizer = kind;
  config.lr = 0.1;
  config.weight_decay = 0.5;
  config.no_decay = no_decay;
  make_optimizer(config, parameters)->step();
  return parameters;
}

TEST(Optimizer, NoDecayParametersKeepTheirValueUnderAZeroGradient) {
  for (const auto kind : {recipe::Optimizer::kAdamW, recipe::Optimizer::kSgd}) {
    const NamedParameters after = step_with_zero_gradients(kind, {"*.bias", "norm.*"});
    EXPECT_LT(after[0].second.max().item<float>(), 1.0f) << "the weight decays";
    EXPECT_TRUE(torch::equal(after[1].second, torch::ones({2})));
    EXPECT_TRUE(torch::equal(after[2].second, torch::ones({2})));
  }
}

TEST(Optimizer, WithoutNoDecayEveryParameterDecaysAlike) {
  const NamedParameters after = step_with_zero_gradients(recipe::Optimizer::kAdamW, {});
  const float decayed = after[0].second[0][0].item<float>();
  EXPECT_FLOAT_EQ(decayed, 1.0f - 0.1f * 0.5f);
  for (const auto& [name, p] : after) EXPECT_TRUE(torch::all(p == decayed).item<bool>()) << name;
}

}  // namespace
}  // namespace topiary::train
