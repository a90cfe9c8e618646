#include "comm/gather_bytes.h"

#include <algorithm>
#include <cstdint>

namespace topiary::comm {

std::vector<std::string> all_gather_bytes(Communicator& comm, const std::string& mine,
                                          const char* what) {
  const auto world = static_cast<size_t>(comm.world_size());
  const auto length = static_cast<int64_t>(mine.size());
  std::vector<int64_t> lengths(world);
  comm.all_gather(&length, lengths.data(), 1, DataType::kInt64, what);
  const int64_t longest = std::max<int64_t>(1, *std::max_element(lengths.begin(), lengths.end()));
  std::string padded = mine;
  padded.resize(static_cast<size_t>(longest), '\0');
  std::string all(world * static_cast<size_t>(longest), '\0');
  comm.all_gather(padded.data(), all.data(), longest, DataType::kUInt8, what);
  std::vector<std::string> out(world);
  for (size_t r = 0; r < world; ++r) {
    out[r] = all.substr(r * static_cast<size_t>(longest), static_cast<size_t>(lengths[r]));
  }
  return out;
}

}  // namespace topiary::comm
