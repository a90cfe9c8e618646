// Good recipes parse to exactly the expected values; defaults, variables, --set overrides and
// the effective YAML behave as docs/recipes.md says.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/error.h"
#include "recipe/recipe.h"

namespace topiary::recipe {
namespace {

const std::string kSource = TOPIARY_TEST_SOURCE_DIR;

TimeSpec t(const char* text) { return TimeSpec::parse(text); }

std::string absolute(const std::string& path) {
  return std::filesystem::absolute(path).lexically_normal().string();
}

std::string error_of(const std::string& yaml, const std::vector<std::string>& overrides = {}) {
  try {
    parse_recipe(yaml, "r.yaml", overrides);
  } catch (const UserError& e) {
    return e.what();
  }
  return "(accepted)";
}

constexpr const char* kMinimal = "data: {path: d.h5}\nstages: [{until: 1ep}]\n";

TEST(RecipeParse, FixtureHasExactValues) {
  // A frozen copy of the first quickstart recipe, so that editing recipes/ never breaks this test.
  const std::string file = kSource + "/tests/data/recipes/parse_fixture.yaml";
  const Recipe r = load_recipe(file);
  EXPECT_EQ(r.name, "quickstart");
  EXPECT_EQ(r.description,
            "TextCNN on the Debian fortunes topic corpus, gradual global magnitude pruning to 90%");
  EXPECT_EQ(r.seed, 1u);
  EXPECT_EQ(r.source_file, file);
  EXPECT_EQ(r.data.path, absolute(kSource + "/tests/data/runs/quickstart/fortunes.h5"));
  EXPECT_EQ(r.data.path_key_location, file + ":12:14");

  EXPECT_EQ(r.model.type, ModelType::kTextCnn);
  EXPECT_EQ(r.model.embedding_dim, 64);
  EXPECT_EQ(r.model.filters, 64);
  EXPECT_EQ(r.model.widths, (std::vector<int64_t>{3, 4, 5}));
  EXPECT_EQ(r.model.dropout, 0.5);
  EXPECT_EQ(r.model.max_length, 80);

  EXPECT_EQ(r.training.batch_size, 64);
  EXPECT_EQ(r.training.optimizer, Optimizer::kAdam);
  EXPECT_EQ(r.training.lr, 0.002);
  EXPECT_EQ(r.training.weight_decay, 0.0);
  EXPECT_EQ(r.training.momentum, 0.9);
  EXPECT_EQ(r.training.grad_clip, 0.0);
  ASSERT_TRUE(r.training.eval_every.has_value());
  EXPECT_EQ(*r.training.eval_every, t("1ep"));
  EXPECT_EQ(r.training.threads, 1);

  ASSERT_EQ(r.stages.size(), 2u);
  EXPECT_EQ(r.stages[0].name, "dense");
  EXPECT_TRUE(r.stages[0].has_until);
  EXPECT_EQ(r.stages[0].until, t("3ep"));
  EXPECT_FALSE(r.stages[0].length.has_value());
  EXPECT_TRUE(r.stages[0].prune.empty());
  EXPECT_EQ(r.stages[0].where.line, 16);
  EXPECT_EQ(r.stages[0].where.column, 5);

  const Stage& prune_stage = r.stages[1];
  EXPECT_EQ(prune_stage.name, "prune");
  EXPECT_EQ(prune_stage.until, t("9ep"));
  EXPECT_EQ(prune_stage.where.key, "stages.1");
  ASSERT_EQ(prune_stage.prune.size(), 1u);
  const PruneModifier& p = prune_stage.prune[0];
  EXPECT_EQ(p.method, prune::ScorerKind::kMagnitude);
  EXPECT_EQ(p.scope, prune::Scope::kGlobal);
  EXPECT_EQ(p.targets,
            (std::vector<std::string>{"convs.*.weight", "fc.weight", "embedding.weight"}));
  EXPECT_TRUE(p.exclude.empty());
  EXPECT_EQ(p.init_sparsity, 0.0);
  EXPECT_EQ(p.final_sparsity, 0.9);
  EXPECT_EQ(p.start, t("3ep"));
  EXPECT_EQ(p.end, t("7ep"));
  EXPECT_EQ(p.every, t("20it"));
  EXPECT_EQ(p.schedule, prune::ScheduleKind::kCubic);
  EXPECT_EQ(p.where.to_string(), file + ":21:16");
  EXPECT_EQ(p.where.key, "stages.1.modifiers.0.prune");
  ASSERT_EQ(p.targets_where.size(), 3u);
  EXPECT_EQ(p.targets_where[0].to_string(), file + ":21:61");
  EXPECT_EQ(p.targets_where[1].to_string(), file + ":21:79");
  EXPECT_EQ(p.targets_where[1].key, "stages.1.modifiers.0.prune.targets.1");
}

TEST(RecipeParse, DefaultsFillEverythingLeftOut) {
  const Recipe r = parse_recipe(kMinimal, "dir/minimal.yaml");
  const ModelConfig model;
  const TrainingConfig training;
  EXPECT_EQ(r.name, "minimal");
  EXPECT_EQ(r.description, "");
  EXPECT_EQ(r.seed, 1u);
  EXPECT_EQ(r.data.path, absolute("dir/d.h5"));
  EXPECT_EQ(r.model.type, model.type);
  EXPECT_EQ(r.model.embedding_dim, 128);
  EXPECT_EQ(r.model.filters, 100);
  EXPECT_EQ(r.model.widths, (std::vector<int64_t>{3, 4, 5}));
  EXPECT_EQ(r.model.dropout, 0.5);
  EXPECT_EQ(r.model.max_length, 0);
  EXPECT_EQ(r.training.batch_size, 64);
  EXPECT_EQ(r.training.optimizer, Optimizer::kAdam);
  EXPECT_EQ(r.training.lr, 1e-3);
  EXPECT_FALSE(r.training.eval_every.has_value());
  EXPECT_EQ(r.training.threads, training.threads);
  ASSERT_EQ(r.stages.size(), 1u);
  EXPECT_EQ(r.stages[0].name, "stage0");
}

TEST(RecipeParse, EmptySectionMeansDefaults) {
  const Recipe r =
      parse_recipe("data: {path: d.h5}\ntraining:\nmodel:\nstages: [{until: 1ep}]\n", "r.yaml");
  EXPECT_EQ(r.training.batch_size, 64);
  EXPECT_EQ(r.model.filters, 100);
}

TEST(RecipeParse, AbsoluteDataPathIsKept) {
  const Recipe r = parse_recipe("data: {path: /data/x.h5}\nstages: [{until: 1ep}]\n", "a/r.yaml");
  EXPECT_EQ(r.data.path, "/data/x.h5");
}

TEST(RecipeParse, ForStagesAndMixedUnits) {
  const Recipe r = parse_recipe(
      "data: {path: d.h5}\nstages:\n  - {for: 500it}\n  - {until: 2ep}\n  - {for: 10Mtok}\n",
      "r.yaml");
  ASSERT_EQ(r.stages.size(), 3u);
  EXPECT_FALSE(r.stages[0].has_until);
  EXPECT_EQ(*r.stages[0].length, t("500it"));
  EXPECT_TRUE(r.stages[1].has_until);
  EXPECT_EQ(r.stages[2].length->value, 1e7);
  EXPECT_EQ(r.stages[2].name, "stage2");
}

TEST(RecipeParse, PruneOptionsExcludeRegexAndOneshot) {
  const Recipe r = parse_recipe(R"(data: {path: d.h5}
stages:
  - until: 2ep
    modifiers:
      - prune:
          method: random
          scope: layer
          schedule: oneshot
          targets: ["re:convs\\.[0-9]+\\.weight", "fc.*"]
          exclude: [fc.bias]
          init_sparsity: 0.25
          final_sparsity: 0.5
          start: 1ep
          end: 1ep
          every: 1it
)",
                                "r.yaml");
  const PruneModifier& p = r.stages[0].prune.at(0);
  EXPECT_EQ(p.method, prune::ScorerKind::kRandom);
  EXPECT_EQ(p.scope, prune::Scope::kLayer);
  EXPECT_EQ(p.schedule, prune::ScheduleKind::kOneShot);
  EXPECT_EQ(p.targets, (std::vector<std::string>{"re:convs\\.[0-9]+\\.weight", "fc.*"}));
  EXPECT_EQ(p.exclude, (std::vector<std::string>{"fc.bias"}));
  EXPECT_EQ(p.exclude_where.at(0).line, 10);
  EXPECT_EQ(p.init_sparsity, 0.25);
  EXPECT_EQ(p.final_sparsity, 0.5);
}

TEST(RecipeParse, VariablesAreSubstitutedAsText) {
  const Recipe r = parse_recipe(R"(variables: {s: 0.8, run: exp1, n: 3}
name: sweep-${run}
data: {path: "runs/${run}/d.h5"}
model: {filters: "${n}${n}"}
stages:
  - until: ${n}ep
    modifiers:
      - prune: {targets: [fc.weight], final_sparsity: "${s}", start: 0ep, end: 2ep, every: 1it}
)",
                                "r.yaml");
  EXPECT_EQ(r.name, "sweep-exp1");
  EXPECT_EQ(r.data.path, absolute("runs/exp1/d.h5"));
  EXPECT_EQ(r.model.filters, 33);
  EXPECT_EQ(r.stages[0].until, t("3ep"));
  EXPECT_EQ(r.stages[0].prune[0].final_sparsity, 0.8);
  // Substituted values keep their place in the file for later errors.
  EXPECT_EQ(r.stages[0].prune[0].where.line, 8);
}

