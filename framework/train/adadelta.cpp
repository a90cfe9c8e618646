#include "train/adadelta.h"

#include <torch/torch.h>

#include <memory>

namespace topiary::train {

Adadelta::Adadelta(const std::vector<torch::optim::OptimizerParamGroup>& groups,
                   const AdadeltaOptions& defaults)
    : torch::optim::Optimizer(groups, std::make_unique<AdadeltaOptions>(defaults)) {}

torch::Tensor Adadelta::step(LossClosure closure) {
  torch::NoGradGuard no_grad;
  torch::Tensor loss;
  if (closure) {
    torch::AutoGradMode enable_grad(true);
    loss = closure();
  }
  for (auto& group : param_groups()) {
    const auto& options = static_cast<const AdadeltaOptions&>(group.options());
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      auto& slot = state()[p.unsafeGetTensorImpl()];
      if (!slot) {
        auto fresh = std::make_unique<AdadeltaParamState>();
        fresh->square_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        fresh->acc_delta(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        slot = std::move(fresh);
      }
      auto& s = static_cast<AdadeltaParamState&>(*slot);
      s.step(s.step() + 1);
      torch::Tensor grad = p.grad();
      if (options.weight_decay() != 0) grad = grad.add(p, options.weight_decay());
      const double rho = options.rho();
      const double eps = options.eps();
      s.square_avg().mul_(rho).addcmul_(grad, grad, 1 - rho);
      const torch::Tensor std = s.square_avg().add(eps).sqrt_();
      const torch::Tensor delta = s.acc_delta().add(eps).sqrt_().div_(std).mul_(grad);
      s.acc_delta().mul_(rho).addcmul_(delta, delta, 1 - rho);
      p.add_(delta, -options.lr());
    }
  }
  return loss;
}

}  // namespace topiary::train
