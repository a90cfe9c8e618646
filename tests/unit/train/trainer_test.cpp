// The Trainer runs in-process over an injected (loopback) communicator, and its parts driven
// one by one give exactly what run() gives.
#include "train/trainer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "../test_data_dir.h"
#include "comm/communicator.h"
#include "core/error.h"
#include "data/prepare.h"
#include "io/checkpoint_file.h"

namespace topiary::train {
namespace {

// Rank 0 of two ranks that hold identical data: a sum doubles, min and max change nothing, a
// gather repeats this rank's block. Records the name of every collective it is asked for.
class MirrorCommunicator final : public comm::Communicator {
 public:
  int rank() const override { return 0; }
  int world_size() const override { return 2; }
  void all_reduce(void* data, int64_t count, comm::DataType type, comm::ReduceOp op,
                  const char* what) override {
    calls.emplace_back(what);
    if (op != comm::ReduceOp::kSum) return;
    for (int64_t i = 0; i < count; ++i) {
      switch (type) {
        case comm::DataType::kFloat32:
          static_cast<float*>(data)[i] *= 2;
          break;
        case comm::DataType::kFloat64:
          static_cast<double*>(data)[i] *= 2;
          break;
        case comm::DataType::kInt32:
          static_cast<int32_t*>(data)[i] *= 2;
          break;
        case comm::DataType::kInt64:
          static_cast<int64_t*>(data)[i] *= 2;
          break;
        case comm::DataType::kUInt64:
          static_cast<uint64_t*>(data)[i] *= 2;
          break;
        case comm::DataType::kUInt8:
          static_cast<uint8_t*>(data)[i] *= 2;
          break;
      }
    }
  }
  void broadcast(void*, int64_t, comm::DataType, int, const char* what) override {
    calls.emplace_back(what);
  }
  void all_gather(const void* send, void* recv, int64_t count, comm::DataType type,
                  const char* what) override {
    calls.emplace_back(what);
    const size_t bytes = static_cast<size_t>(count) * comm::element_size(type);
    std::memcpy(recv, send, bytes);
    std::memcpy(static_cast<char*>(recv) + bytes, send, bytes);
  }
  void barrier(const char* what) override { calls.emplace_back(what); }
  [[noreturn]] void abort(int code, const std::string& why) override {
    ADD_FAILURE() << "abort(" << code << "): " << why;
    std::_Exit(code);
  }
  std::string name() const override { return "mirror"; }

  std::vector<std::string> calls;
};

class TrainerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("topiary-trainer-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    const std::string dev = test::data_file("sst2/dev.tsv");
    ASSERT_FALSE(HasFailure());
    data::PrepareOptions prepare;
    prepare.input = dev;
    prepare.output = path("dev.h5");
    data::prepare_dataset(prepare);
    std::ofstream(path("recipe.yaml")) << R"(name: trainer_test
seed: 3
data: {path: dev.h5}
model: {type: textcnn, embedding_dim: 16, filters: 8, widths: [3, 4], dropout: 0.5, max_length: 40}
training: {batch_size: 32, optimizer: adam, lr: 0.003, eval_every: 10it}
stages:
  - {name: dense, until: 10it}
  - name: prune
    until: 30it
    modifiers:
      - prune: {method: magnitude, scope: global, targets: ["convs.*.weight", "fc.weight"], final_sparsity: 0.5, start: 10it, end: 20it, every: 5it}
)";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  TrainOptions options(const std::string& output) const {
    TrainOptions o;
    o.recipe_path = path("recipe.yaml");
    o.output_dir = path(output);
    return o;
  }
  nlohmann::json summary(const std::string& output) const {
    return nlohmann::json::parse(std::ifstream(path(output + "/summary.json")));
  }

  std::filesystem::path dir_;
};

TEST_F(TrainerTest, RunsOverAnInjectedLoopbackCommunicator) {
  auto comm = comm::make_loopback_communicator();
  Trainer trainer(options("run"), *comm);
  ASSERT_EQ(trainer.set_up(), kExitOk);
  EXPECT_EQ(trainer.start_step(), 0);
  EXPECT_EQ(trainer.total_steps(), 30);
  ASSERT_EQ(trainer.run(), kExitOk);
  const nlohmann::json s = summary("run");
  EXPECT_EQ(s["steps"], 30);
  EXPECT_EQ(s["world_size"], 1);
  EXPECT_NEAR(s["target_sparsity"].get<double>(), 0.5, 0.01);
  EXPECT_TRUE(std::filesystem::exists(path("run/final.h5")));
}

