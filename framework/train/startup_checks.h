#pragma once
// Before the first step, every rank must run the same job: the same parameter names, shapes
// and dtypes, the same effective recipe, and rank 0's initial weights (DESIGN.md pitfall 1).
#include <torch/types.h>

#include <string>
#include <utility>
#include <vector>

#include "comm/communicator.h"

namespace topiary::train {

// Aborts the job, naming what differs, when ranks disagree.
void verify_same_job(comm::Communicator& comm,
                     const std::vector<std::pair<std::string, torch::Tensor>>& parameters,
                     const std::string& effective_recipe);

void broadcast_parameters(comm::Communicator& comm,
                          const std::vector<std::pair<std::string, torch::Tensor>>& parameters);

}  // namespace topiary::train
