#pragma once
// Adadelta (Zeiler 2012), which LibTorch's C++ API lacks: the optimizer of Kim (2014)'s
// CNN-rand sentence classifier (rho 0.95, eps 1e-6, lr 1). The update is torch.optim.Adadelta's,
// one element-wise formula per step:
//   g <- g + weight_decay * p
//   square_avg <- rho * square_avg + (1 - rho) * g^2
//   delta <- sqrt(acc_delta + eps) / sqrt(square_avg + eps) * g
//   acc_delta <- rho * acc_delta + (1 - rho) * delta^2
//   p <- p - lr * delta
// With its state zeroed and a zero gradient, delta is 0: a pruned weight stays zero
// (Note [Masks]).
#include <torch/optim/optimizer.h>
#include <torch/types.h>

#include <vector>

namespace topiary::train {

struct AdadeltaOptions : public torch::optim::OptimizerCloneableOptions<AdadeltaOptions> {
  explicit AdadeltaOptions(double lr = 1.0) : lr_(lr) {}
  TORCH_ARG(double, lr) = 1.0;
  TORCH_ARG(double, rho) = 0.95;
  TORCH_ARG(double, eps) = 1e-6;
  TORCH_ARG(double, weight_decay) = 0.0;

 public:
  double get_lr() const override { return lr(); }
  void set_lr(const double lr) override { this->lr(lr); }
};

struct AdadeltaParamState : public torch::optim::OptimizerCloneableParamState<AdadeltaParamState> {
  TORCH_ARG(int64_t, step) = 0;
  TORCH_ARG(torch::Tensor, square_avg);
  TORCH_ARG(torch::Tensor, acc_delta);
};

class Adadelta final : public torch::optim::Optimizer {
 public:
  Adadelta(const std::vector<torch::optim::OptimizerParamGroup>& groups,
           const AdadeltaOptions& defaults);
  torch::Tensor step(LossClosure closure = nullptr) override;
};

}  // namespace topiary::train
