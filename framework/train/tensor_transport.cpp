#include "train/tensor_transport.h"

#include <chrono>
#include <cstdlib>

#include "core/error.h"
#ifdef TOPIARY_HAVE_NCCL
#include "comm/cuda_staged_communicator.h"
#include "comm/nccl_communicator.h"
#endif

namespace topiary::train {
namespace {

#ifdef TOPIARY_HAVE_NCCL
// The same deadline as the MPI communicator's (TOPIARY_COLLECTIVE_TIMEOUT, seconds).
comm::NcclOptions nccl_options() {
  comm::NcclOptions options;
  if (const auto timeout = comm::collective_timeout_from_environment()) options.timeout = *timeout;
  return options;
}
#endif

}  // namespace

TensorTransport make_tensor_transport(recipe::Transport choice, const torch::Device& device,
                                      comm::Communicator& host, int local_rank) {
  TensorTransport transport;
  if (device.is_cpu()) {
    if (choice == recipe::Transport::kNccl) {
      throw UserError(
          "training.comm: nccl carries CUDA tensors only, and this rank trains on "
          "the CPU (training.device); use comm: mpi or auto");
    }
    transport.comm = &host;
    return transport;
  }
#ifdef TOPIARY_HAVE_NCCL
  if (choice == recipe::Transport::kMpi) {
    transport.owned = comm::make_cuda_staged_communicator(host);
  } else {
    transport.owned = comm::make_nccl_communicator(host, local_rank, nccl_options());
  }
  transport.comm = transport.owned.get();
  return transport;
#else
  (void)local_rank;
  throw UserError("training.device resolved to " + device.str() +
                  " but this build of Topiary has no CUDA support");
#endif
}

}  // namespace topiary::train
