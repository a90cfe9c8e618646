// The trainer itself on a CUDA device (not a copy of its step): the same recipe on CUDA and on
// the CPU gives losses within 1e-4 relative over 20 steps and identical masks; a run stopped and
// resumed on CUDA ends bitwise equal to an uninterrupted CUDA run (deterministic algorithms);
// a checkpoint written on CUDA evaluates on the CPU to the metric the CUDA run reported, and
// resumes on the CPU. TF32 is off so that CUDA matmuls and convolutions compute in fp32.
// TOPIARY_GPU_TESTS_ON_CPU=1 rehearses these tests without a GPU: "cuda" becomes "cpu", so the
// tests' own mechanics (files, keys, steps) are checked before a GPU run.
#include <ATen/Context.h>
#include <gtest/gtest.h>
#include <torch/torch.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "../unit/test_data_dir.h"
#include "comm/communicator.h"
#include "core/error.h"
#include "data/dataset.h"
#include "data/prepare.h"
#include "gpu_test_util.h"
#include "io/checkpoint_file.h"
#include "models/model.h"
#include "recipe/recipe.h"
#include "train/evaluate.h"
#include "train/model_spec.h"
#include "train/trainer.h"
#include "train/training_state.h"

namespace topiary::train {
namespace {

bool rehearsal() {
  const char* value = std::getenv("TOPIARY_GPU_TESTS_ON_CPU");
  return value != nullptr && std::string(value) == "1";
}

// "training.device=cuda", or =cpu in a rehearsal.
std::string on_gpu() { return rehearsal() ? "training.device=cpu" : "training.device=cuda"; }

class CudaTrainer : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!rehearsal()) TOPIARY_REQUIRE_CUDA();
    at::globalContext().setAllowTF32CuBLAS(false);
    at::globalContext().setAllowTF32CuDNN(false);
    dir_ = std::filesystem::temp_directory_path() /
           ("topiary-cuda-trainer-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    data::PrepareOptions prepare;
    prepare.input = test::data_file("sst2/dev.tsv");
    ASSERT_FALSE(HasFailure());
    prepare.output = path("dev.h5");
    data::prepare_dataset(prepare);
    // Dropout 0: the CPU and CUDA generators draw different masks.
    std::ofstream(path("recipe.yaml")) << R"(name: cuda_trainer
seed: 5
data: {path: dev.h5}
model: {type: textcnn, embedding_dim: 32, filters: 16, widths: [3, 4], dropout: 0.0, max_length: 40}
training: {batch_size: 32, optimizer: adam, lr: 0.002, eval_every: 5it}
stages:
  - name: prune
    until: 20it
    modifiers:
      - prune: {method: magnitude, scope: global, targets: ["convs.*.weight", "fc.weight"], final_sparsity: 0.6, start: 4it, end: 16it, every: 4it}
)";
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  int train(const std::string& output, const std::vector<std::string>& overrides,
            int64_t stop_at = 0, const std::string& resume = "") {
    auto comm = comm::make_loopback_communicator();
    TrainOptions o;
    o.recipe_path = path("recipe.yaml");
    o.output_dir = path(output);
    o.overrides = overrides;
    o.stop_at = stop_at;
    o.resume = resume;
    Trainer trainer(o, *comm);
    if (const int code = trainer.set_up(); code != kExitOk) return code;
    return trainer.run();
  }

  // Training losses of metrics.jsonl, in step order.
  std::vector<double> losses(const std::string& output) const {
    std::vector<double> out;
    std::ifstream in(path(output + "/metrics.jsonl"));
    for (std::string line; std::getline(in, line);) {
      const nlohmann::json entry = nlohmann::json::parse(line);
      if (entry.contains("train_loss")) out.push_back(entry["train_loss"].get<double>());
    }
    return out;
  }

  std::filesystem::path dir_;
};

