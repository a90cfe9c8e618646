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

// Note [Masks]: after a mask change zeroes a weight and its optimizer state, masked gradients
// keep the weight exactly zero, so the trainer does not re-mask the weights after each step.
// Two copies train side by side, one re-masked after every step as the trainer once did: the
// bits must agree, and the pruned entries must be zero in both.
TEST(Optimizer, PrunedWeightsStayZeroWithoutRemasking) {
  const std::vector<recipe::TrainingConfig> configs = [] {
    std::vector<recipe::TrainingConfig> all(3);
    all[0].optimizer = recipe::Optimizer::kAdam;
    all[0].weight_decay = 0.01;
    all[1].optimizer = recipe::Optimizer::kAdamW;
    all[1].weight_decay = 0.1;
    all[2].optimizer = recipe::Optimizer::kSgd;
    all[2].momentum = 0.9;
    all[2].weight_decay = 0.01;
    for (auto& config : all) config.lr = 0.01;
    return all;
  }();
  for (const auto& config : configs) {
    torch::manual_seed(3);
    const torch::Tensor start = torch::randn({64, 16});
    NamedParameters plain = {{"w", start.clone()}};
    NamedParameters remasked = {{"w", start.clone()}};
    auto plain_optimizer = make_optimizer(config, plain);
    auto remasked_optimizer = make_optimizer(config, remasked);
    const torch::Tensor mask = (torch::rand({64, 16}) > 0.7).to(torch::kFloat32);
    for (int step = 0; step < 30; ++step) {
      const torch::Tensor grad = torch::randn({64, 16});
      if (step == 5) {  // the pruning step: weights and optimizer state zeroed where pruned
        for (auto* run : {&plain, &remasked}) {
          auto& optimizer = run == &plain ? *plain_optimizer : *remasked_optimizer;
          zero_optimizer_state(optimizer, (*run)[0].second, mask);
          torch::NoGradGuard no_grad;
          (*run)[0].second.mul_(mask);
        }
      }
      const bool pruned = step >= 5;
      plain[0].second.mutable_grad() = pruned ? grad * mask : grad.clone();
      remasked[0].second.mutable_grad() = pruned ? grad * mask : grad.clone();
      plain_optimizer->step();
      remasked_optimizer->step();
      if (pruned) {
        torch::NoGradGuard no_grad;
        remasked[0].second.mul_(mask);
      }
    }
    const auto optimizer_name = static_cast<int>(config.optimizer);
    EXPECT_TRUE(torch::equal(plain[0].second, remasked[0].second))
        << "optimizer " << optimizer_name;
    EXPECT_EQ(plain[0].second.masked_select(mask == 0).abs().max().item<float>(), 0.0f)
        << "optimizer " << optimizer_name;
    EXPECT_GT(plain[0].second.masked_select(mask == 1).abs().min().item<float>(), 0.0f);
  }
}

}  // namespace
}  // namespace topiary::train
