// training.device and the node-local rank that picks a rank's GPU, from each source.
#include "train/device_choice.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "core/error.h"
#include "train/cuda_backend.h"

namespace topiary::train {
namespace {

EnvironmentLookup environment(std::map<std::string, std::string> values) {
  return [values = std::move(values)](const char* name) -> const char* {
    const auto it = values.find(name);
    return it == values.end() ? nullptr : it->second.c_str();
  };
}

TEST(LocalRank, MpiSplitWinsOverTheLaunchersVariables) {
  const LocalRank local = resolve_local_rank(
      3, environment({{"OMPI_COMM_WORLD_LOCAL_RANK", "1"}, {"SLURM_LOCALID", "2"}}));
  EXPECT_EQ(local.index, 3);
  EXPECT_EQ(local.source, "MPI shared-memory split");
}

TEST(LocalRank, OpenMpiVariableBeforeSlurms) {
  const LocalRank local = resolve_local_rank(
      -1, environment({{"OMPI_COMM_WORLD_LOCAL_RANK", "1"}, {"SLURM_LOCALID", "2"}}));
  EXPECT_EQ(local.index, 1);
  EXPECT_EQ(local.source, "OMPI_COMM_WORLD_LOCAL_RANK");
}

TEST(LocalRank, SlurmLocalIdUnderSrun) {
  const LocalRank local = resolve_local_rank(-1, environment({{"SLURM_LOCALID", "5"}}));
  EXPECT_EQ(local.index, 5);
  EXPECT_EQ(local.source, "SLURM_LOCALID");
}

TEST(LocalRank, ZeroWithoutAnySource) {
  const LocalRank local = resolve_local_rank(-1, environment({}));
  EXPECT_EQ(local.index, 0);
  EXPECT_NE(local.source.find("default"), std::string::npos);
}

TEST(LocalRank, AGarbledVariableIsAnErrorNamingIt) {
  try {
    resolve_local_rank(-1, environment({{"SLURM_LOCALID", "two"}}));
    FAIL() << "expected a UserError";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("SLURM_LOCALID='two'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(resolve_local_rank(-1, environment({{"OMPI_COMM_WORLD_LOCAL_RANK", "-1"}})),
               UserError);
}

TEST(DeviceChoice, CpuIsTheCpuWhateverIsVisible) {
  EXPECT_TRUE(choose_device(recipe::Device::kCpu, {0, "t"}, {4, ""}).is_cpu());
}

TEST(DeviceChoice, AutoTakesTheLocalRanksDeviceRoundRobin) {
  const torch::Device first = choose_device(recipe::Device::kAuto, {0, "t"}, {4, ""});
  EXPECT_TRUE(first.is_cuda());
  EXPECT_EQ(first.index(), 0);
  EXPECT_EQ(choose_device(recipe::Device::kAuto, {3, "t"}, {4, ""}).index(), 3);
  EXPECT_EQ(choose_device(recipe::Device::kCuda, {5, "t"}, {4, ""}).index(),
            1);  // 6 ranks on 4 GPUs: shared
  EXPECT_EQ(choose_device(recipe::Device::kCuda, {1, "t"}, {1, ""}).index(),
            0);  // 2 ranks on one GPU
}

TEST(DeviceChoice, AutoFallsBackToTheCpuWithoutDevices) {
  EXPECT_TRUE(
      choose_device(recipe::Device::kAuto, {2, "t"}, {0, "no CUDA-capable device is detected"})
          .is_cpu());
}

TEST(DeviceChoice, CudaWithoutADeviceIsAnErrorThatSaysSo) {
  try {
    choose_device(recipe::Device::kCuda, {0, "t"}, {0, "no CUDA-capable device is detected"});
    FAIL() << "expected a UserError";
  } catch (const UserError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("training.device"), std::string::npos) << message;
    EXPECT_NE(message.find("cuda"), std::string::npos) << message;
    EXPECT_NE(message.find("no CUDA-capable device is detected"), std::string::npos) << message;
  }
}

TEST(DeviceChoice, ProbingAMachineWithoutDevicesLoadsNoCudaLibrary) {
  // The unit test binary links LibTorch's CPU library only (Note [Lazy CUDA]).
  const CudaDevices devices = probe_cuda_devices();
  if (devices.count > 0) GTEST_SKIP() << "this machine has a CUDA device";
  EXPECT_FALSE(devices.why_none.empty());
  EXPECT_FALSE(torch_cuda_loaded());
}

}  // namespace
}  // namespace topiary::train