TEST_F(TrainerTest, PartsDrivenOneByOneEqualRun) {
  auto comm = comm::make_loopback_communicator();
  {
    Trainer whole(options("whole"), *comm);
    ASSERT_EQ(whole.set_up(), kExitOk);
    ASSERT_EQ(whole.run(), kExitOk);
  }
  Trainer parts(options("parts"), *comm);
  ASSERT_EQ(parts.set_up(), kExitOk);
  for (int64_t step = parts.start_step(); step < parts.total_steps(); ++step) {
    ASSERT_EQ(parts.step(step), Trainer::StepStatus::kApplied);
    parts.after_step(step + 1);
    ASSERT_FALSE(parts.evaluate_if_due(step + 1));
  }
  ASSERT_EQ(parts.finish(), kExitOk);
  const nlohmann::json a = summary("whole");
  const nlohmann::json b = summary("parts");
  // CPU training is deterministic for a seed: bitwise equal losses, not just close.
  EXPECT_EQ(a["final_loss"].get<double>(), b["final_loss"].get<double>());
  EXPECT_EQ(a["final_accuracy"].get<double>(), b["final_accuracy"].get<double>());
  EXPECT_EQ(a["parameters_kept"], b["parameters_kept"]);
  EXPECT_EQ(a["mask_verifications"], b["mask_verifications"]);
}

TEST_F(TrainerTest, GradientsTakeTheTensorCommunicatorAndScalarsTheHostOne) {
  // Note [Two communicators]: a recipe whose embedding travels by rows, with gradient scores
  // (dense steps) and magnitude pruning (compact steps), run as rank 0 of two mirrored ranks.
  std::ofstream(path("two.yaml")) << R"(name: two_communicators
seed: 3
data: {path: dev.h5}
model: {type: textcnn, embedding_dim: 16, filters: 8, widths: [3, 4], dropout: 0.5, max_length: 40}
training: {batch_size: 32, optimizer: adam, lr: 0.003, eval_every: 10it}
stages:
  - name: prune
    until: 20it
    modifiers:
      - prune: {method: taylor, scope: layer, targets: ["convs.*.weight"], final_sparsity: 0.5, start: 2it, end: 10it, every: 4it}
      - prune: {method: magnitude, scope: global, targets: ["fc.weight", "embedding.weight"], final_sparsity: 0.5, start: 5it, end: 15it, every: 5it}
)";
  MirrorCommunicator scalars, tensors;
  TrainOptions o = options("two");
  o.recipe_path = path("two.yaml");
  o.checkpoint_every = "10it";
  Placement placement;
  placement.tensors = &tensors;
  Trainer trainer(o, scalars, placement);
  ASSERT_EQ(trainer.set_up(), kExitOk);
  EXPECT_EQ(trainer.device(), "cpu");
  ASSERT_EQ(trainer.run(), kExitOk);
  ASSERT_FALSE(tensors.calls.empty());
  for (const std::string& call : tensors.calls) {
    EXPECT_NE(call.find("gradient"), std::string::npos) << "scalar on the tensor path: " << call;
  }
  bool rows = false;
  for (const std::string& call : tensors.calls)
    rows = rows || call.find("rows") != std::string::npos;
  EXPECT_TRUE(rows) << "the embedding's row-sparse exchange did not run";
  ASSERT_FALSE(scalars.calls.empty());
  for (const std::string& call : scalars.calls) {
    EXPECT_EQ(call.find("gradient"), std::string::npos) << "tensor on the host path: " << call;
  }
  EXPECT_EQ(summary("two")["world_size"], 2);
}

TEST_F(TrainerTest, SummaryBreaksTheStepTimeDownAndProfilePrintsIt) {
  auto comm = comm::make_loopback_communicator();
  TrainOptions o = options("profile");
  o.profile = true;
  Trainer trainer(o, *comm);
  ASSERT_EQ(trainer.set_up(), kExitOk);
  testing::internal::CaptureStdout();
  const int code = trainer.run();
  const std::string printed = testing::internal::GetCapturedStdout();
  ASSERT_EQ(code, kExitOk);
  const nlohmann::json s = summary("profile");
  const nlohmann::json& phases = s["step_seconds"];
  EXPECT_EQ(phases["steps"], 30);
  double sum = 0;
  for (const char* phase : {"data", "forward", "backward", "exchange", "optimizer", "pruning"}) {
    ASSERT_TRUE(phases.contains(phase)) << phase;
    EXPECT_GE(phases[phase].get<double>(), 0.0) << phase;
    sum += phases[phase].get<double>();
    EXPECT_NE(printed.find(std::string("  ") + phase), std::string::npos) << printed;
  }
  EXPECT_GT(phases["forward"].get<double>(), 0.0);
  EXPECT_GT(phases["backward"].get<double>(), 0.0);
  EXPECT_LE(sum * 30, s["wall_seconds"].get<double>());
  EXPECT_NE(printed.find("step profile"), std::string::npos) << printed;
}

