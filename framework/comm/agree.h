#pragma once
// Note [Agreeing on a user error]
// A phase that every rank runs (read the recipe, load a checkpoint, write a file on rank 0) may
// throw a UserError on some ranks and not on others. If the failing ranks simply left, the others
// would wait in their next collective until its deadline. So every rank runs the phase, then
// all ranks agree, whatever happened locally, on the lowest rank whose phase failed and on that
// rank's message: every rank gets the same outcome and can stop together (exit 2) with the same
// line, whichever rank reports it.
//
// Collectives: one all-reduce when every rank succeeds; on a failure, two broadcasts more (the
// message's length, then its bytes), issued by every rank in the same order. The phase itself
// may issue collectives only if it cannot throw before one of them on some ranks only.
//
// Only UserError is agreed on. Any other exception (a bug, out of memory) leaves agree() at
// once on the rank that threw, before the all-reduce, as it did before this helper existed: the
// process ends with an internal error and the launcher ends the job.
#include <functional>
#include <string>

#include "comm/communicator.h"

namespace topiary::comm {

struct AgreeOutcome {
  bool ok = true;
  int failing_rank = -1;  // the lowest rank whose phase threw a UserError; -1 when ok
  std::string message;    // that rank's message, the same on every rank; empty when ok
};

// Collective: runs `phase` on this rank, then agrees with every rank on the outcome (Note
// [Agreeing on a user error]). `what` names the collectives in timeout and error messages.
AgreeOutcome agree(Communicator& comm, const std::function<void()>& phase, const char* what);

}  // namespace topiary::comm
