#pragma once
// Collectives on CUDA memory carried by a host communicator (MPI): each call copies the data to
// host memory, runs the host collective, and copies the result back. For MPI libraries that are
// not CUDA-aware, and for tests where several ranks share one GPU (NCCL refuses two ranks on
// one device). Host pointers pass straight through. Built only with the CUDA runtime
// (TOPIARY_HAVE_NCCL).
#include <memory>

#include "comm/communicator.h"

namespace topiary::comm {

// `host` must outlive the result. The copies use the legacy default stream, so they are ordered
// after the work LibTorch queued there and the caller may read the data on return.
std::unique_ptr<Communicator> make_cuda_staged_communicator(Communicator& host);

}  // namespace topiary::comm
