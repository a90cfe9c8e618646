#include "train/training_state.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "comm/agree.h"
#include "core/error.h"
#include "io/checkpoint_file.h"
#include "train/optimizer.h"

namespace topiary::train {
namespace fs = std::filesystem;
namespace {

template <typename T>
std::vector<uint8_t> as_bytes(const std::vector<T>& values) {
  const auto* begin = reinterpret_cast<const uint8_t*>(values.data());
  return {begin, begin + values.size() * sizeof(T)};
}

// The default generator of `device`: the CPU's, or the CUDA device's (dropout on a GPU draws
// from it). Its state is host bytes either way.
at::Generator default_generator(const torch::Device& device) {
  return device.is_cpu() ? at::detail::getDefaultCPUGenerator()
                         : at::globalContext().defaultGenerator(device);
}

std::vector<uint8_t> rng_state(const torch::Device& device) {
  at::Generator generator = default_generator(device);
  std::lock_guard<std::mutex> lock(generator.mutex());
  torch::Tensor state = generator.get_state().contiguous();
  const auto* bytes = state.data_ptr<uint8_t>();
  return {bytes, bytes + state.numel()};
}

void set_rng_state(const torch::Device& device, const std::vector<uint8_t>& bytes) {
  at::Generator generator = default_generator(device);
  std::lock_guard<std::mutex> lock(generator.mutex());
  torch::Tensor state = torch::empty({static_cast<int64_t>(bytes.size())}, torch::kUInt8);
  std::copy(bytes.begin(), bytes.end(), state.data_ptr<uint8_t>());
  generator.set_state(state);
}

torch::Device parameters_device(const StateRefs& state) {
  return state.parameters.empty() ? torch::Device(torch::kCPU)
                                  : state.parameters.front().second.device();
}

// The generators whose state a checkpoint keeps: the CPU's, and the device's when it has one.
std::vector<torch::Device> generators_of(const torch::Device& device) {
  if (device.is_cpu()) return {torch::Device(torch::kCPU)};
  return {torch::Device(torch::kCPU), device};
}

// "rng.rank3" for the CPU generator (the name checkpoints have always used), "rng_cuda.rank3"
// for a GPU's: any CUDA device, so a resume may land on another device index.
std::string rng_key(const torch::Device& device, int rank) {
  return std::string(device.is_cpu() ? "rng" : "rng_cuda") + ".rank" + std::to_string(rank);
}

io::NamedArray to_array(const std::string& name, const torch::Tensor& tensor) {
  torch::Tensor cpu = tensor.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  io::NamedArray array;
  array.name = name;
  array.shape.assign(cpu.sizes().begin(), cpu.sizes().end());
  array.values.assign(cpu.data_ptr<float>(), cpu.data_ptr<float>() + cpu.numel());
  return array;
}

void copy_into(const std::string& path, const io::NamedArray& array, torch::Tensor& target) {
  if (std::vector<int64_t>(target.sizes().begin(), target.sizes().end()) != array.shape) {
    throw UserError(path + ": checkpoint is from a different model: '" + array.name +
                    "' has another shape");
  }
  torch::NoGradGuard no_grad;
  torch::Tensor source =
      torch::from_blob(const_cast<float*>(array.values.data()), target.sizes(), torch::kFloat32);
  target.copy_(source);
}

// Rank 0's part of save_training_state. Any failure (HDF5, the file system) is a user error:
// a full disk or a quota, not a bug.
void write_checkpoint_file(const std::string& path, const StateRefs& state,
                           const std::map<std::string, std::string>& attributes,
                           const std::map<std::string, std::vector<uint8_t>>& extra,
                           std::map<std::string, std::vector<uint8_t>>& rng_blobs) {
  try {
    io::CheckpointContents contents;
    for (const auto& [name, p] : state.parameters) contents.weights.push_back(to_array(name, p));
    for (const auto& [name, m] : state.masks.all()) contents.masks.push_back(to_array(name, m));
    const OptimizerStateArrays optimizer =
        export_optimizer_state(state.optimizer, state.parameters);
    for (const auto& [name, tensor] : optimizer.tensors)
      contents.optimizer.push_back(to_array(name, tensor));
    contents.blobs["optimizer_steps"] = as_bytes(optimizer.steps);
    for (auto& [key, bytes] : rng_blobs) contents.blobs[key] = std::move(bytes);
    for (const auto& [name, bytes] : extra) contents.blobs[name] = bytes;
    contents.attributes = attributes;
    contents.attributes["world_size"] = std::to_string(state.comm.world_size());
    fs::create_directories(fs::path(path).parent_path());
    io::write_checkpoint(path, contents);
  } catch (const std::exception& e) {
    throw UserError(e.what());
  }
}

}  // namespace

void save_training_state(const std::string& path, const StateRefs& state,
                         const std::map<std::string, std::string>& attributes,
                         const std::map<std::string, std::vector<uint8_t>>& extra) {
  // Collective part: every rank's RNG states (same sizes on every rank: every rank trains on the
  // same kind of device), the CPU's and, on a GPU, the device's.
  const int world = state.comm.world_size();
  const torch::Device device = parameters_device(state);
  std::map<std::string, std::vector<uint8_t>> rng_blobs;
  for (const torch::Device& generator : generators_of(device)) {
    std::vector<uint8_t> mine = rng_state(generator);
    std::vector<uint8_t> all(mine.size() * static_cast<size_t>(world));
    state.comm.all_gather(mine.data(), all.data(), static_cast<int64_t>(mine.size()),
                          comm::DataType::kUInt8, "checkpoint RNG states");
    for (int r = 0; r < world; ++r) {
      rng_blobs[rng_key(generator, r)] =
          std::vector<uint8_t>(all.begin() + static_cast<std::ptrdiff_t>(mine.size() * r),
                               all.begin() + static_cast<std::ptrdiff_t>(mine.size() * (r + 1)));
    }
  }
  // Every rank learns whether rank 0's write succeeded, so a full disk ends the job on all ranks
  // with rank 0's message instead of leaving the others waiting.
  const comm::AgreeOutcome written = comm::agree(
      state.comm,
      [&] {
        if (state.comm.rank() == 0)
          write_checkpoint_file(path, state, attributes, extra, rng_blobs);
      },
      "checkpoint written");
  if (!written.ok) throw UserError(written.message);
}

std::map<std::string, std::string> restore_training_state(
    const std::string& path, const StateRefs& state,
    std::map<std::string, std::vector<uint8_t>>* extra) {
  io::CheckpointContents contents = io::read_checkpoint(path);
  const std::string world = std::to_string(state.comm.world_size());
  if (contents.attributes["world_size"] != world) {
    throw UserError(path + ": checkpoint was written by " + contents.attributes["world_size"] +
                    " rank(s); resume it with the same number of ranks (" + world +
                    " now) so that the data order and results stay exact");
  }
  if (contents.weights.size() != state.parameters.size()) {
    throw UserError(path + ": checkpoint is from a different model (" +
                    std::to_string(contents.weights.size()) + " parameters, this model has " +
                    std::to_string(state.parameters.size()) + ")");
  }
  std::map<std::string, const io::NamedArray*> weights;
  for (const auto& array : contents.weights) weights[array.name] = &array;
  for (const auto& [name, parameter] : state.parameters) {
    auto it = weights.find(name);
    if (it == weights.end()) {
      throw UserError(path + ": checkpoint is from a different model: no parameter '" + name + "'");
    }
    torch::Tensor target = parameter;
    copy_into(path, *it->second, target);
  }
  for (const auto& array : contents.masks) {
    auto it = std::find_if(state.parameters.begin(), state.parameters.end(),
                           [&](const auto& p) { return p.first == array.name; });
    if (it == state.parameters.end()) {
      throw UserError(path + ": checkpoint has a mask for unknown parameter '" + array.name + "'");
    }
    state.masks.add(array.name, it->second);
    copy_into(path, array, state.masks.at(array.name));
  }
  const auto& step_bytes = contents.blobs["optimizer_steps"];
  if (step_bytes.size() != state.parameters.size() * sizeof(int64_t)) {
    throw UserError(path + ": checkpoint holds no optimizer state for this model");
  }
  std::vector<int64_t> steps(state.parameters.size());
  std::memcpy(steps.data(), step_bytes.data(), step_bytes.size());
  std::map<std::string, const io::NamedArray*> saved;
  for (const auto& array : contents.optimizer) saved[array.name] = &array;
  import_optimizer_state(state.optimizer, state.parameters, steps, [&](const std::string& key) {
    auto it = saved.find(key);
    if (it == saved.end()) return torch::Tensor();
    return torch::from_blob(const_cast<float*>(it->second->values.data()), it->second->shape,
                            torch::kFloat32);
  });
  const auto rng = contents.blobs.find(rng_key(torch::kCPU, state.comm.rank()));
  if (rng == contents.blobs.end())
    throw UserError(path + ": checkpoint holds no RNG state for this rank");
  set_rng_state(torch::kCPU, rng->second);
  // Note [Device-independent checkpoints]: a GPU's generator state is restored when the
  // checkpoint has one; a checkpoint from the CPU leaves the GPU's generator as seeded at start
  // (same seed and rank, so a resume is still reproducible), and the CPU ignores a GPU's state.
  const torch::Device device = parameters_device(state);
  if (device.is_cuda()) {
    const auto device_rng = contents.blobs.find(rng_key(device, state.comm.rank()));
    if (device_rng != contents.blobs.end()) set_rng_state(device, device_rng->second);
  }
  if (extra != nullptr) *extra = std::move(contents.blobs);
  return contents.attributes;
}

void load_weights_and_masks(const std::string& path,
                            const std::vector<std::pair<std::string, torch::Tensor>>& parameters,
                            MaskSet& masks) {
  io::CheckpointContents contents = io::read_checkpoint(path);
  for (const auto& [name, parameter] : parameters) {
    // A named reference, not the binding: lambdas may capture structured bindings only since
    // C++20, and clang 14 (clang-tidy) refuses it.
    const std::string& wanted = name;
    auto it = std::find_if(contents.weights.begin(), contents.weights.end(),
                           [&](const auto& a) { return a.name == wanted; });
    if (it == contents.weights.end()) {
      throw UserError(path + ": checkpoint is from a different model: no parameter '" + name + "'");
    }
    torch::Tensor target = parameter;
    copy_into(path, *it, target);
  }
  for (const auto& array : contents.masks) {
    auto it = std::find_if(parameters.begin(), parameters.end(),
                           [&](const auto& p) { return p.first == array.name; });
    if (it == parameters.end()) {
      throw UserError(path + ": checkpoint has a mask for unknown parameter '" + array.name + "'");
    }
    masks.add(array.name, it->second);
    copy_into(path, array, masks.at(array.name));
  }
  masks.apply_to_weights(parameters);
}

void write_rank_masks(const std::string& path, const MaskSet& masks) {
  io::CheckpointContents contents;
  for (const auto& [name, mask] : masks.all()) contents.masks.push_back(to_array(name, mask));
  contents.attributes["content"] = "masks of one rank";
  io::write_checkpoint(path, contents);
}

std::string checkpoint_path(const std::string& run_dir, int64_t step, const std::string& folder) {
  char name[64];
  std::snprintf(name, sizeof(name), "step-%08lld.h5", static_cast<long long>(step));
  return (fs::path(run_dir) / folder / name).string();
}

namespace {
std::vector<fs::path> periodic_checkpoints(const std::string& run_dir) {
  std::vector<fs::path> found;
  const fs::path dir = fs::path(run_dir) / "checkpoints";
  if (!fs::is_directory(dir)) return found;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("step-", 0) == 0 && entry.path().extension() == ".h5")
      found.push_back(entry.path());
  }
  std::sort(found.begin(), found.end());  // zero-padded steps sort by name
  return found;
}
}  // namespace

std::string resolve_resume_path(const std::string& file_or_dir) {
  if (!fs::exists(file_or_dir))
    throw UserError(file_or_dir + ": no such checkpoint or run directory");
  if (!fs::is_directory(file_or_dir)) return file_or_dir;
  const auto found = periodic_checkpoints(file_or_dir);
  if (found.empty())
    throw UserError(file_or_dir + ": run directory holds no checkpoints/step-*.h5");
  return found.back().string();
}

void remove_old_checkpoints(const std::string& run_dir, int keep) {
  auto found = periodic_checkpoints(run_dir);
  for (size_t i = 0; i + static_cast<size_t>(std::max(keep, 1)) < found.size(); ++i) {
    fs::remove(found[i]);
  }
}

}  // namespace topiary::train
