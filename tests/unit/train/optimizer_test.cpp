// train/optimizer: training.no_decay keeps weight decay off the parameters it names (BERT
// fine-tuning leaves biases and LayerNorm weights undecayed) and changes nothing else.
#include "train/optimizer.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <map>
#include <string>

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
    recipe::TrainingConfig adadelta;
    adadelta.optimizer = recipe::Optimizer::kAdadelta;
    adadelta.lr = 1.0;
    adadelta.weight_decay = 0.01;
    all.push_back(adadelta);
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

// Adadelta against its formula (Zeiler 2012, as torch.optim.Adadelta writes it) in float64.
TEST(Optimizer, AdadeltaFollowsItsUpdateRule) {
  recipe::TrainingConfig config;
  config.optimizer = recipe::Optimizer::kAdadelta;
  config.lr = 0.5;
  config.rho = 0.9;
  config.weight_decay = 0.1;
  torch::manual_seed(7);
  const torch::Tensor start = torch::randn({5, 4});
  NamedParameters parameters = {{"w", start.clone()}};
  auto optimizer = make_optimizer(config, parameters);
  torch::Tensor p = start.to(torch::kFloat64);
  torch::Tensor square_avg = torch::zeros_like(p);
  torch::Tensor acc_delta = torch::zeros_like(p);
  const double eps = 1e-6;
  for (int step = 0; step < 5; ++step) {
    const torch::Tensor grad = torch::randn({5, 4});
    parameters[0].second.mutable_grad() = grad.clone();
    optimizer->step();
    const torch::Tensor g = grad.to(torch::kFloat64) + config.weight_decay * p;
    square_avg = config.rho * square_avg + (1 - config.rho) * g * g;
    const torch::Tensor delta = (acc_delta + eps).sqrt() / (square_avg + eps).sqrt() * g;
    acc_delta = config.rho * acc_delta + (1 - config.rho) * delta * delta;
    p = p - config.lr * delta;
  }
  EXPECT_TRUE(torch::allclose(parameters[0].second.to(torch::kFloat64), p, 1e-5, 1e-6));
  EXPECT_FALSE(torch::allclose(parameters[0].second, start));
}

// A checkpoint's optimizer state (export, then import into a fresh optimizer) continues Adadelta
// bit for bit, as it does Adam.
TEST(Optimizer, AdadeltaStateRoundTripsThroughExportAndImport) {
  recipe::TrainingConfig config;
  config.optimizer = recipe::Optimizer::kAdadelta;
  torch::manual_seed(11);
  NamedParameters running = {{"w", torch::randn({6, 3})}};
  auto optimizer = make_optimizer(config, running);
  for (int step = 0; step < 3; ++step) {
    running[0].second.mutable_grad() = torch::randn({6, 3});
    optimizer->step();
  }
  const OptimizerStateArrays saved = export_optimizer_state(*optimizer, running);
  ASSERT_EQ(saved.steps, std::vector<int64_t>{3});
  std::map<std::string, torch::Tensor> by_key;
  for (const auto& [key, tensor] : saved.tensors) by_key[key] = tensor.clone();
  ASSERT_EQ(by_key.count("w:square_avg") + by_key.count("w:acc_delta"), 2u);
  NamedParameters resumed = {{"w", running[0].second.detach().clone()}};
  auto restored = make_optimizer(config, resumed);
  import_optimizer_state(*restored, resumed, saved.steps, [&](const std::string& key) {
    auto it = by_key.find(key);
    return it == by_key.end() ? torch::Tensor() : it->second;
  });
  for (int step = 0; step < 3; ++step) {
    const torch::Tensor grad = torch::randn({6, 3});
    running[0].second.mutable_grad() = grad.clone();
    resumed[0].second.mutable_grad() = grad.clone();
    optimizer->step();
    restored->step();
  }
  EXPECT_TRUE(torch::equal(running[0].second, resumed[0].second));
}

// training.max_norm scales rows above the bound down to it and leaves the others, and the
// parameters it does not name, alone; zeros stay zero.
TEST(Optimizer, MaxNormBoundsEachRowOfItsTargets) {
  recipe::TrainingConfig config;
  config.max_norm = 3.0;
  config.max_norm_targets = {"fc.weight"};
  torch::Tensor fc = torch::tensor({{3.0f, 4.0f, 0.0f}, {0.5f, 0.0f, 0.5f}});  // norms 5, 0.71
  torch::Tensor other = torch::full({2, 3}, 10.0f);
  NamedParameters parameters = {{"fc.weight", fc}, {"conv.weight", other}};
  apply_max_norm(config, parameters);
  EXPECT_NEAR(fc[0].norm().item<float>(), 3.0f, 1e-5);
  EXPECT_NEAR(fc[0][0].item<float>() / fc[0][1].item<float>(), 0.75f, 1e-6);  // direction kept
  EXPECT_EQ(fc[0][2].item<float>(), 0.0f);
  EXPECT_TRUE(torch::equal(fc[1], torch::tensor({0.5f, 0.0f, 0.5f})));
  EXPECT_TRUE(torch::equal(other, torch::full({2, 3}, 10.0f)));
  config.max_norm = 0;  // off: nothing changes
  torch::Tensor big = torch::full({1, 3}, 10.0f);
  NamedParameters unbounded = {{"fc.weight", big}};
  apply_max_norm(config, unbounded);
  EXPECT_TRUE(torch::equal(big, torch::full({1, 3}, 10.0f)));
}

}  // namespace
}  // namespace topiary::train
