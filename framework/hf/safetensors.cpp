#include "hf/safetensors.h"

#include <torch/torch.h>

#include <cstring>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "io/atomic_file.h"

namespace topiary::hf {
namespace {

struct StoredType {
  const char* name;
  torch::ScalarType type;
  int64_t bytes;
};
constexpr StoredType kStoredTypes[] = {
    {"F32", torch::kFloat, 4}, {"F16", torch::kHalf, 2}, {"BF16", torch::kBFloat16, 2},
    {"I64", torch::kLong, 8},  {"I32", torch::kInt, 4},
};

const StoredType& stored_type(const std::string& dtype, const std::string& where) {
  for (const StoredType& t : kStoredTypes) {
    if (dtype == t.name) return t;
  }
  throw UserError(where + ": dtype '" + dtype + "' is not supported (F32, F16, BF16, I64, I32)");
}

std::string read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError(path + ": cannot open: " + std::strerror(errno));
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw UserError(path + ": read failed");
  return bytes;
}

uint64_t little_endian_u64(const std::string& bytes) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return value;
}

// Elements of `shape`, or -1 when a dimension is negative or the count overflows.
int64_t element_count(const std::vector<int64_t>& shape) {
  int64_t count = 1;
  for (const int64_t d : shape) {
    if (d < 0 || (d > 0 && count > std::numeric_limits<int64_t>::max() / d)) return -1;
    count *= d;
  }
  return count;
}

torch::Tensor read_tensor(const std::string& data, const nlohmann::json& entry,
                          const std::string& where) {
  const StoredType& type = stored_type(entry.at("dtype").get<std::string>(), where);
  const auto shape = entry.at("shape").get<std::vector<int64_t>>();
  const auto offsets = entry.at("data_offsets").get<std::vector<uint64_t>>();
  if (offsets.size() != 2) throw UserError(where + ": data_offsets must be [begin, end]");
  const uint64_t begin = offsets[0], end = offsets[1];
  if (begin > end || end > data.size()) {
    throw UserError(where + ": data_offsets [" + std::to_string(begin) + ", " +
                    std::to_string(end) + "] lie outside the " + std::to_string(data.size()) +
                    " data bytes (truncated file?)");
  }
  const int64_t count = element_count(shape);
  if (count < 0 || static_cast<uint64_t>(count) * type.bytes != end - begin) {
    throw UserError(
        where + ": shape and dtype need " +
        (count < 0 ? std::string("an impossible number of") : std::to_string(count * type.bytes)) +
        " bytes, data_offsets give " + std::to_string(end - begin));
  }
  torch::Tensor stored = torch::empty(shape, torch::TensorOptions(type.type));
  if (count > 0) std::memcpy(stored.data_ptr(), data.data() + begin, end - begin);
  const bool floating = torch::isFloatingType(type.type);
  return stored.to(floating ? torch::kFloat : torch::kLong);
}

}  // namespace

std::map<std::string, torch::Tensor> read_safetensors(const std::string& path) {
  const std::string bytes = read_whole_file(path);
  if (bytes.size() < 8) throw UserError(path + ": not a safetensors file (shorter than 8 bytes)");
  const uint64_t header_size = little_endian_u64(bytes);
  if (header_size > bytes.size() - 8) {
    throw UserError(path + ": header length " + std::to_string(header_size) +
                    " runs past the end of the file (" + std::to_string(bytes.size()) +
                    " bytes; truncated?)");
  }
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(bytes.substr(8, header_size));
  } catch (const nlohmann::json::exception& e) {
    throw UserError(path + ": header is not JSON: " + e.what());
  }
  if (!header.is_object()) throw UserError(path + ": header is not a JSON object");
  const std::string data = bytes.substr(8 + header_size);
  std::map<std::string, torch::Tensor> tensors;
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") continue;
    const std::string where = path + ": tensor '" + name + "'";
    try {
      tensors.emplace(name, read_tensor(data, entry, where));
    } catch (const nlohmann::json::exception& e) {
      throw UserError(where + ": bad header entry: " + e.what());
    }
  }
  return tensors;
}

void write_safetensors(const std::string& path,
                       const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  nlohmann::ordered_json header;
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::vector<torch::Tensor> contiguous;
  contiguous.reserve(tensors.size());
  uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    contiguous.push_back(tensor.detach().to(torch::kCPU, torch::kFloat).contiguous());
    const uint64_t size = contiguous.back().numel() * sizeof(float);
    header[name] = {{"dtype", "F32"},
                    {"shape", contiguous.back().sizes().vec()},
                    {"data_offsets", {offset, offset + size}}};
    offset += size;
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // the data starts 8-byte aligned
  io::AtomicFile file(path);
  {
    std::ofstream out(file.temp_path(), std::ios::binary);
    char length[8];
    for (int i = 0; i < 8; ++i) length[i] = static_cast<char>((text.size() >> (8 * i)) & 0xff);
    out.write(length, 8);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    for (const torch::Tensor& t : contiguous) {
      out.write(static_cast<const char*>(t.data_ptr()),
                static_cast<std::streamsize>(t.numel() * sizeof(float)));
    }
    out.close();
    if (!out) throw UserError(path + ": write failed");
  }
  file.commit();
}

}  // namespace topiary::hf
