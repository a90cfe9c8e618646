#pragma once
// What the trainer optimises and how it measures it. Classification: labelled examples, the
// sampler permutes examples. Language modelling: the training documents joined by <eos> into
// one stream, cut into blocks of `context` + 1 tokens (stride `context`, the grid shifted by a
// per-epoch offset so that block boundaries move between epochs); the sampler permutes blocks.
// Both are deterministic in (seed, step) and split each global batch across ranks the same way.
#include <torch/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "comm/communicator.h"
#include "data/dataset.h"
#include "models/model.h"
#include "recipe/recipe.h"
#include "train/evaluate.h"
#include "train/sampler.h"
#include "train/step_phases.h"

namespace topiary::train {

class Task {
 public:
  virtual ~Task() = default;
  // The units the sampler permutes (examples or blocks) and their mean length in tokens, for
  // the plan's epoch and `tok` times.
  virtual int64_t train_units() const = 0;
  virtual double mean_tokens_per_unit() const = 0;
  // How many micro-batches this rank's share of global step `step` runs as: training.accumulate
  // parts, each cut again to stay within training.max_tokens (so it may differ between ranks).
  virtual int64_t micro_batches(int64_t step) = 0;
  // Loss of micro-batch `part` (of micro_batches(step)) of this rank's share of step `step`,
  // weighted so that the parts' gradients add up to the gradient of the local batch's mean.
  virtual torch::Tensor micro_batch_loss(models::Model& model, int64_t step, int64_t part) = 0;
  virtual EvalResult evaluate(models::Model& model, comm::Communicator& comm) = 0;
  // The augmentation (recipe `augment` modifier) for the steps that follow, or nullptr: the
  // plan's augment_at(step). Only classification tasks accept one (make_task checks).
  virtual void set_augmentation(const recipe::AugmentModifier* augment) { (void)augment; }
  // The teacher and settings of the recipe's `distill` modifier for the steps that follow, or
  // nullptrs. The teacher runs in eval mode without gradients (classification only).
  virtual void set_distillation(models::Model* teacher, const recipe::DistillModifier* distill) {
    (void)teacher;
    (void)distill;
  }
  // "accuracy" or "loss": what selection.metric auto means.
  virtual recipe::Metric default_metric() const = 0;
  // Where micro_batch_loss records its data and forward time (null: nowhere).
  void set_phases(StepPhases* phases) { phases_ = phases; }

 protected:
  // Starts `scope` adding to `phase` when phases are recorded; reset() ends it.
  void time(std::optional<StepPhases::Scope>& scope, StepPhase phase) {
    if (phases_ != nullptr) scope.emplace(*phases_, phase);
  }

 private:
  StepPhases* phases_ = nullptr;
};

// Picks the task from the dataset's kind and checks that the model fits it (a classifier on a
// language-model file and the reverse are UserErrors naming the file and model.type). Batches
// are built on the host and moved to `device`, where the model must be when it runs them.
std::unique_ptr<Task> make_task(const data::Dataset& dataset, const recipe::Recipe& recipe,
                                const models::Model& model, int world_size, int rank,
                                torch::Device device = torch::kCPU);

}  // namespace topiary::train
