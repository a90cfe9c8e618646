#pragma once
// The communicator for gradient and parameter tensors (recipe key training.comm), next to the
// MPI communicator that carries host scalars (agreement checks, the preemption flag, metric sums,
// fingerprints). Note [Two communicators]: tensors on a CUDA device go over NCCL, or over MPI
// staged through host memory; tensors on the CPU go over MPI directly. Scalars never take the
// tensor path, so NCCL never sees host memory and no rank waits on a GPU for a host decision.
#include <torch/types.h>

#include <memory>
#include <string>

#include "comm/communicator.h"
#include "recipe/choices.h"

namespace topiary::train {

struct TensorTransport {
  comm::Communicator* comm = nullptr;         // what the reducer uses
  std::unique_ptr<comm::Communicator> owned;  // set when comm is not the host communicator
};

// Collective (NCCL creation broadcasts its id over `host`). `choice` is training.comm:
// nccl needs CUDA tensors and a build with NCCL (UserError otherwise), mpi uses `host`
// (staged through host memory for CUDA tensors), auto is nccl on CUDA and mpi on the CPU.
TensorTransport make_tensor_transport(recipe::Transport choice, const torch::Device& device,
                                      comm::Communicator& host, int local_rank);

}  // namespace topiary::train