TEST_F(TrainerTest, OverlappedAndBlockingExchangeGiveTheSameBits) {
  // Gradient scorers (movement, Taylor) ask for all-dense steps, magnitude compacts, the
  // embedding travels by rows until it is masked, two micro-batches per step: with overlap on
  // and off. One rank: the step order around the exchange is what differs.
  std::ofstream(path("overlap.yaml")) << R"(name: overlap
seed: 4
data: {path: dev.h5}
model: {type: textcnn, embedding_dim: 16, filters: 8, widths: [3, 4], dropout: 0.5, max_length: 40}
training: {batch_size: 32, optimizer: adam, lr: 0.003, eval_every: 10it, accumulate: 2}
stages:
  - name: prune
    until: 24it
    modifiers:
      - prune: {method: movement, scope: layer, targets: ["convs.0.weight"], final_sparsity: 0.5, start: 2it, end: 12it, every: 5it}
      - prune: {method: taylor, scope: layer, targets: ["convs.1.weight"], final_sparsity: 0.5, start: 2it, end: 12it, every: 5it}
      - prune: {method: magnitude, scope: global, targets: ["fc.weight", "embedding.weight"], final_sparsity: 0.5, start: 4it, end: 16it, every: 4it}
)";
  auto comm = comm::make_loopback_communicator();
  for (const char* overlap : {"true", "false"}) {
    TrainOptions o = options(std::string("overlap_") + overlap);
    o.recipe_path = path("overlap.yaml");
    o.overrides = {std::string("training.overlap=") + overlap};
    Trainer trainer(o, *comm);
    ASSERT_EQ(trainer.set_up(), kExitOk);
    ASSERT_EQ(trainer.run(), kExitOk);
  }
  const nlohmann::json a = summary("overlap_true");
  const nlohmann::json b = summary("overlap_false");
  EXPECT_EQ(a["final_loss"].get<double>(), b["final_loss"].get<double>());
  EXPECT_EQ(a["parameters_kept"], b["parameters_kept"]);
  const io::CheckpointContents x = io::read_checkpoint(path("overlap_true/final.h5"));
  const io::CheckpointContents y = io::read_checkpoint(path("overlap_false/final.h5"));
  ASSERT_EQ(x.weights.size(), y.weights.size());
  for (size_t i = 0; i < x.weights.size(); ++i) {
    EXPECT_EQ(x.weights[i].values, y.weights[i].values) << x.weights[i].name;
  }
  ASSERT_EQ(x.optimizer.size(), y.optimizer.size());
  for (size_t i = 0; i < x.optimizer.size(); ++i) {
    EXPECT_EQ(x.optimizer[i].values, y.optimizer[i].values) << x.optimizer[i].name;
  }
}

TEST_F(TrainerTest, CudaAskedForWithoutADeviceIsAUserError) {
  auto comm = comm::make_loopback_communicator();
  TrainOptions o = options("cuda");
  o.overrides = {"training.device=cuda"};
  Trainer trainer(o, *comm);
  const int code = trainer.set_up();
  if (code == kExitOk && trainer.device() != "cpu") GTEST_SKIP() << "this machine has a GPU";
  EXPECT_EQ(code, kExitUserError);
}

TEST_F(TrainerTest, NcclOnTheCpuIsAUserError) {
  auto comm = comm::make_loopback_communicator();
  TrainOptions o = options("nccl");
  o.overrides = {"training.device=cpu", "training.comm=nccl"};
  Trainer trainer(o, *comm);
  EXPECT_EQ(trainer.set_up(), kExitUserError);
}

TEST_F(TrainerTest, UserErrorInSetUpIsAnExitCodeNotAnException) {
  std::ofstream(path("bad.yaml")) << "name: bad\ntraining: {lrr: 0.1}\n";
  auto comm = comm::make_loopback_communicator();
  TrainOptions o = options("bad");
  o.recipe_path = path("bad.yaml");
  Trainer trainer(o, *comm);
  EXPECT_EQ(trainer.set_up(), kExitUserError);
}

}  // namespace
}  // namespace topiary::train
