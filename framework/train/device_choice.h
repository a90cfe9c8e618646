#pragma once
// Which device a rank trains on (recipe key training.device), and the node-local rank that
// picks it. Pure functions of their inputs, so every source and rule is unit-tested without a
// GPU; cuda_backend.h probes the machine.
#include <torch/types.h>

#include <functional>
#include <string>

#include "recipe/choices.h"

namespace topiary::train {

// This rank's index among the ranks of its node, and where that came from.
struct LocalRank {
  int index = 0;
  std::string source;  // "MPI shared-memory split", "OMPI_COMM_WORLD_LOCAL_RANK", ...
};

using EnvironmentLookup = std::function<const char*(const char*)>;

// `from_mpi` is MPI's shared-memory split (comm::mpi_local_rank()), or -1 when there is no MPI
// job (one process, tests). Without it the launchers' variables are read:
// OMPI_COMM_WORLD_LOCAL_RANK (mpirun), then SLURM_LOCALID (srun); else 0. A variable that is
// not a whole number >= 0 is a UserError naming it.
LocalRank resolve_local_rank(int from_mpi, const EnvironmentLookup& environment);

// What the CUDA runtime reports on this rank: visible devices (CUDA_VISIBLE_DEVICES applies),
// and in the runtime's words why there are none.
struct CudaDevices {
  int count = 0;
  std::string why_none;
};

// training.device: cpu; cuda (UserError naming the device and the reason when none is
// usable); auto (CUDA when a device is visible, else the CPU). Several ranks on a node take
// device local_rank % count, so ranks beyond the device count share devices round-robin.
torch::Device choose_device(recipe::Device request, const LocalRank& local_rank,
                            const CudaDevices& cuda);

}  // namespace topiary::train
