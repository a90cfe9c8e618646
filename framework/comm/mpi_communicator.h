#pragma once
#include <chrono>
#include <memory>

#include "comm/communicator.h"

namespace topiary::comm {

struct MpiOptions {
  // Deadline for any single collective; env TOPIARY_COLLECTIVE_TIMEOUT (seconds) overrides.
  std::chrono::milliseconds timeout{std::chrono::minutes(5)};
  // MPI counts are int: larger transfers go in chunks of at most this many elements.
  int64_t max_chunk_elements = int64_t{1} << 30;
};

// Initialises MPI on first use (MPI_THREAD_FUNNELED) and finalizes it at process exit.
// Works without mpirun too (singleton world of size 1). Construction is collective (it gathers
// every rank's host name for messages): every rank creates its communicators in the same order.
// A collective that misses its deadline names the ranks that do not answer a liveness probe
// (Note [Naming a lost rank] in mpi_communicator.cpp).
std::unique_ptr<Communicator> make_mpi_communicator(const MpiOptions& options = {});

// Rank within this node (MPI_Comm_split_type SHARED), for binding a rank to its local GPU.
int mpi_local_rank();

}  // namespace topiary::comm