TEST_F(CudaTrainer, SameRecipeOnCudaAndCpuGivesTheSameLossesAndMasks) {
  ASSERT_EQ(train("cpu", {"training.device=cpu"}), kExitOk);
  ASSERT_EQ(train("cuda", {on_gpu()}), kExitOk);
  const std::vector<double> cpu = losses("cpu"), cuda = losses("cuda");
  ASSERT_EQ(cpu.size(), cuda.size());
  ASSERT_FALSE(cpu.empty());
  for (size_t i = 0; i < cpu.size(); ++i) {
    EXPECT_NEAR(cuda[i], cpu[i], 1e-4 * std::abs(cpu[i])) << "evaluation " << i;
  }
  const io::CheckpointContents a = io::read_checkpoint(path("cpu/final.h5"));
  const io::CheckpointContents b = io::read_checkpoint(path("cuda/final.h5"));
  ASSERT_EQ(a.masks.size(), b.masks.size());
  for (size_t i = 0; i < a.masks.size(); ++i) {
    EXPECT_EQ(a.masks[i].name, b.masks[i].name);
    EXPECT_EQ(a.masks[i].values, b.masks[i].values) << "mask of " << a.masks[i].name;
  }
}

TEST_F(CudaTrainer, ResumeOnCudaIsBitwiseEqualToAnUninterruptedRun) {
  // Deterministic kernels (the embedding's backward otherwise adds with atomics).
  setenv("CUBLAS_WORKSPACE_CONFIG", ":4096:8", 1);
  at::globalContext().setDeterministicAlgorithms(true, /*warn_only=*/false);
  ASSERT_EQ(train("whole", {on_gpu()}), kExitOk);
  ASSERT_EQ(train("split", {on_gpu()}, /*stop_at=*/10), kExitOk);
  ASSERT_EQ(train("split", {on_gpu()}, 0, path("split")), kExitOk);
  at::globalContext().setDeterministicAlgorithms(false, false);
  const io::CheckpointContents a = io::read_checkpoint(path("whole/final.h5"));
  const io::CheckpointContents b = io::read_checkpoint(path("split/final.h5"));
  ASSERT_EQ(a.weights.size(), b.weights.size());
  for (size_t i = 0; i < a.weights.size(); ++i) {
    EXPECT_EQ(a.weights[i].values, b.weights[i].values) << a.weights[i].name;
  }
  for (size_t i = 0; i < a.optimizer.size(); ++i) {
    EXPECT_EQ(a.optimizer[i].values, b.optimizer[i].values) << a.optimizer[i].name;
  }
  const std::string rng = rehearsal() ? "rng.rank0" : "rng_cuda.rank0";
  EXPECT_EQ(a.blobs.at(rng), b.blobs.at(rng));
}

TEST_F(CudaTrainer, CudaCheckpointEvaluatesOnTheCpuToTheSameMetricAndResumesThere) {
  ASSERT_EQ(train("cuda", {on_gpu()}, /*stop_at=*/12), kExitOk);
  ASSERT_EQ(train("cuda", {on_gpu()}), kExitOk);
  const nlohmann::json summary = nlohmann::json::parse(std::ifstream(path("cuda/summary.json")));
  // The final checkpoint's model, rebuilt on the CPU from the recipe it records.
  io::CheckpointContents contents = io::read_checkpoint(path("cuda/final.h5"));
  const recipe::Recipe recipe = recipe::parse_recipe(contents.attributes["recipe"], path("r.yaml"));
  const data::Dataset dataset = data::read_dataset(path("dev.h5"));
  auto model = models::make_model(model_spec(recipe.model, dataset));
  std::vector<std::pair<std::string, torch::Tensor>> parameters;
  for (const auto& item : model->named_parameters())
    parameters.emplace_back(item.key(), item.value());
  MaskSet masks;
  load_weights_and_masks(path("cuda/final.h5"), parameters, masks);
  auto comm = comm::make_loopback_communicator();
  const EvalResult cpu =
      evaluate_classifier(*model, dataset.valid, static_cast<int64_t>(dataset.label_names.size()),
                          recipe.model.max_length, *comm);
  // The same weights, CPU kernels: at most one borderline example may flip.
  EXPECT_NEAR(cpu.accuracy, summary["final_accuracy"].get<double>(),
              1.5 / static_cast<double>(cpu.examples));
  EXPECT_NEAR(cpu.loss, summary["final_loss"].get<double>(), 1e-5);
  // And the periodic checkpoint at step 12 resumes on the CPU.
  ASSERT_EQ(train("cuda", {"training.device=cpu"}, 0, path("cuda/checkpoints/step-00000012.h5")),
            kExitOk);
}

}  // namespace
}  // namespace topiary::train
