#pragma once
// NCCL transport for CUDA memory. Built only when CUDA and NCCL are found (TOPIARY_HAVE_NCCL).
// The unique id travels one way: rank 0 creates it, MPI broadcasts it.
//
// Note [NCCL ordering]: all_reduce does not block the host. It waits on the GPU (a CUDA event)
// for the work the producer stream queued before it, runs on NCCL's own stream, and makes the
// producer stream wait for it in turn, so later kernels read the result; no device-wide
// synchronize. A watchdog thread polls each collective against the deadline and NCCL's async
// error; on either it aborts the NCCL communicator and ends the process with a message, which
// ends the job (mpirun and srun stop the other ranks), so no rank hangs in a kernel.
// broadcast, all_gather and barrier, which are rare, wait on the host with the same deadline.
#include <chrono>
#include <memory>

#include "comm/communicator.h"

namespace topiary::comm {

struct NcclOptions {
  std::chrono::milliseconds timeout{std::chrono::minutes(5)};
  // The CUDA stream (a cudaStream_t) that produces the buffers and reads the results: null is
  // the legacy default stream, where LibTorch queues work unless told otherwise.
  void* producer_stream = nullptr;
};

// `bootstrap` (an MPI communicator) carries the unique id; it must outlive the result.
// Binds this process to GPU (node-local rank % device count) before creating the comm.
std::unique_ptr<Communicator> make_nccl_communicator(Communicator& bootstrap, int local_rank,
                                                     const NcclOptions& options = {});

bool nccl_available();

}  // namespace topiary::comm
