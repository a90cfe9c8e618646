#pragma once
// NCCL transport for CUDA memory. Built only when CUDA and NCCL are found (TOPIARY_HAVE_NCCL).
// The unique id travels one way: rank 0 creates it, MPI broadcasts it.
#include <chrono>
#include <memory>

#include "comm/communicator.h"

namespace topiary::comm {

struct NcclOptions {
  std::chrono::milliseconds timeout{std::chrono::minutes(5)};
};

// `bootstrap` (an MPI communicator) carries the unique id; it must outlive the result.
// Binds this process to GPU (node-local rank % device count) before creating the comm.
std::unique_ptr<Communicator> make_nccl_communicator(Communicator& bootstrap, int local_rank,
                                                     const NcclOptions& options = {});

bool nccl_available();

}  // namespace topiary::comm
