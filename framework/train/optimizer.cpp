#include "train/optimizer.h"

#include <ATen/ops/_fused_adam.h>
#include <ATen/ops/_fused_adamw.h>
#include <torch/optim/adam.h>
#include <torch/optim/adamw.h>
#include <torch/optim/sgd.h>

#include <type_traits>

#include "core/error.h"
#include "core/name_match.h"
#include "train/adadelta.h"

namespace topiary::train {
namespace {

// Adam / AdamW whose step is ATen's fused CPU kernel (the one torch.optim.Adam(fused=True)
// uses): one pass over parameter, gradient and both moments instead of LibTorch's ~10
// element-wise passes with temporaries (on the TextCNN bench that step was ~25% of the
// training step, nearly all of it the 1.8M-entry embedding). Deterministic, but rounds
// differently from torch::optim::Adam. The state stays AdamParamState / AdamWParamState (step,
// exp_avg, exp_avg_sq), so checkpoints, mask zeroing and rewinds see no difference.
template <class Base, class State, class Options>
class FusedAdam final : public Base {
 public:
  using Base::Base;

  torch::Tensor step(torch::optim::Optimizer::LossClosure closure = nullptr) override {
    torch::NoGradGuard no_grad;
    torch::Tensor loss;
    if (closure) {
      torch::AutoGradMode enable_grad(true);
      loss = closure();
    }
    for (auto& group : this->param_groups()) {
      const auto& options = static_cast<const Options&>(group.options());
      TOPIARY_ASSERT(!options.amsgrad(), "fused Adam: amsgrad is not wired (no recipe key)");
      std::vector<torch::Tensor> params, grads, exp_avgs, exp_avg_sqs, steps;
      for (const auto& p : group.params()) {
        if (!p.grad().defined()) continue;
        auto& slot = this->state()[p.unsafeGetTensorImpl()];
        if (!slot) {
          auto fresh = std::make_unique<State>();
          fresh->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
          fresh->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
          slot = std::move(fresh);
        }
        auto& state = static_cast<State&>(*slot);
        state.step(state.step() + 1);
        params.push_back(p);
        grads.push_back(p.grad());
        exp_avgs.push_back(state.exp_avg());
        exp_avg_sqs.push_back(state.exp_avg_sq());
        // The kernel reads the step count (already incremented) from a float tensor on the
        // parameter's device (a fill, not a host-to-device copy).
        steps.push_back(
            torch::full({}, static_cast<float>(state.step()), p.options().dtype(torch::kFloat32)));
      }
      if (params.empty()) continue;
      const auto [beta1, beta2] = options.betas();
      if constexpr (std::is_same_v<Base, torch::optim::AdamW>) {
        at::_fused_adamw_(params, grads, exp_avgs, exp_avg_sqs, {}, steps, options.lr(), beta1,
                          beta2, options.weight_decay(), options.eps(), /*amsgrad=*/false,
                          /*maximize=*/false);
      } else {
        at::_fused_adam_(params, grads, exp_avgs, exp_avg_sqs, {}, steps, options.lr(), beta1,
                         beta2, options.weight_decay(), options.eps(), /*amsgrad=*/false,
                         /*maximize=*/false);
      }
    }
    return loss;
  }
};

}  // namespace

namespace {

// The parameters split into those that decay and those `no_decay` names, each group with the
// recipe's options but the second with weight decay 0; one group when no_decay is empty.
template <class Options>
std::vector<torch::optim::OptimizerParamGroup> parameter_groups(
    const recipe::TrainingConfig& config, const NamedParameters& parameters,
    const Options& options) {
  std::vector<torch::Tensor> decayed, undecayed;
  for (const auto& [name, tensor] : parameters) {
    bool excluded = false;
    for (const auto& pattern : config.no_decay) excluded = excluded || name_matches(pattern, name);
    (excluded ? undecayed : decayed).push_back(tensor);
  }
  std::vector<torch::optim::OptimizerParamGroup> groups;
  if (!decayed.empty()) groups.emplace_back(decayed, std::make_unique<Options>(options));
  if (!undecayed.empty()) {
    auto without_decay = std::make_unique<Options>(options);
    without_decay->weight_decay(0.0);
    groups.emplace_back(undecayed, std::move(without_decay));
  }
  return groups;
}

template <class OptimizerType, class Options>
std::unique_ptr<torch::optim::Optimizer> make(const recipe::TrainingConfig& config,
                                              const NamedParameters& parameters,
                                              const Options& options) {
  return std::make_unique<OptimizerType>(parameter_groups(config, parameters, options), options);
}

}  // namespace

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const recipe::TrainingConfig& config,
                                                        const NamedParameters& parameters) {
  using torch::optim::AdamOptions, torch::optim::AdamWOptions, torch::optim::SGDOptions;
  switch (config.optimizer) {
    case recipe::Optimizer::kAdam:
      return make<FusedAdam<torch::optim::Adam, torch::optim::AdamParamState, AdamOptions>>(
          config, parameters, AdamOptions(config.lr).weight_decay(config.weight_decay));
    case recipe::Optimizer::kAdamW:
      return make<FusedAdam<torch::optim::AdamW, torch::optim::AdamWParamState, AdamWOptions>>(
          config, parameters, AdamWOptions(config.lr).weight_decay(config.weight_decay));
    case recipe::Optimizer::kSgd:
      return make<torch::optim::SGD>(
          config, parameters,
          SGDOptions(config.lr).momentum(config.momentum).weight_decay(config.weight_decay));
    case recipe::Optimizer::kAdadelta:
      return make<Adadelta>(
          config, parameters,
          AdadeltaOptions(config.lr).rho(config.rho).weight_decay(config.weight_decay));
  }
  TOPIARY_ASSERT(false, "an optimizer without a constructor");
  return nullptr;
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
  } else if (auto* adadelta = dynamic_cast<AdadeltaParamState*>(it->second.get())) {
    adadelta->square_avg().mul_(mask);
    adadelta->acc_delta().mul_(mask);
  }
}

