#include "recipe/plan.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "core/error.h"

namespace topiary::recipe {
namespace {

const std::filesystem::path kRecipes = std::filesystem::path(TOPIARY_TEST_SOURCE_DIR) / "recipes";

PlanOptions examples(int64_t n, int64_t world_size = 1) {
  PlanOptions o;
  o.train_examples = n;
  o.mean_tokens_per_example = 20;
  o.world_size = world_size;
  return o;
}

TEST(Plan, StepsPerEpochComeFromTheGlobalBatch) {
  const Recipe r = parse_recipe(
      "data: {path: d.h5}\ntraining: {batch_size: 100}\nstages: [{until: 2ep}, {for: 50it}]\n",
      "r.yaml");
  const Plan plan = plan_recipe(r, examples(1099, 4));  // floor(1099 / 100), not / 25
  EXPECT_EQ(plan.geometry.steps_per_epoch, 10);
  EXPECT_EQ(plan.geometry.tokens_per_step, 2000.0);
  ASSERT_EQ(plan.stages.size(), 2u);
  EXPECT_EQ(plan.stages[0].begin, 0);
  EXPECT_EQ(plan.stages[0].end, 20);
  EXPECT_EQ(plan.stages[1].begin, 20);
  EXPECT_EQ(plan.stages[1].end, 70);
  EXPECT_EQ(plan.total_steps, 70);
  EXPECT_THROW(plan_recipe(r, examples(99)), UserError);       // less than one global batch
  EXPECT_THROW(plan_recipe(r, examples(1000, 3)), UserError);  // 100 does not split over 3
}

TEST(Plan, WithoutDropLastTheLastPartialBatchIsAStep) {
  const Recipe r = parse_recipe(
      "data: {path: d.h5}\ntraining: {batch_size: 100, drop_last: false}\nstages: [{until: 2ep}]\n",
      "r.yaml");
  EXPECT_FALSE(r.training.drop_last);
  EXPECT_EQ(plan_recipe(r, examples(1099, 4)).geometry.steps_per_epoch, 11);
  EXPECT_EQ(plan_recipe(r, examples(1100, 4)).geometry.steps_per_epoch, 11);
  EXPECT_EQ(plan_recipe(r, examples(1000)).total_steps, 20);
  EXPECT_THROW(plan_recipe(r, examples(99)), UserError);  // still at least one global batch
  // The effective recipe keeps both settings.
  const Recipe with_tokens = parse_recipe(
      "data: {path: d.h5}\ntraining: {drop_last: false, max_tokens: 4096}\nstages: [{until: "
      "1ep}]\n",
      "r.yaml");
  const Recipe again = parse_recipe(with_tokens.effective_yaml, "again.yaml");
  EXPECT_FALSE(again.training.drop_last);
  EXPECT_EQ(again.training.max_tokens, 4096);
}

TEST(Plan, EveryShippedRecipeIsTheSameOnOneTwoAndFourRanks) {
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kRecipes)) {
    if (entry.path().extension() != ".yaml") continue;
    const Recipe r = load_recipe(entry.path().string());
    const Plan one = plan_recipe(r, examples(67349, 1));
    EXPECT_EQ(plan_recipe(r, examples(67349, 2)), one) << entry.path();
    EXPECT_EQ(plan_recipe(r, examples(67349, 4)), one) << entry.path();
    EXPECT_EQ(plan_recipe(r, examples(67349, 4)).to_text(r), one.to_text(r));
    ++checked;
  }
  EXPECT_GE(checked, 8);
}

