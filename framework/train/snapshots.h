#pragma once
// Named snapshots of weights and optimizer state for lottery-ticket rewinding (Frankle & Carbin
// 2019; rewinding to an early iteration, Frankle et al. 2019). Masks are not part of a snapshot:
// a rewind keeps the current masks and re-applies them. Snapshots travel in checkpoints so that a
// resumed run rewinds to exactly the same weights.
#include <torch/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "train/mask_set.h"

namespace torch::optim {
class Optimizer;
}

namespace topiary::train {

class SnapshotStore {
 public:
  using NamedParameters = std::vector<std::pair<std::string, torch::Tensor>>;

  void take(const std::string& name, const NamedParameters& parameters,
            torch::optim::Optimizer& optimizer);
  // Weights and optimizer state from the snapshot, then masks re-applied to both.
  void restore(const std::string& name, const NamedParameters& parameters,
               torch::optim::Optimizer& optimizer, const MaskSet& masks) const;
  bool has(const std::string& name) const { return snapshots_.count(name) > 0; }

  std::map<std::string, std::vector<uint8_t>> export_state() const;
  void import_state(const std::map<std::string, std::vector<uint8_t>>& blobs,
                    const NamedParameters& parameters);

 private:
  struct Snapshot {
    std::vector<torch::Tensor> weights;                            // parameter order
    std::vector<std::pair<std::string, torch::Tensor>> optimizer;  // "<param>:<state>"
    std::vector<int64_t> steps;
  };
  std::map<std::string, Snapshot> snapshots_;
};

}  // namespace topiary::train
