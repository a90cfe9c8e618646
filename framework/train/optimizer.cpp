#include "train/optimizer.h"

#include <torch/optim/adam.h>
#include <torch/optim/adamw.h>
#include <torch/optim/sgd.h>

#include "core/error.h"

namespace topiary::train {

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const recipe::TrainingConfig& config,
                                                        const std::vector<torch::Tensor>& parameters) {
  if (config.optimizer == "adam") {
    return std::make_unique<torch::optim::Adam>(
        parameters, torch::optim::AdamOptions(config.lr).weight_decay(config.weight_decay));
  }
  if (config.optimizer == "adamw") {
    return std::make_unique<torch::optim::AdamW>(
        parameters, torch::optim::AdamWOptions(config.lr).weight_decay(config.weight_decay));
  }
  if (config.optimizer == "sgd") {
    return std::make_unique<torch::optim::SGD>(
        parameters, torch::optim::SGDOptions(config.lr)
                        .momentum(config.momentum)
                        .weight_decay(config.weight_decay));
  }
  throw UserError("unknown optimizer '" + config.optimizer + "'; known: adam, adamw, sgd");
}

void zero_optimizer_state(torch::optim::Optimizer& optimizer, const torch::Tensor& parameter,
                          const torch::Tensor& mask) {
  torch::NoGradGuard no_grad;
  auto& states = optimizer.state();
  auto it = states.find(parameter.unsafeGetTensorImpl());
  if (it == states.end()) return;  // no step taken yet: nothing to revive
  if (auto* adam = dynamic_cast<torch::optim::AdamParamState*>(it->second.get())) {
    adam->exp_avg().mul_(mask);
    adam->exp_avg_sq().mul_(mask);
  } else if (auto* adamw = dynamic_cast<torch::optim::AdamWParamState*>(it->second.get())) {
    adamw->exp_avg().mul_(mask);
    adamw->exp_avg_sq().mul_(mask);
  } else if (auto* sgd = dynamic_cast<torch::optim::SGDParamState*>(it->second.get())) {
    if (sgd->momentum_buffer().defined()) sgd->momentum_buffer().mul_(mask);
  }
}

}  // namespace topiary::train
