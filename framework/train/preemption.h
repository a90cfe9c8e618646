#pragma once
// SIGTERM is how Slurm (and most schedulers) announce preemption. The handler only sets a flag;
// the trainer polls it at step boundaries through one all-reduce, so every rank stops at the
// same step even when the signal reached only some of them.
#include "comm/communicator.h"

namespace topiary::train {

void install_preemption_handler();
// Collective: true on every rank when any rank has received SIGTERM.
bool preemption_requested(comm::Communicator& comm);

}  // namespace topiary::train
