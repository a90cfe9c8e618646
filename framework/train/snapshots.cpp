#include "train/snapshots.h"

#include <torch/torch.h>

#include <cstring>

#include "core/error.h"
#include "train/optimizer.h"

namespace topiary::train {
namespace {

std::vector<uint8_t> tensor_bytes(const torch::Tensor& tensor) {
  torch::Tensor cpu = tensor.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  const auto* bytes = reinterpret_cast<const uint8_t*>(cpu.data_ptr<float>());
  return {bytes, bytes + cpu.numel() * sizeof(float)};
}

torch::Tensor tensor_from(const std::vector<uint8_t>& bytes, const torch::Tensor& like,
                          const std::string& key) {
  if (bytes.size() != static_cast<size_t>(like.numel()) * sizeof(float)) {
    throw UserError("checkpoint snapshot entry '" + key + "' does not fit this model");
  }
  torch::Tensor out = torch::empty(like.sizes(), torch::kFloat32);
  std::memcpy(out.data_ptr<float>(), bytes.data(), bytes.size());
  return out.to(like.device());
}

}  // namespace

void SnapshotStore::take(const std::string& name, const NamedParameters& parameters,
                         torch::optim::Optimizer& optimizer) {
  torch::NoGradGuard no_grad;
  Snapshot snapshot;
  for (const auto& [n, p] : parameters) snapshot.weights.push_back(p.detach().clone());
  OptimizerStateArrays state = export_optimizer_state(optimizer, parameters);
  for (auto& [key, tensor] : state.tensors) snapshot.optimizer.emplace_back(key, tensor.clone());
  snapshot.steps = state.steps;
  snapshots_[name] = std::move(snapshot);
}

void SnapshotStore::restore(const std::string& name, const NamedParameters& parameters,
                            torch::optim::Optimizer& optimizer, const MaskSet& masks) const {
  auto it = snapshots_.find(name);
  if (it == snapshots_.end()) throw UserError("rewind: no snapshot named '" + name + "' was taken");
  torch::NoGradGuard no_grad;
  const Snapshot& snapshot = it->second;
  for (size_t i = 0; i < parameters.size(); ++i) {
    torch::Tensor target = parameters[i].second;
    target.copy_(snapshot.weights[i]);
  }
  import_optimizer_state(optimizer, parameters, snapshot.steps, [&](const std::string& key) {
    for (const auto& [k, t] : snapshot.optimizer) {
      if (k == key) return t;
    }
    return torch::Tensor();
  });
  masks.apply_to_weights(parameters);
  for (const auto& [n, p] : parameters) {
    if (masks.has(n)) zero_optimizer_state(optimizer, p, masks.all().at(n));
  }
}

std::map<std::string, std::vector<uint8_t>> SnapshotStore::export_state() const {
  std::map<std::string, std::vector<uint8_t>> blobs;
  for (const auto& [name, snapshot] : snapshots_) {
    // Parameter order is fixed by the model, so weights are stored by index.
    for (size_t i = 0; i < snapshot.weights.size(); ++i) {
      blobs["snap:" + name + ":w:" + std::to_string(i)] = tensor_bytes(snapshot.weights[i]);
    }
    for (const auto& [key, tensor] : snapshot.optimizer) {
      blobs["snap:" + name + ":o:" + key] = tensor_bytes(tensor);
    }
    const auto* bytes = reinterpret_cast<const uint8_t*>(snapshot.steps.data());
    blobs["snap:" + name + ":steps"] =
        std::vector<uint8_t>(bytes, bytes + snapshot.steps.size() * sizeof(int64_t));
  }
  return blobs;
}

void SnapshotStore::import_state(const std::map<std::string, std::vector<uint8_t>>& blobs,
                                 const NamedParameters& parameters) {
  snapshots_.clear();
  for (const auto& [key, bytes] : blobs) {
    if (key.rfind("snap:", 0) != 0 || key.size() < 11 || key.substr(key.size() - 6) != ":steps") {
      continue;
    }
    const std::string name = key.substr(5, key.size() - 11);
    Snapshot snapshot;
    snapshot.steps.resize(bytes.size() / sizeof(int64_t));
    std::memcpy(snapshot.steps.data(), bytes.data(), snapshot.steps.size() * sizeof(int64_t));
    for (size_t i = 0; i < parameters.size(); ++i) {
      const std::string weight_key = "snap:" + name + ":w:" + std::to_string(i);
      auto it = blobs.find(weight_key);
      if (it == blobs.end()) throw UserError("checkpoint snapshot '" + name + "' is incomplete");
      snapshot.weights.push_back(tensor_from(it->second, parameters[i].second, weight_key));
    }
    const std::string prefix = "snap:" + name + ":o:";
    for (const auto& [okey, obytes] : blobs) {
      if (okey.rfind(prefix, 0) != 0) continue;
      const std::string state_key = okey.substr(prefix.size());
      const std::string parameter = state_key.substr(0, state_key.rfind(':'));
      for (const auto& [n, p] : parameters) {
        if (n == parameter)
          snapshot.optimizer.emplace_back(state_key, tensor_from(obytes, p, okey));
      }
    }
    snapshots_[name] = std::move(snapshot);
  }
}

}  // namespace topiary::train
