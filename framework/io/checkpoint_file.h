#pragma once
// HDF5 checkpoint container, free of torch: the trainer converts tensors to NamedArrays.
// Layout: /weights/<param name>, /masks/<param name> (float32, chunked, Fletcher32 checksum),
// /state/<name> (uint8 blobs),
// root string attributes (format_version, topiary_kind="checkpoint", step, recipe, ...).
// Writes are atomic: "<path>.tmp.<pid>" is written, closed, then renamed over <path>.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace topiary::io {

inline constexpr const char* kCheckpointFormatVersion = "1";

struct NamedArray {
  std::string name;
  std::vector<int64_t> shape;
  std::vector<float> values;
};

struct CheckpointContents {
  std::vector<NamedArray> weights;
  std::vector<NamedArray> masks;
  std::vector<NamedArray> optimizer;  // /optimizer/<param>:<state> (e.g. fc.weight:exp_avg)
  // Opaque training state (optimizer archive, per-rank RNG states, scorer accumulators) under
  // /state/<name>, as uint8 with a Fletcher32 checksum like every other dataset.
  std::map<std::string, std::vector<uint8_t>> blobs;
  std::map<std::string, std::string> attributes;
};

void write_checkpoint(const std::string& path, const CheckpointContents& contents);
// Throws UserError naming the path and what is wrong (missing, not a checkpoint, newer format,
// checksum mismatch).
CheckpointContents read_checkpoint(const std::string& path);

}  // namespace topiary::io
