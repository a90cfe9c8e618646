#pragma once
// Note [Watching for lost ranks]: when a rank's process dies (kill -9, OOM killer, a crash),
// mpirun notices and ends the job within a second or two, long before any collective deadline
// runs out, so Topiary would never get to say which rank was lost. So every rank of a job keeps
// one TCP connection to rank 0 (a star), opened when the first communicator is made, and a
// thread that never calls MPI waits on them. The kernel closes a dead process's sockets at
// once; a connection that closes without the "leaving" byte a rank sends when it exits normally
// makes the watcher print, right away and before mpirun's own report,
//   topiary: rank 0 (host1): lost rank 1 (host2): its process ended without leaving the job ...
// and nothing else: mpirun still ends the job. Rank 0's own death is reported by every other
// rank. Where a rank cannot reach rank 0 over TCP, it is not watched (a lost rank is then named
// only by the collective deadline, Note [Naming a lost rank]); the job runs as before.
// TOPIARY_LIVENESS_WATCH=0 (read by rank 0) turns it off.
#include <functional>
#include <string>
#include <vector>

namespace topiary::comm {

// Collective over the job: every rank calls it once, at the same point. `hosts` names every
// rank's host; broadcast_from_rank0(data, bytes) gives every rank rank 0's `bytes` at `data`.
// A no-op for one rank, and when already started.
void start_liveness_watch(int rank, int world_size, const std::vector<std::string>& hosts,
                          const std::function<void(void* data, int bytes)>& broadcast_from_rank0);

// Tells the watched peers this rank leaves normally, and stops the watcher. Runs at exit by
// itself; safe to call more than once.
void leave_liveness_watch();

}  // namespace topiary::comm
