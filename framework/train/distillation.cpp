#include "train/distillation.h"

#include <torch/nn/functional/loss.h>
#include <torch/torch.h>

namespace topiary::train {

torch::Tensor distillation_loss(const torch::Tensor& student_logits,
                                const torch::Tensor& teacher_logits, const torch::Tensor& labels,
                                double temperature, double alpha) {
  namespace F = torch::nn::functional;
  torch::Tensor hard = F::cross_entropy(student_logits, labels);
  if (alpha == 0) return hard;
  const torch::Tensor student = torch::log_softmax(student_logits / temperature, 1);
  const torch::Tensor teacher = torch::log_softmax(teacher_logits.detach() / temperature, 1);
  const torch::Tensor soft = F::kl_div(
      student, teacher, F::KLDivFuncOptions().reduction(torch::kBatchMean).log_target(true));
  return (1 - alpha) * hard + alpha * temperature * temperature * soft;
}

}  // namespace topiary::train
