// train/open_checkpoint.h: a checkpoint opens into its recipe, dataset, model, weights and masks;
// a thinned one into the architecture it describes; and each failure says what is wrong, in the
// words `eval`, `sensitivity`, `predict`, `export` and `thin` print.
#include "train/open_checkpoint.h"

#include <gtest/gtest.h>
#include <torch/types.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "data/dataset.h"
#include "io/checkpoint_file.h"
#include "recipe/recipe.h"
#include "train/model_description.h"
#include "train/model_spec.h"

namespace topiary::train {
namespace {

namespace fs = std::filesystem;

io::NamedArray array(const std::string& name, const torch::Tensor& t) {
  const torch::Tensor f = t.detach().to(torch::kFloat32).contiguous();
  return {name, f.sizes().vec(),
          std::vector<float>(f.data_ptr<float>(), f.data_ptr<float>() + f.numel())};
}

class OpenCheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::path(::testing::TempDir()) / ("topiary_open_checkpoint_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    data::Dataset classification;
    classification.vocabulary = {"<pad>", "<unk>", "good", "bad", "film"};
    classification.label_names = {"negative", "positive"};
    for (data::TokenizedSplit* split : {&classification.train, &classification.valid}) {
      split->tokens = {2, 4, 3, 4, 2};
      split->offsets = {0, 2, 5};
      split->labels = {1, 0};
    }
    data::write_dataset(path("classes.h5"), classification);
    data::Dataset lm = classification;
    lm.kind = data::kLanguageModelKind;
    lm.vocabulary = {"<pad>", "<unk>", "<eos>", "a", "b"};
    lm.label_names.clear();
    lm.train.labels.clear();
    lm.valid.labels.clear();
    data::write_dataset(path("lm.h5"), lm);
    recipe_ = "name: open_test\nseed: 3\ndata: {path: " + path("classes.h5") +
              "}\nmodel: {type: textcnn, embedding_dim: 4, filters: 3, widths: [2], max_length: "
              "9}\ntraining: {batch_size: 2, lr: 0.01}\nstages:\n  - {name: dense, until: 2it}\n";
  }
  // Not fs::remove_all: libtorch.so exports its own copy, which crashes when it wins the symbol
  // lookup in a binary linked against it.
  void TearDown() override {
    [[maybe_unused]] const int status = std::system(("rm -rf '" + dir_.string() + "'").c_str());
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // A textcnn for the classification dataset, fc.weight masked at [0, 0], written as `name`.
  std::string write(const std::string& name, const models::ModelSpec& spec,
                    const std::map<std::string, std::string>& attributes) {
    torch::manual_seed(5);
    model_ = models::make_model(spec);
    io::CheckpointContents contents;
    for (const auto& p : model_->named_parameters())
      contents.weights.push_back(array(p.key(), p.value()));
    torch::Tensor mask = torch::ones_like(model_->named_parameters()["fc.weight"]);
    mask[0][0] = 0.0f;
    contents.masks.push_back(array("fc.weight", mask));
    contents.attributes = attributes;
    io::write_checkpoint(path(name), contents);
    return path(name);
  }
  // The model the recipe describes for the classification dataset.
  models::ModelSpec recipe_spec() const {
    return model_spec(recipe::parse_recipe(recipe_, "recipe").model,
                      data::read_dataset(path("classes.h5")));
  }
  static std::string message_of(const std::function<void()>& f) {
    try {
      f();
    } catch (const UserError& e) {
      return e.what();
    }
    return "(no UserError)";
  }

  fs::path dir_;
  std::string recipe_;
  std::shared_ptr<models::Model> model_;
};

TEST_F(OpenCheckpointTest, OpensTheRecipesModelWithWeightsAndMasks) {
  const std::string ckpt = write("a.h5", recipe_spec(), {{"recipe", recipe_}, {"step", "2"}});
  const OpenedCheckpoint opened = open_checkpoint(ckpt);
  EXPECT_EQ(opened.path, ckpt);
  EXPECT_EQ(opened.attributes.at("step"), "2");
  EXPECT_EQ(opened.data_path, path("classes.h5"));
  EXPECT_EQ(opened.dataset.label_names.size(), 2u);
  EXPECT_EQ(opened.spec.vocab_size, 5);
  EXPECT_EQ(opened.spec.num_classes, 2);
  EXPECT_EQ(opened.max_length, 9);  // the recipe's
  ASSERT_EQ(opened.parameters.size(), model_->named_parameters().size());
  for (const auto& [name, p] : opened.parameters) {
    torch::Tensor expected = model_->named_parameters()[name].detach().clone();
    if (name == "fc.weight") expected[0][0] = 0.0f;  // the mask applied
    EXPECT_TRUE(torch::equal(p, expected)) << name;
  }
  EXPECT_EQ(opened.masks.zero_elements(), 1);
}

TEST_F(OpenCheckpointTest, AThinnedCheckpointDescribesItsOwnModel) {
  models::ModelSpec thinned = recipe_spec();
  thinned.filters_per_width = {2};
  const std::string ckpt =
      write("t.h5", thinned, {{"recipe", recipe_}, {"model", describe_model(thinned, 7).dump()}});
  const OpenedCheckpoint opened = open_checkpoint(ckpt);
  EXPECT_EQ(opened.spec.filters_per_width, std::vector<int64_t>{2});
  EXPECT_EQ(opened.max_length, 7);
  const TrainingCheckpoint checkpoint = read_training_checkpoint(ckpt);
  ASSERT_NE(checkpoint.model_description(), nullptr);
  int64_t max_length = 0;
  EXPECT_EQ(checkpoint_model_spec(checkpoint, nullptr, &max_length).filters_per_width,
            std::vector<int64_t>{2});
  EXPECT_EQ(max_length, 7);
}

TEST_F(OpenCheckpointTest, WithoutARecipeItIsNotATrainingCheckpoint) {
  const std::string ckpt = write("n.h5", recipe_spec(), {});
  EXPECT_EQ(message_of([&] { open_checkpoint(ckpt); }),
            ckpt + ": not a training checkpoint (no effective recipe)");
  OpenOptions options;
  options.recipe.missing_recipe_hint = "; pass --recipe";
  EXPECT_EQ(message_of([&] { open_checkpoint(ckpt, options); }),
            ckpt + ": not a training checkpoint (no effective recipe); pass --recipe");
  // A recipe file stands in for the missing one, with its overrides.
  std::ofstream(path("recipe.yaml")) << recipe_;
  options.recipe.recipe_path = path("recipe.yaml");
  options.recipe.overrides = {"model.max_length=11"};
  EXPECT_EQ(open_checkpoint(ckpt, options).max_length, 11);
}

TEST_F(OpenCheckpointTest, DatasetOverrideAndChecks) {
  const std::string ckpt = write("a.h5", recipe_spec(), {{"recipe", recipe_}});
  OpenOptions options;
  options.data = path("lm.h5");
  std::string checked;
  options.check_dataset = [&](const data::Dataset& dataset, const std::string& data_path) {
    checked = data_path + " " + dataset.kind;
  };
  options.check_task = true;
  EXPECT_EQ(
      message_of([&] { open_checkpoint(ckpt, options); }),
      path("lm.h5") + ": dataset kind 'language_model' does not fit model 'textcnn' of " + ckpt);
  EXPECT_EQ(checked, path("lm.h5") + " language_model");
  options.check_dataset = [](const data::Dataset&, const std::string& data_path) {
    throw UserError(data_path + ": no validation split");
  };
  EXPECT_EQ(message_of([&] { open_checkpoint(ckpt, options); }),
            path("lm.h5") + ": no validation split");
}

}  // namespace
}  // namespace topiary::train
