#pragma once
// Knowledge distillation (Hinton et al. 2015) for the recipe's `distill` modifier: the student
// learns from the labels and from a teacher's softened distribution,
//   (1 - alpha) * cross_entropy(student, labels)
//   + alpha * T^2 * KL(softmax(teacher / T) || softmax(student / T)),
// both terms means over the batch. T^2 keeps the soft term's gradient on the scale of the hard
// one as T changes.
#include <torch/types.h>

namespace topiary::train {

torch::Tensor distillation_loss(const torch::Tensor& student_logits,
                                const torch::Tensor& teacher_logits, const torch::Tensor& labels,
                                double temperature, double alpha);

}  // namespace topiary::train
