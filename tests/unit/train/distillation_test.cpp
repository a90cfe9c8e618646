// train/distillation: the loss of the recipe's distill modifier is the labels' cross-entropy at
// alpha 0, pulls the student toward the teacher at alpha 1, and is T^2-scaled KL in between.
#include "train/distillation.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace topiary::train {
namespace {

namespace F = torch::nn::functional;

TEST(DistillationLoss, AlphaZeroIsTheCrossEntropy) {
  torch::manual_seed(0);
  const torch::Tensor student = torch::randn({8, 3});
  const torch::Tensor teacher = torch::randn({8, 3});
  const torch::Tensor labels = torch::randint(0, 3, {8});
  EXPECT_TRUE(torch::allclose(distillation_loss(student, teacher, labels, 2.0, 0.0),
                              F::cross_entropy(student, labels)));
}

TEST(DistillationLoss, MatchesTheFormula) {
  torch::manual_seed(1);
  const torch::Tensor student = torch::randn({5, 4});
  const torch::Tensor teacher = torch::randn({5, 4});
  const torch::Tensor labels = torch::randint(0, 4, {5});
  const double t = 3.0, alpha = 0.25;
  const torch::Tensor p = torch::softmax(teacher / t, 1);
  const torch::Tensor kl = (p * (torch::log(p) - torch::log_softmax(student / t, 1))).sum(1).mean();
  const torch::Tensor expected =
      (1 - alpha) * F::cross_entropy(student, labels) + alpha * t * t * kl;
  EXPECT_NEAR(distillation_loss(student, teacher, labels, t, alpha).item<double>(),
              expected.item<double>(), 1e-6);
}

TEST(DistillationLoss, AtAlphaOneTheTeacherIsTheOptimumAndGetsNoGradient) {
  torch::manual_seed(2);
  const torch::Tensor teacher = torch::randn({6, 2}).requires_grad_(true);
  const torch::Tensor labels = torch::randint(0, 2, {6});
  torch::Tensor student = teacher.detach().clone().requires_grad_(true);
  const torch::Tensor loss = distillation_loss(student, teacher, labels, 2.0, 1.0);
  loss.backward();
  EXPECT_NEAR(loss.item<double>(), 0.0, 1e-7);
  EXPECT_LT(student.grad().abs().max().item<double>(), 1e-6);
  EXPECT_FALSE(teacher.grad().defined());
  // A student away from the teacher is pulled toward it.
  student = torch::zeros({6, 2}).requires_grad_(true);
  distillation_loss(student, teacher, labels, 2.0, 1.0).backward();
  EXPECT_GT(student.grad().abs().max().item<double>(), 1e-4);
}

}  // namespace
}  // namespace topiary::train
