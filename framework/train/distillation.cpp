#include "train/distillation.h"

#include <c10/util/StringUtil.h>
#include <torch/nn/functional/loss.h>
#include <torch/torch.h>

#include <stdexcept>

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

std::optional<std::string> hidden_state_mismatch(const std::vector<torch::Tensor>& student,
                                                 const std::vector<torch::Tensor>& teacher) {
  if (student.empty()) return "the student model exposes no hidden states per layer";
  if (student.size() != teacher.size()) {
    return "the student has " + std::to_string(student.size()) + " layers, the teacher " +
           std::to_string(teacher.size());
  }
  for (size_t i = 0; i < student.size(); ++i) {
    if (student[i].sizes() != teacher[i].sizes()) {
      return "layer " + std::to_string(i) + " of the student is " + c10::str(student[i].sizes()) +
             ", of the teacher " + c10::str(teacher[i].sizes());
    }
  }
  return std::nullopt;
}

torch::Tensor hidden_state_loss(const std::vector<torch::Tensor>& student,
                                const std::vector<torch::Tensor>& teacher,
                                const torch::Tensor& tokens) {
  if (const auto mismatch = hidden_state_mismatch(student, teacher)) {
    throw std::invalid_argument("hidden_state_loss: " + *mismatch);
  }
  // [B, T, 1] weights: 1 on real tokens; the squared error summed over them and the features,
  // in fp32 whatever the forward's precision, so that long sums keep their digits.
  const torch::Tensor real =
      (tokens.narrow(1, 0, student[0].size(1)) != 0).to(torch::kFloat32).unsqueeze(2);
  const double width = static_cast<double>(student[0].size(2));
  const torch::Tensor count = real.sum().clamp_min(1) * width;
  torch::Tensor total = torch::zeros({}, real.options());
  for (size_t i = 0; i < student.size(); ++i) {
    const torch::Tensor difference =
        student[i].to(torch::kFloat32) - teacher[i].detach().to(torch::kFloat32);
    total = total + (difference * difference * real).sum() / count;
  }
  return total / static_cast<double>(student.size());
}

}  // namespace topiary::train
