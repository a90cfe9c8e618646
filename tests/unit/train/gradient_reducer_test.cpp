// GradientReducer in one process: the overlapped form (arm/finish) gives the blocking form's
// bits, masking included, for masked, dense-flagged and unmasked parameters. (Several ranks:
// tests/mpi/gradient_reducer_test.cpp.)
#include "train/gradient_reducer.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

#include "comm/communicator.h"
#include "train/mask_set.h"

namespace topiary::train {
namespace {

using Named = std::vector<std::pair<std::string, torch::Tensor>>;

Named parameters_with_gradients(uint64_t seed) {
  torch::manual_seed(static_cast<int64_t>(seed));
  Named out = {{"a", torch::randn({6, 5})}, {"b", torch::randn({7})}, {"c", torch::randn({4, 4})}};
  for (auto& [name, p] : out) p.mutable_grad() = torch::randn(p.sizes());
  return out;
}

MaskSet masks_for(const Named& parameters) {
  MaskSet masks;
  for (const char* name : {"a", "c"}) {
    const torch::Tensor& p = name[0] == 'a' ? parameters[0].second : parameters[2].second;
    masks.add(name, p);
    masks.at(name).copy_(
        (torch::arange(p.numel()).reshape(p.sizes()) % 3 != 0).to(torch::kFloat32));
  }
  return masks;
}

TEST(GradientReducer, OverlappedEqualsMaskThenReduceOnOneRank) {
  auto comm = comm::make_loopback_communicator();
  for (bool all_dense : {false, true}) {
    Named blocking_parameters = parameters_with_gradients(3);
    Named overlap_parameters = parameters_with_gradients(3);
    MaskSet blocking_masks = masks_for(blocking_parameters);
    MaskSet overlap_masks = masks_for(overlap_parameters);
    ReducerOptions options;
    ReducerOptions overlapped = options;
    overlapped.overlap = true;
    GradientReducer blocking(blocking_parameters, *comm, options);
    GradientReducer overlap(overlap_parameters, *comm, overlapped);
    blocking.set_masks(blocking_masks);
    overlap.set_masks(overlap_masks);
    // "c" travels dense (a method that scores pruned entries): masking is what zeroes it.
    blocking.set_needs_dense("c", true);
    overlap.set_needs_dense("c", true);
    if (!all_dense) blocking_masks.apply_to_grads(blocking_parameters);  // the trainer's part
    blocking.reduce(all_dense);
    overlap.arm(all_dense);
    overlap.finish();
    for (size_t i = 0; i < blocking_parameters.size(); ++i) {
      EXPECT_TRUE(
          torch::equal(overlap_parameters[i].second.grad(), blocking_parameters[i].second.grad()))
          << blocking_parameters[i].first << (all_dense ? " (all-dense step)" : "");
    }
  }
}

}  // namespace
}  // namespace topiary::train
