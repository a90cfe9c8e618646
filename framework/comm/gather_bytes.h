#pragma once
// Variable-length all-gather on top of Communicator's fixed-count one: every rank gets every
// rank's byte string, in rank order. Two collectives (the lengths, then the padded payloads),
// issued by every rank in the same order, as Communicator's contract requires.
#include <string>
#include <vector>

#include "comm/communicator.h"

namespace topiary::comm {

std::vector<std::string> all_gather_bytes(Communicator& comm, const std::string& mine,
                                          const char* what);

}  // namespace topiary::comm