TEST(RecipeParse, VariablesAreNeverEvaluated) {
  const std::string message =
      error_of("variables: {a: 1}\ndata: {path: d.h5}\nseed: ${a}+1\nstages: [{until: 1ep}]\n");
  EXPECT_NE(message.find("r.yaml:3:7: key 'seed': expected a whole number (e.g. 64), found '1+1'"),
            std::string::npos)
      << message;
}

TEST(RecipeParse, OverridesApplyBeforeValidation) {
  const Recipe r =
      parse_recipe("data: {path: d.h5}\nstages: [{until: 1ep}, {until: 2ep}]\n", "r.yaml",
                   {"training.lr=0.01", "stages.1.until=10ep", "model.widths=[2, 3]",
                    "training.lr=0.02", "stages.0.name=warmup", "name=custom"});
  EXPECT_EQ(r.training.lr, 0.02);  // the later --set wins
  EXPECT_EQ(r.stages[1].until, t("10ep"));
  EXPECT_EQ(r.stages[0].name, "warmup");
  EXPECT_EQ(r.model.widths, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(r.name, "custom");
  EXPECT_NE(r.effective_yaml.find("lr: 0.02"), std::string::npos);
}

TEST(RecipeParse, OverridesReachVariables) {
  const Recipe r =
      parse_recipe("variables: {end: 2ep}\ndata: {path: d.h5}\nstages: [{until: \"${end}\"}]\n",
                   "r.yaml", {"variables.end=5ep"});
  EXPECT_EQ(r.stages[0].until, t("5ep"));
}

TEST(RecipeParse, OverrideErrorsNameTheSet) {
  EXPECT_EQ(error_of(kMinimal, {"training.lr=0"}),
            "--set 'training.lr=0': key 'training.lr': must be > 0; found 0");
  EXPECT_EQ(error_of(kMinimal, {"model.type.x=1"}),
            "--set 'model.type.x=1': key 'model.type': expected a model type, found a map");
  EXPECT_EQ(error_of(kMinimal, {"stages.0.until.x=1"}),
            "--set 'stages.0.until.x=1': 'stages.0.until' is '1ep', not a map or list");
  EXPECT_EQ(error_of(kMinimal, {"training.lr=[1"})
                .rfind("--set 'training.lr=[1': the value is "
                       "not valid YAML",
                       0),
            0u);
  EXPECT_EQ(error_of(kMinimal, {"a..b=1"}), "--set 'a..b=1': 'a..b' is not a dotted key path");
}

TEST(RecipeParse, EffectiveYamlRoundTrips) {
  const Recipe r = load_recipe(kSource + "/recipes/quickstart.yaml",
                               {"training.eval_every=10Mtok", "training.lr=0.1",
                                "model.dropout=0.3", "description='a: \"b\" # c'"});
  EXPECT_NE(r.effective_yaml.find("eval_every: 10Mtok"), std::string::npos) << r.effective_yaml;
  EXPECT_NE(r.effective_yaml.find("lr: 0.1\n"), std::string::npos) << r.effective_yaml;
  const Recipe again = parse_recipe(r.effective_yaml, "elsewhere/effective.yaml");
  EXPECT_EQ(again.effective_yaml, r.effective_yaml);
  EXPECT_EQ(again.description, "a: \"b\" # c");
  EXPECT_EQ(again.data.path, r.data.path);
  EXPECT_EQ(again.training.lr, 0.1);
  EXPECT_EQ(again.model.dropout, 0.3);
  EXPECT_EQ(*again.training.eval_every, t("10Mtok"));
  ASSERT_EQ(again.stages.size(), 2u);
  const PruneModifier& a = r.stages[1].prune[0];
  const PruneModifier& b = again.stages[1].prune[0];
  EXPECT_EQ(b.targets, a.targets);
  EXPECT_EQ(b.final_sparsity, a.final_sparsity);
  EXPECT_EQ(b.start, a.start);
  EXPECT_EQ(b.end, a.end);
  EXPECT_EQ(b.every, a.every);
}

TEST(RecipeParse, CommDtypeIsRecordedOnlyWhenSet) {
  // It changes results, so checkpoints record it; fp32 leaves older effective recipes as they were.
  const std::string text = std::string(kMinimal) + "training: {comm_dtype: bf16}\n";
  const Recipe r = parse_recipe(text, "r.yaml");
  EXPECT_EQ(r.training.comm_dtype, CommDtype::kBf16);
  EXPECT_NE(r.checkpoint_yaml.find("comm_dtype: bf16"), std::string::npos) << r.checkpoint_yaml;
  EXPECT_EQ(parse_recipe(r.effective_yaml, "again.yaml").training.comm_dtype, CommDtype::kBf16);
  const Recipe plain = parse_recipe(kMinimal, "r.yaml");
  EXPECT_EQ(plain.training.comm_dtype, CommDtype::kFp32);
  EXPECT_EQ(plain.effective_yaml.find("comm_dtype"), std::string::npos) << plain.effective_yaml;
}

TEST(RecipeParse, EffectiveYamlKeepsForStagesAndExcludes) {
  const Recipe r = parse_recipe(R"(data: {path: /d.h5}
stages:
  - for: 500it
    modifiers:
      - prune: {targets: ["*"], exclude: ["re:.*bias"], final_sparsity: 0.5, start: 0it, end: 400it, every: 10it}
)",
                                "r.yaml");
  const Recipe again = parse_recipe(r.effective_yaml, "r.yaml");
  EXPECT_FALSE(again.stages[0].has_until);
  EXPECT_EQ(*again.stages[0].length, t("500it"));
  EXPECT_EQ(again.stages[0].prune[0].exclude, (std::vector<std::string>{"re:.*bias"}));
  EXPECT_EQ(again.effective_yaml, r.effective_yaml);
}

