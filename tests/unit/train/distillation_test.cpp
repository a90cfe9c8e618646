// train/distillation: the loss of the recipe's distill modifier is the labels' cross-entropy at
// alpha 0, pulls the student toward the teacher at alpha 1, and is T^2-scaled KL in between; its
// layer-wise term is the mean squared difference of the hidden states over real tokens only.
#include "train/distillation.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <stdexcept>

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

// Two layers of [2 rows, 4 positions, 3 features]; the second row has two padding positions.
struct HiddenBatch {
  torch::Tensor tokens = torch::tensor({{5, 6, 7, 8}, {9, 10, 0, 0}});
  std::vector<torch::Tensor> student, teacher;
  HiddenBatch() {
    torch::manual_seed(3);
    for (int layer = 0; layer < 2; ++layer) {
      teacher.push_back(torch::randn({2, 4, 3}));
      student.push_back(torch::randn({2, 4, 3}).requires_grad_(true));
    }
  }
};

TEST(HiddenStateLoss, MatchesTheFormulaOverRealTokens) {
  HiddenBatch b;
  double expected = 0;
  for (size_t layer = 0; layer < 2; ++layer) {
    const torch::Tensor d = b.student[layer].detach() - b.teacher[layer];
    // 6 real positions x 3 features
    const torch::Tensor real_rows = torch::cat({d[0], d[1].narrow(0, 0, 2)});
    expected += (real_rows * real_rows).sum().item<double>() / 18.0;
  }
  expected /= 2;
  EXPECT_NEAR(hidden_state_loss(b.student, b.teacher, b.tokens).item<double>(), expected, 1e-6);
}

TEST(HiddenStateLoss, PaddingNeitherCountsNorGetsAGradient) {
  HiddenBatch b;
  const double before = hidden_state_loss(b.student, b.teacher, b.tokens).item<double>();
  {
    torch::NoGradGuard no_grad;
    b.student[0][1][3].add_(100.0);  // a padding position
  }
  const torch::Tensor loss = hidden_state_loss(b.student, b.teacher, b.tokens);
  EXPECT_NEAR(loss.item<double>(), before, 1e-6);
  loss.backward();
  EXPECT_EQ(b.student[0].grad()[1][3].abs().max().item<double>(), 0.0);
  EXPECT_GT(b.student[0].grad()[1][1].abs().max().item<double>(), 0.0);
}

TEST(HiddenStateLoss, TheTeacherIsTheOptimumAndGetsNoGradient) {
  HiddenBatch b;
  std::vector<torch::Tensor> teacher, student;
  for (const torch::Tensor& t : b.teacher) {
    teacher.push_back(t.clone().requires_grad_(true));
    student.push_back(t.clone().requires_grad_(true));
  }
  const torch::Tensor loss = hidden_state_loss(student, teacher, b.tokens);
  loss.backward();
  EXPECT_EQ(loss.item<double>(), 0.0);
  EXPECT_FALSE(teacher[0].grad().defined());
}

TEST(HiddenStateLoss, MismatchedModelsAreNamed) {
  HiddenBatch b;
  EXPECT_FALSE(hidden_state_mismatch(b.student, b.teacher));
  EXPECT_EQ(hidden_state_mismatch({}, b.teacher),
            "the student model exposes no hidden states per layer");
  EXPECT_EQ(hidden_state_mismatch({b.student[0]}, b.teacher),
            "the student has 1 layers, the teacher 2");
  EXPECT_EQ(hidden_state_mismatch({b.student[0], torch::zeros({2, 4, 5})}, b.teacher),
            "layer 1 of the student is [2, 4, 5], of the teacher [2, 4, 3]");
  EXPECT_THROW(hidden_state_loss({b.student[0]}, b.teacher, b.tokens), std::invalid_argument);
}

}  // namespace
}  // namespace topiary::train