TEST(Plan, ImpRecipeHasFiveLevelsPruningTwentyPercentOfWhatRemains) {
  const Recipe r = load_recipe((kRecipes / "imp_rewind.yaml").string());
  const Plan plan = plan_recipe(r, examples(67349));  // 263 steps per epoch
  const int64_t level = 2 * 263;
  ASSERT_EQ(plan.stages.size(), 2u);
  const PlannedStage& imp = plan.stages[0];
  ASSERT_EQ(imp.levels.size(), 5u);
  EXPECT_EQ(imp.level_length, level);
  ASSERT_EQ(imp.snapshots.size(), 1u);
  EXPECT_EQ(imp.snapshots[0].step, 50);
  for (int64_t l = 0; l < 5; ++l) {
    const PlannedLevel& lv = imp.levels[l];
    EXPECT_EQ(lv.begin, l * level);
    EXPECT_EQ(lv.end, (l + 1) * level);
    EXPECT_EQ(lv.rewind, l > 0) << l;  // the snapshot is taken in the first level
    ASSERT_EQ(lv.prune.size(), 2u);
    for (const auto& p : lv.prune) {
      ASSERT_EQ(p.updates.size(), 1u);
      EXPECT_EQ(p.updates[0].step, (l + 1) * level);
      EXPECT_NEAR(p.updates[0].sparsity, 1 - std::pow(0.8, l + 1.0), 1e-12) << l;
      // The last step of a level runs at the end of the cosine decay.
      EXPECT_NEAR(
          p.updates[0].lr,
          0.0001 + (0.003 - 0.0001) * (1 + std::cos(M_PI * (level - 21.0) / (level - 20))) / 2,
          1e-12);
    }
  }
  // LR rewinding: every level warms up again from the same rates.
  for (int64_t t : {0, 10, 19, 20, 300}) {
    EXPECT_DOUBLE_EQ(plan.lr_at(t), plan.lr_at(3 * level + t)) << t;
  }
  EXPECT_NEAR(plan.lr_at(0), 0.003 / 20, 1e-15);
  const PlannedStage& ticket = plan.stages[1];
  EXPECT_EQ(ticket.begin, 5 * level);
  ASSERT_EQ(ticket.levels.size(), 1u);
  EXPECT_TRUE(ticket.levels[0].rewind);  // snapshot from an earlier stage: rewinds at its start
  EXPECT_EQ(plan.total_steps, 6 * level);
  const std::string text = plan.to_text(r);
  for (const char* line : {"level 5: steps [2104, 2630)", "step 2630: sparsity 0.6723",
                           "rewind to 'early' at step 526", "total steps: 3156"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
  }
}

TEST(Plan, OverridesAndRampsUseTheirOwnFinalSparsity) {
  const Recipe r = load_recipe((kRecipes / "layerwise80.yaml").string());
  const Plan plan = plan_recipe(r, examples(1000));  // batch 256: 3 steps per epoch
  const PlannedPrune& p = plan.stages[1].levels[0].prune[0];
  EXPECT_EQ(p.ramp.start_step, 6);
  EXPECT_EQ(p.ramp.end_step, 15);
  ASSERT_FALSE(p.updates.empty());
  EXPECT_DOUBLE_EQ(p.updates.back().sparsity, 0.8);
  EXPECT_DOUBLE_EQ(p.updates.back().override_sparsity.at(0), 0.5);
}

TEST(Plan, StepLearningRateAndStageWithoutLrModifier) {
  const Recipe r = parse_recipe(
      "data: {path: d.h5}\ntraining: {batch_size: 10, lr: 0.1}\nstages:\n"
      "  - {until: 100it}\n"
      "  - {for: 100it, modifiers: [{lr: {schedule: step, gamma: 0.5, every: 30it}}]}\n",
      "r.yaml");
  const Plan plan = plan_recipe(r, examples(100));
  EXPECT_DOUBLE_EQ(plan.lr_at(99), 0.1);
  EXPECT_DOUBLE_EQ(plan.lr_at(100), 0.1);
  EXPECT_DOUBLE_EQ(plan.lr_at(130), 0.05);
  EXPECT_DOUBLE_EQ(plan.lr_at(199), 0.0125);
}

TEST(Plan, AdaptiveRampKeepsTheStaticTimelineAndBoundsItsEnd) {
  const std::string recipe =
      "data: {path: d.h5}\ntraining: {batch_size: 10}\nstages:\n"
      "  - {for: 100it, repeat: 2, modifiers: [{prune: {targets: [a], final_sparsity: 0.5, "
      "start: 10it, end: 50it, every: 10it, schedule: linear, adaptive: {tolerance: 0.01}}}]}\n";
  const Recipe r = parse_recipe(recipe, "r.yaml");
  ASSERT_TRUE(r.stages[0].prune[0].adaptive);
  EXPECT_EQ(r.stages[0].prune[0].adaptive->metric, Metric::kLoss);
  const Plan plan = plan_recipe(r, examples(100));
  const Recipe stat =
      parse_recipe(recipe.substr(0, recipe.find(", adaptive")) + "}}]}\n", "r.yaml");
  const Plan static_plan = plan_recipe(stat, examples(100));
  for (int level = 0; level < 2; ++level) {
    const PlannedPrune& p = plan.stages[0].levels[level].prune[0];
    EXPECT_EQ(p.updates, static_plan.stages[0].levels[level].prune[0].updates);
    EXPECT_EQ(p.adaptive_deadline, 100 * (level + 1));  // each level's own end
    EXPECT_FALSE(static_plan.stages[0].levels[level].prune[0].adaptive_deadline);
  }
  EXPECT_NE(plan.to_text(r).find("adaptive (loss, tolerance 0.01)"), std::string::npos);
  EXPECT_NE(plan.to_text(r).find("by step 200 at the latest"), std::string::npos);

  const Recipe bounded = parse_recipe(
      recipe, "r.yaml",
      {"stages.0.modifiers.0.prune.adaptive={tolerance: 0, max_delay: 3ep, metric: accuracy}"});
  const Plan bounded_plan = plan_recipe(bounded, examples(100));  // 10 steps per epoch
  EXPECT_EQ(bounded_plan.stages[0].levels[0].prune[0].adaptive_deadline, 80);
  EXPECT_EQ(bounded_plan.stages[0].levels[1].prune[0].adaptive_deadline, 180);
  // The effective recipe keeps the block.
  const Recipe again = parse_recipe(bounded.effective_yaml, "again.yaml");
  ASSERT_TRUE(again.stages[0].prune[0].adaptive);
  EXPECT_EQ(again.stages[0].prune[0].adaptive->metric, Metric::kAccuracy);
  EXPECT_EQ(*again.stages[0].prune[0].adaptive->max_delay, TimeSpec::parse("3ep"));
  EXPECT_EQ(again.effective_yaml, bounded.effective_yaml);
}

TEST(Plan, ImpossibleStepRangesAreLocatedErrors) {
  const Recipe r = parse_recipe(
      "data: {path: d.h5}\ntraining: {batch_size: 10}\nstages:\n  - {until: 2ep}\n"
      "  - {until: 25it}\n",
      "r.yaml");
  try {
    plan_recipe(r, examples(100));  // 2ep = 20 steps, then until step 25: fine
    plan_recipe(r, examples(200));  // 2ep = 40 steps: the second stage ends before it starts
    FAIL();
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("r.yaml:5:5: key 'stages.1.until'"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace topiary::recipe