TEST(RecipeParse, FisherDampeningAndWindowRoundTrip) {
  const Recipe r = parse_recipe(R"(data: {path: /d.h5}
stages:
  - for: 500it
    modifiers:
      - prune: {method: fisher, window: 20it, dampening: 0.001, targets: ["*"], final_sparsity: 0.5, start: 100it, end: 400it, every: 50it}
      - prune: {method: fisher, targets: ["x"], final_sparsity: 0.5, start: 100it, end: 400it, every: 50it}
)",
                                "r.yaml");
  EXPECT_EQ(r.stages[0].prune[0].method, prune::ScorerKind::kFisher);
  EXPECT_EQ(r.stages[0].prune[0].dampening, 0.001);
  EXPECT_EQ(r.stages[0].prune[1].dampening, 1e-7);
  const Recipe again = parse_recipe(r.effective_yaml, "r.yaml");
  EXPECT_EQ(again.stages[0].prune[0].dampening, 0.001);
  EXPECT_EQ(*again.stages[0].prune[0].window, t("20it"));
  EXPECT_EQ(again.stages[0].prune[1].dampening, 1e-7);
  EXPECT_EQ(again.effective_yaml, r.effective_yaml);
}

TEST(RecipeParse, UnreadableFileIsAUserError) {
  EXPECT_THROW(load_recipe(kSource + "/recipes/does-not-exist.yaml"), UserError);
  EXPECT_THROW(load_recipe(kSource + "/recipes"), UserError);
}

