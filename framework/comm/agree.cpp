#include "comm/agree.h"

#include <cstdint>

#include "core/error.h"

namespace topiary::comm {

AgreeOutcome agree(Communicator& comm, const std::function<void()>& phase, const char* what) {
  bool failed = false;  // not message.empty(): a UserError may have an empty message
  std::string mine;
  try {
    phase();
  } catch (const UserError& e) {
    failed = true;
    mine = e.what();
  }
  const int world = comm.world_size();
  int32_t first_failed = failed ? comm.rank() : world;
  comm.all_reduce(&first_failed, 1, DataType::kInt32, ReduceOp::kMin, what);
  if (first_failed == world) return {};

  AgreeOutcome outcome{false, first_failed, {}};
  int64_t length = comm.rank() == first_failed ? static_cast<int64_t>(mine.size()) : 0;
  comm.broadcast(&length, 1, DataType::kInt64, first_failed, what);
  outcome.message = comm.rank() == first_failed ? mine : std::string(length, '\0');
  comm.broadcast(outcome.message.data(), length, DataType::kUInt8, first_failed, what);
  return outcome;
}

}  // namespace topiary::comm