void apply_max_norm(const recipe::TrainingConfig& config, const NamedParameters& parameters) {
  if (config.max_norm <= 0) return;
  torch::NoGradGuard no_grad;
  for (const auto& [name, parameter] : parameters) {
    bool bounded = false;
    for (const auto& pattern : config.max_norm_targets) {
      bounded = bounded || name_matches(pattern, name);
    }
    if (bounded) parameter.renorm_(2, 0, config.max_norm);
  }
}

OptimizerStateArrays export_optimizer_state(
    torch::optim::Optimizer& optimizer,
    const std::vector<std::pair<std::string, torch::Tensor>>& parameters) {
  OptimizerStateArrays out;
  auto& states = optimizer.state();
  for (const auto& [name, parameter] : parameters) {
    auto it = states.find(parameter.unsafeGetTensorImpl());
    if (it == states.end()) {
      out.steps.push_back(-1);
      continue;
    }
    if (auto* adam = dynamic_cast<torch::optim::AdamParamState*>(it->second.get())) {
      out.steps.push_back(adam->step());
      out.tensors.emplace_back(name + ":exp_avg", adam->exp_avg());
      out.tensors.emplace_back(name + ":exp_avg_sq", adam->exp_avg_sq());
    } else if (auto* adamw = dynamic_cast<torch::optim::AdamWParamState*>(it->second.get())) {
      out.steps.push_back(adamw->step());
      out.tensors.emplace_back(name + ":exp_avg", adamw->exp_avg());
      out.tensors.emplace_back(name + ":exp_avg_sq", adamw->exp_avg_sq());
    } else if (auto* sgd = dynamic_cast<torch::optim::SGDParamState*>(it->second.get())) {
      out.steps.push_back(0);
      if (sgd->momentum_buffer().defined()) {
        out.tensors.emplace_back(name + ":momentum_buffer", sgd->momentum_buffer());
      }
    } else if (auto* adadelta = dynamic_cast<AdadeltaParamState*>(it->second.get())) {
      out.steps.push_back(adadelta->step());
      out.tensors.emplace_back(name + ":square_avg", adadelta->square_avg());
      out.tensors.emplace_back(name + ":acc_delta", adadelta->acc_delta());
    } else {
      out.steps.push_back(-1);
    }
  }
  return out;
}

namespace {
// A copy of saved state (host memory from a checkpoint, or a snapshot) where the parameter is.
torch::Tensor copy_to(const torch::Tensor& saved, const torch::Tensor& parameter) {
  return saved.to(parameter.device(), saved.scalar_type(), /*non_blocking=*/false, /*copy=*/true);
}
}  // namespace

void import_optimizer_state(torch::optim::Optimizer& optimizer,
                            const std::vector<std::pair<std::string, torch::Tensor>>& parameters,
                            const std::vector<int64_t>& steps,
                            const std::function<torch::Tensor(const std::string&)>& find) {
  auto& states = optimizer.state();
  states.clear();
  for (size_t i = 0; i < parameters.size(); ++i) {
    const auto& [name, parameter] = parameters[i];
    if (i >= steps.size() || steps[i] < 0) continue;
    void* key = parameter.unsafeGetTensorImpl();
    if (dynamic_cast<torch::optim::AdamW*>(&optimizer) != nullptr) {
      auto state = std::make_unique<torch::optim::AdamWParamState>();
      state->step(steps[i]);
      state->exp_avg(copy_to(find(name + ":exp_avg"), parameter));
      state->exp_avg_sq(copy_to(find(name + ":exp_avg_sq"), parameter));
      states[key] = std::move(state);
    } else if (dynamic_cast<torch::optim::Adam*>(&optimizer) != nullptr) {
      auto state = std::make_unique<torch::optim::AdamParamState>();
      state->step(steps[i]);
      state->exp_avg(copy_to(find(name + ":exp_avg"), parameter));
      state->exp_avg_sq(copy_to(find(name + ":exp_avg_sq"), parameter));
      states[key] = std::move(state);
    } else if (dynamic_cast<Adadelta*>(&optimizer) != nullptr) {
      auto state = std::make_unique<AdadeltaParamState>();
      state->step(steps[i]);
      state->square_avg(copy_to(find(name + ":square_avg"), parameter));
      state->acc_delta(copy_to(find(name + ":acc_delta"), parameter));
      states[key] = std::move(state);
    } else if (dynamic_cast<torch::optim::SGD*>(&optimizer) != nullptr) {
      auto state = std::make_unique<torch::optim::SGDParamState>();
      torch::Tensor buffer = find(name + ":momentum_buffer");
      if (buffer.defined()) state->momentum_buffer(copy_to(buffer, parameter));
      states[key] = std::move(state);
    }
  }
}

}  // namespace topiary::train
