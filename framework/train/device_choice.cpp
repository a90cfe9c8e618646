#include "train/device_choice.h"

#include <cerrno>
#include <cstdlib>

#include "core/error.h"

namespace topiary::train {

LocalRank resolve_local_rank(int from_mpi, const EnvironmentLookup& environment) {
  if (from_mpi >= 0) return {from_mpi, "MPI shared-memory split"};
  for (const char* name : {"OMPI_COMM_WORLD_LOCAL_RANK", "SLURM_LOCALID"}) {
    const char* value = environment(name);
    if (value == nullptr || *value == '\0') continue;
    char* end = nullptr;
    errno = 0;
    const long parsed = std::strtol(value, &end, 10);
    if (errno != 0 || *end != '\0' || parsed < 0 || parsed > 1 << 20) {
      throw UserError(std::string("environment variable ") + name + "='" + value +
                      "' is not a node-local rank (a whole number >= 0)");
    }
    return {static_cast<int>(parsed), name};
  }
  return {0, "default (no MPI job, no launcher variable)"};
}

torch::Device choose_device(recipe::Device request, const LocalRank& local_rank,
                            const CudaDevices& cuda) {
  if (request == recipe::Device::kCpu) return torch::Device(torch::kCPU);
  if (cuda.count <= 0) {
    if (request == recipe::Device::kAuto) return torch::Device(torch::kCPU);
    throw UserError(
        "training.device: cuda was asked for, but no CUDA device is usable on this "
        "rank (" +
        (cuda.why_none.empty() ? std::string("0 devices visible") : cuda.why_none) +
        "); use training.device=cpu or auto to train on the CPU");
  }
  return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(local_rank.index % cuda.count));
}

}  // namespace topiary::train
