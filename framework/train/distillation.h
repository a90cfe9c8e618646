#pragma once
// Knowledge distillation (Hinton et al. 2015) for the recipe's `distill` modifier: the student
// learns from the labels and from a teacher's softened distribution,
//   (1 - alpha) * cross_entropy(student, labels)
//   + alpha * T^2 * KL(softmax(teacher / T) || softmax(student / T)),
// both terms means over the batch. T^2 keeps the soft term's gradient on the scale of the hard
// one as T changes.
#include <torch/types.h>

#include <optional>
#include <string>
#include <vector>

namespace topiary::train {

torch::Tensor distillation_loss(const torch::Tensor& student_logits,
                                const torch::Tensor& teacher_logits, const torch::Tensor& labels,
                                double temperature, double alpha);

// Layer-wise distillation (the hidden-state term of TinyBERT, Jiao et al. 2020, and CoFi, Xia et
// al. 2022): the mean over layers of the squared difference between the student's and the
// teacher's hidden states, averaged over the real tokens (id != 0) and features. Layer i of the
// student matches layer i of the teacher, so both need as many layers of the same width.
torch::Tensor hidden_state_loss(const std::vector<torch::Tensor>& student,
                                const std::vector<torch::Tensor>& teacher,
                                const torch::Tensor& tokens);

// Why the two models' hidden states cannot be compared (layer count or shape), if they cannot.
std::optional<std::string> hidden_state_mismatch(const std::vector<torch::Tensor>& student,
                                                 const std::vector<torch::Tensor>& teacher);

}  // namespace topiary::train
