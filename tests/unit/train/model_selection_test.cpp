#include "train/model_selection.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace topiary::train {
namespace {

std::vector<int64_t> kept_steps(const ModelSelection& s) {
  std::vector<int64_t> steps;
  for (const auto& e : s.kept()) steps.push_back(e.step);
  return steps;
}

TEST(ModelSelection, KeepsExactlyTheBestKByAccuracy) {
  ModelSelection s(/*higher_is_better=*/true, /*keep_best=*/3, /*patience=*/0, 0.0);
  const std::vector<double> accuracy{0.50, 0.70, 0.60, 0.80, 0.65, 0.75, 0.55};
  std::vector<int64_t> dropped;
  for (size_t i = 0; i < accuracy.size(); ++i) {
    const auto d = s.observe(static_cast<int64_t>(i + 1) * 10, accuracy[i]);
    if (d.drop_step) dropped.push_back(*d.drop_step);
    EXPECT_FALSE(d.stop);
  }
  // Best three: 0.80 (step 40), 0.75 (60), 0.70 (20), best first.
  EXPECT_EQ(kept_steps(s), (std::vector<int64_t>{40, 60, 20}));
  // Every evaluation that entered and left is deleted again: 10, 30 (0.60), 50 (0.65).
  std::sort(dropped.begin(), dropped.end());
  EXPECT_EQ(dropped, (std::vector<int64_t>{10, 30, 50}));
  EXPECT_EQ(s.best()->step, 40);
}

TEST(ModelSelection, LowerIsBetterForLossAndTiesKeepTheEarlierStep) {
  ModelSelection s(/*higher_is_better=*/false, 2, 0, 0.0);
  EXPECT_TRUE(s.observe(1, 2.0).keep);
  EXPECT_TRUE(s.observe(2, 1.5).keep);
  const auto tie = s.observe(3, 2.0);  // equal to the worst kept: not kept
  EXPECT_FALSE(tie.keep);
  EXPECT_FALSE(tie.drop_step);
  const auto better = s.observe(4, 1.0);
  EXPECT_TRUE(better.keep);
  EXPECT_EQ(*better.drop_step, 1);
  EXPECT_EQ(kept_steps(s), (std::vector<int64_t>{4, 2}));
}

TEST(ModelSelection, EarlyStoppingAfterPatienceEvaluationsWithoutImprovement) {
  ModelSelection s(/*higher_is_better=*/true, 1, /*patience=*/2, /*min_delta=*/0.01);
  EXPECT_FALSE(s.observe(100, 0.70).stop);
  EXPECT_FALSE(s.observe(200, 0.75).stop);   // improved
  EXPECT_FALSE(s.observe(300, 0.755).stop);  // better, but not by more than min_delta: stale 1
  EXPECT_EQ(s.best()->step, 300);            // still the best checkpoint
  EXPECT_TRUE(s.observe(400, 0.74).stop);    // stale 2 = patience
}

TEST(ModelSelection, StateSurvivesACheckpoint) {
  ModelSelection a(true, 2, 3, 0.0);
  a.observe(1, 0.5);
  a.observe(2, 0.7);
  a.observe(3, 0.6);
  a.observe(4, 0.65);
  ModelSelection b(true, 2, 3, 0.0);
  b.import_state(a.export_state());
  EXPECT_EQ(kept_steps(b), kept_steps(a));
  EXPECT_EQ(b.evaluations_without_improvement(), a.evaluations_without_improvement());
  // Both continue identically.
  const auto da = a.observe(5, 0.68), db = b.observe(5, 0.68);
  EXPECT_EQ(da.keep, db.keep);
  EXPECT_EQ(da.drop_step, db.drop_step);
  EXPECT_EQ(da.stop, db.stop);
  EXPECT_EQ(kept_steps(b), (std::vector<int64_t>{2, 5}));
}

TEST(ModelSelection, KeepBestZeroKeepsNothingButStillTracksTheBest) {
  ModelSelection s(true, 0, 0, 0.0);
  EXPECT_FALSE(s.observe(1, 0.3).keep);
  EXPECT_FALSE(s.observe(2, 0.4).keep);
  EXPECT_TRUE(s.kept().empty());
  EXPECT_EQ(s.best()->step, 2);
}

}  // namespace
}  // namespace topiary::train
