// The imported BERT computes what Hugging Face transformers computes: last hidden states (and
// every layer's) equal BertModel's within 1e-4 on a padded batch (reference from the project venv's
// transformers, tests/unit/hf/bert_reference.py), for the model read from its folder and from the
// file `topiary import hf` writes. And a model folder whose config and weights disagree is refused
// naming the file and the tensor.
#include <gtest/gtest.h>
#include <torch/torch.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/subprocess.h"
#include "hf/pretrained.h"
#include "hf/safetensors.h"
#include "models/bert.h"

namespace topiary::hf {
namespace {

std::string pretrained_dir() {
  const char* dir = std::getenv("TOPIARY_PRETRAINED_DIR");
  return dir ? dir : std::string(TOPIARY_TEST_SOURCE_DIR) + "/.pretrained/all-minilm-l6-v2";
}

class BertParityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(pretrained_dir() + "/model.safetensors"))
        << pretrained_dir() << " missing: launch/setup.sh installs the pretrained model";
    dir_ = std::filesystem::temp_directory_path() /
           ("topiary-bert-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::map<std::string, torch::Tensor> reference() {
    const std::string out = (dir_ / "reference.safetensors").string();
    const std::string source = TOPIARY_TEST_SOURCE_DIR;
    std::string error;
    const int status =
        core::run_process({core::find_python(source), source + "/tests/unit/hf/bert_reference.py",
                           pretrained_dir(), out},
                          &error);
    EXPECT_EQ(status, 0) << error;
    return read_safetensors(out);
  }

  // The pretrained encoder with a fresh two-class head, in eval mode.
  static std::shared_ptr<models::BertClassifier> imported(const PretrainedModel& pretrained) {
    models::ModelSpec spec = pretrained.spec;
    spec.num_classes = 2;
    auto model = std::make_shared<models::BertClassifier>(spec);
    std::vector<std::pair<std::string, torch::Tensor>> parameters;
    for (const auto& item : model->named_parameters())
      parameters.emplace_back(item.key(), item.value());
    const auto fresh = copy_pretrained_weights(pretrained, parameters);
    EXPECT_EQ(fresh, (std::vector<std::string>{"fc.weight", "fc.bias"}));
    model->eval();
    return model;
  }

  // Largest difference at real (non-padding) positions.
  static double masked_difference(const torch::Tensor& ours, const torch::Tensor& theirs,
                                  const torch::Tensor& ids) {
    const torch::Tensor real = (ids != 0).unsqueeze(2);
    return ((ours - theirs).abs() * real).max().item<double>();
  }

  static double max_difference(const PretrainedModel& pretrained,
                               const std::map<std::string, torch::Tensor>& ref) {
    torch::NoGradGuard no_grad;
    const torch::Tensor ids = ref.at("input_ids");
    return masked_difference(imported(pretrained)->encode(ids), ref.at("last_hidden_state"), ids);
  }

  std::filesystem::path dir_;
};

TEST_F(BertParityTest, HiddenStatesEqualTransformersOnAPaddedBatch) {
  const auto ref = reference();
  ASSERT_GT((ref.at("input_ids") == 0).sum().item<int64_t>(), 0) << "the batch needs padding";
  EXPECT_LT(max_difference(load_pretrained(pretrained_dir()), ref), 1e-4);
  // The same through the imported single file.
  const std::string imported = (dir_ / "minilm.h5").string();
  write_imported_model(load_pretrained(pretrained_dir()), imported);
  const PretrainedModel reread = load_pretrained(imported);
  EXPECT_FALSE(reread.tokenizer_json.empty());
  EXPECT_LT(max_difference(reread, ref), 1e-4);
}

// Layer-wise distillation reads every layer's output: each equals transformers' hidden state of
// that layer, and the logits are forward's.
TEST_F(BertParityTest, EveryLayersHiddenStateEqualsTransformers) {
  const auto ref = reference();
  const auto model = imported(load_pretrained(pretrained_dir()));
  torch::NoGradGuard no_grad;
  const torch::Tensor ids = ref.at("input_ids");
  std::vector<torch::Tensor> hidden;
  const torch::Tensor logits = model->forward_with_hidden(ids, hidden);
  ASSERT_EQ(hidden.size(), 6u);
  for (size_t layer = 0; layer < hidden.size(); ++layer) {
    EXPECT_LT(
        masked_difference(hidden[layer], ref.at("hidden_state." + std::to_string(layer + 1)), ids),
        1e-4)
        << "layer " << layer;
  }
  EXPECT_TRUE(torch::equal(logits, model->forward(ids)));
  EXPECT_TRUE(torch::equal(hidden.back(), model->encode(ids)));
}

// A copy of the model folder with config.json edited.
TEST_F(BertParityTest, ConfigThatDisagreesWithTheWeightsIsRefusedNamingTheTensor) {
  const std::filesystem::path copy = dir_ / "model";
  std::filesystem::create_directories(copy);
  std::filesystem::create_symlink(pretrained_dir() + "/model.safetensors",
                                  copy / "model.safetensors");
  std::ifstream in(pretrained_dir() + "/config.json");
  std::string config((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string from = "\"intermediate_size\": 1536";
  ASSERT_NE(config.find(from), std::string::npos);
  config.replace(config.find(from), from.size(), "\"intermediate_size\": 1024");
  std::ofstream(copy / "config.json") << config;
  try {
    load_pretrained(copy.string());
    FAIL() << "no error";
  } catch (const UserError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find((copy / "model.safetensors").string()), std::string::npos) << message;
    // The first tensor whose shape depends on intermediate_size.
    EXPECT_NE(message.find("tensor 'encoder.layer.0.output.dense.weight' has shape [384, 1536]; "
                           "config.json gives [384, 1024]"),
              std::string::npos)
        << message;
  }
}

TEST_F(BertParityTest, UnsupportedConfigIsRefusedNamingTheKey) {
  const std::filesystem::path copy = dir_ / "model";
  std::filesystem::create_directories(copy);
  std::ifstream in(pretrained_dir() + "/config.json");
  std::string config((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string from = "\"hidden_act\": \"gelu\"";
  ASSERT_NE(config.find(from), std::string::npos);
  config.replace(config.find(from), from.size(), "\"hidden_act\": \"relu\"");
  std::ofstream(copy / "config.json") << config;
  try {
    pretrained_spec(copy.string());
    FAIL() << "no error";
  } catch (const UserError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("config.json: key 'hidden_act' is \"relu\""), std::string::npos)
        << message;
  }
}

}  // namespace
}  // namespace topiary::hf
