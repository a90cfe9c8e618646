#pragma once
// The safetensors format of Hugging Face model files: an 8-byte little-endian header length,
// a JSON header {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}} and
// the tensors' bytes, offsets relative to the end of the header. Everything read from the file
// is checked before it is used (header length, JSON, offsets within the file and matching the
// shape and dtype), so a truncated or hostile file is a UserError naming the file and tensor,
// never a read past the end.
#include <torch/types.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace topiary::hf {

// Floating-point tensors (F32, F16, BF16) come back as float32, integer tensors (I64, I32) as
// int64; any other dtype is a UserError.
std::map<std::string, torch::Tensor> read_safetensors(const std::string& path);

// Writes float32 tensors (contiguous copies are made as needed) in the given order, atomically:
// a crash leaves the previous file. `metadata` goes into "__metadata__".
void write_safetensors(const std::string& path,
                       const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

}  // namespace topiary::hf