TEST(RecipeParse, EmptyRecipeNamesTheMissingKey) {
  EXPECT_EQ(error_of(""), "r.yaml: key 'data': missing required key in the recipe");
}

}  // namespace
}  // namespace topiary::recipe

namespace topiary::recipe {
namespace {

TEST(RecipeParse, DistillTeacherIsResolvedAndRoundTrips) {
  const Recipe r = parse_recipe(
      "data: {path: d.h5}\nstages:\n  - until: 2ep\n    modifiers:\n"
      "      - distill: {teacher: runs/dense.h5, temperature: 3, alpha: 0.25}\n",
      "dir/r.yaml");
  ASSERT_TRUE(r.stages[0].distill.has_value());
  EXPECT_EQ(r.stages[0].distill->teacher, absolute("dir/runs/dense.h5"));
  EXPECT_EQ(r.stages[0].distill->temperature, 3.0);
  EXPECT_EQ(r.stages[0].distill->alpha, 0.25);
  const Recipe again = parse_recipe(r.effective_yaml, "dir/r.yaml");
  EXPECT_EQ(again.stages[0].distill, r.stages[0].distill);
  EXPECT_EQ(again.effective_yaml, r.effective_yaml);
  // Defaults: temperature 2, alpha 0.5.
  const Recipe d = parse_recipe(
      "data: {path: d.h5}\nstages: [{until: 1ep, modifiers: [{distill: {teacher: t.h5}}]}]\n",
      "r.yaml");
  EXPECT_EQ(d.stages[0].distill->temperature, 2.0);
  EXPECT_EQ(d.stages[0].distill->alpha, 0.5);
  // ... and no layer-wise term, left out of the written recipe so older recipes read the same.
  EXPECT_EQ(d.stages[0].distill->hidden, 0.0);
  const size_t distill_at = d.effective_yaml.find("distill:");
  ASSERT_NE(distill_at, std::string::npos);
  const std::string distill_line =
      d.effective_yaml.substr(distill_at, d.effective_yaml.find('\n', distill_at) - distill_at);
  EXPECT_EQ(distill_line.find("hidden"), std::string::npos) << distill_line;
}

TEST(RecipeParse, DistillHiddenWeightRoundTrips) {
  const Recipe r = parse_recipe(
      "data: {path: d.h5}\nstages: [{until: 1ep, modifiers: [{distill: {teacher: t.h5, "
      "hidden: 0.5}}]}]\n",
      "r.yaml");
  EXPECT_EQ(r.stages[0].distill->hidden, 0.5);
  const Recipe again = parse_recipe(r.effective_yaml, "r.yaml");
  EXPECT_EQ(again.stages[0].distill, r.stages[0].distill);
  const Recipe without = parse_recipe(
      "data: {path: d.h5}\nstages: [{until: 1ep, modifiers: [{distill: {teacher: t.h5}}]}]\n",
      "r.yaml");
  EXPECT_NE(r.stages[0].distill, without.stages[0].distill);
}

TEST(RecipeParse, BertTakesItsArchitectureFromThePretrainedModel) {
  const Recipe r = parse_recipe(
      "data: {path: d.h5}\nmodel: {type: bert, from: models/minilm}\nstages: [{until: 1ep}]\n",
      "dir/r.yaml");
  EXPECT_EQ(r.model.type, ModelType::kBert);
  EXPECT_EQ(r.model.from, absolute("dir/models/minilm"));
  EXPECT_EQ(r.model.dropout, 0.1);
  EXPECT_EQ(parse_recipe(r.effective_yaml, "dir/r.yaml").effective_yaml, r.effective_yaml);
  EXPECT_NE(error_of("data: {path: d.h5}\nmodel: {type: bert}\nstages: [{until: 1ep}]\n")
                .find("type bert needs model.from"),
            std::string::npos);
  EXPECT_NE(
      error_of("data: {path: d.h5}\nmodel: {type: textcnn, from: m}\nstages: [{until: 1ep}]\n")
          .find("only a pretrained model (type bert)"),
      std::string::npos);
}

TEST(RecipeParse, EmbeddingInitIsAChoiceWithARange) {
  EXPECT_EQ(parse_recipe(kMinimal, "r.yaml").model.embedding_init, EmbeddingInit::kNormal);
  const Recipe r = parse_recipe(
      "data: {path: d.h5}\nmodel: {embedding_init: uniform, embedding_init_range: 0.1}\n"
      "stages: [{until: 1ep}]\n",
      "r.yaml");
  EXPECT_EQ(r.model.embedding_init, EmbeddingInit::kUniform);
  EXPECT_EQ(r.model.embedding_init_range, 0.1);
  const Recipe again = parse_recipe(r.effective_yaml, "r.yaml");
  EXPECT_EQ(again.model.embedding_init, EmbeddingInit::kUniform);
  EXPECT_EQ(again.model.embedding_init_range, 0.1);
  const std::string stages = "\nstages: [{until: 1ep}]\n";
  EXPECT_NE(
      error_of("data: {path: d.h5}\nmodel: {embedding_init: xavier}" + stages).find("r.yaml:2:"),
      std::string::npos);
  EXPECT_NE(error_of("data: {path: d.h5}\nmodel: {embedding_init: xavier}" + stages)
                .find("normal, uniform"),
            std::string::npos);
  EXPECT_NE(error_of("data: {path: d.h5}\nmodel: {embedding_init_range: 0.1}" + stages)
                .find("embedding_init: uniform"),
            std::string::npos);
  EXPECT_NE(error_of("data: {path: d.h5}\nmodel: {embedding_init: uniform, "
                     "embedding_init_range: 0}" +
                     stages)
                .find("> 0"),
            std::string::npos);
  EXPECT_NE(
      error_of("data: {path: d.h5}\nmodel: {type: bert, from: m, embedding_init: uniform}" + stages)
          .find("set by the pretrained model"),
      std::string::npos);
}

}  // namespace
}  // namespace topiary::recipe
