#include "train/pruning_controller.h"

#include <torch/torch.h>

#include <span>

#include "core/error.h"
#include "prune/fingerprint.h"
#include "prune/selection.h"
#include "train/optimizer.h"
#include "train/stage_timeline.h"

namespace topiary::train {
namespace {

std::span<float> float_span(torch::Tensor& t) {
  return {t.data_ptr<float>(), static_cast<size_t>(t.numel())};
}

}  // namespace

PruningController::PruningController(const recipe::Recipe& recipe,
                                     const std::vector<std::string>& parameter_names,
                                     const StepGeometry& geometry, uint64_t seed)
    : seed_(seed) {
  const auto stages = stage_timeline(recipe, geometry);
  for (size_t s = 0; s < recipe.stages.size(); ++s) {
    const auto& stage = recipe.stages[s];
    for (size_t m = 0; m < stage.prune.size(); ++m) {
      const auto& modifier = stage.prune[m];
      PruneJob job;
      job.label = "stage '" + stages[s].name + "' prune modifier " + std::to_string(m);
      job.scorer = prune::parse_scorer_kind(modifier.method);
      job.global = modifier.scope == "global";
      job.ramp.kind = prune::parse_schedule_kind(modifier.schedule);
      job.ramp.start_step = modifier.start.to_steps(geometry);
      job.ramp.end_step = modifier.end.to_steps(geometry);
      job.ramp.every = std::max<int64_t>(1, modifier.every.to_steps(geometry));
      job.ramp.initial = modifier.init_sparsity;
      job.ramp.final = modifier.final_sparsity;
      job.stage_begin = stages[s].begin;
      job.stage_end = stages[s].end;
      if (job.ramp.end_step < job.ramp.start_step) {
        throw UserError(located(modifier.where.file, modifier.where.line, modifier.where.column,
                                "end", "ends (step " + std::to_string(job.ramp.end_step) +
                                           ") before it starts (step " +
                                           std::to_string(job.ramp.start_step) + ")"));
      }
      job.parameters = recipe::select_parameters(modifier, parameter_names);
      jobs_.push_back(std::move(job));
    }
  }
}

void PruningController::register_masks(
    MaskSet& masks, const std::vector<std::pair<std::string, torch::Tensor>>& parameters) const {
  for (const auto& job : jobs_) {
    for (const auto& [name, parameter] : parameters) {
      if (std::find(job.parameters.begin(), job.parameters.end(), name) != job.parameters.end()) {
        masks.add(name, parameter);
      }
    }
  }
}

int64_t PruningController::first_update_step() const {
  int64_t first = INT64_MAX;
  for (const auto& job : jobs_) first = std::min(first, job.ramp.start_step);
  return first;
}

std::vector<PlannedUpdate> PruningController::plan() const {
  std::vector<PlannedUpdate> updates;
  for (const auto& job : jobs_) {
    for (int64_t step : job.ramp.update_steps()) {
      updates.push_back({step, job.label, job.ramp.sparsity_at(step)});
    }
  }
  std::stable_sort(updates.begin(), updates.end(),
                   [](const auto& a, const auto& b) { return a.step < b.step; });
  return updates;
}

bool PruningController::on_step(int64_t step,
                                const std::vector<std::pair<std::string, torch::Tensor>>& parameters,
                                MaskSet& masks, torch::optim::Optimizer& optimizer,
                                comm::Communicator& comm) {
  torch::NoGradGuard no_grad;
  bool changed = false;
  for (size_t j = 0; j < jobs_.size(); ++j) {
    const PruneJob& job = jobs_[j];
    if (!job.ramp.is_update_step(step)) continue;
    const double sparsity = job.ramp.sparsity_at(step);
    std::vector<torch::Tensor> scores;
    std::vector<torch::Tensor> new_masks;
    std::vector<prune::ScoredTensor> scored;
    scores.reserve(job.parameters.size());
    new_masks.reserve(job.parameters.size());
    uint64_t stream = j * 1000003ull + static_cast<uint64_t>(step);
    for (const auto& [name, parameter] : parameters) {
      if (std::find(job.parameters.begin(), job.parameters.end(), name) == job.parameters.end()) {
        continue;
      }
      torch::Tensor weights = parameter.detach().to(torch::kCPU).contiguous();
      torch::Tensor mask = masks.at(name).to(torch::kCPU).contiguous();
      torch::Tensor score = torch::empty_like(weights);
      std::span<const float> weight_span(weights.data_ptr<float>(), weights.numel());
      std::span<const float> mask_span(mask.data_ptr<float>(), mask.numel());
      if (job.scorer == prune::ScorerKind::kMagnitude) {
        prune::magnitude_scores(weight_span, mask_span, float_span(score));
      } else {
        prune::random_scores(seed_, stream++, mask_span, float_span(score));
      }
      scores.push_back(score);
      new_masks.push_back(torch::empty_like(weights));
      scored.push_back({float_span(scores.back()), float_span(new_masks.back())});
    }
    if (job.global) {
      prune::select_global(scored, sparsity);
    } else {
      prune::select_layerwise(scored, sparsity);
    }
    size_t k = 0;
    for (const auto& [name, parameter] : parameters) {
      if (std::find(job.parameters.begin(), job.parameters.end(), name) == job.parameters.end()) {
        continue;
      }
      torch::Tensor& mask = masks.at(name);
      torch::Tensor updated = new_masks[k++].to(mask.device());
      zero_optimizer_state(optimizer, parameter, updated);
      mask.copy_(updated);
      parameter.mul_(mask);
      changed = true;
    }
  }
  if (changed) verify_masks_agree(masks, comm);
  return changed;
}

void verify_masks_agree(const MaskSet& masks, comm::Communicator& comm) {
  std::vector<uint64_t> low;
  std::vector<std::string> names;
  for (const auto& [name, mask] : masks.all()) {
    torch::Tensor cpu = mask.to(torch::kCPU).contiguous();
    low.push_back(prune::mask_fingerprint({cpu.data_ptr<float>(), static_cast<size_t>(cpu.numel())}));
    names.push_back(name);
  }
  std::vector<uint64_t> high = low;
  comm.all_reduce(low.data(), static_cast<int64_t>(low.size()), comm::DataType::kUInt64,
                  comm::ReduceOp::kMin, "mask fingerprint (min)");
  comm.all_reduce(high.data(), static_cast<int64_t>(high.size()), comm::DataType::kUInt64,
                  comm::ReduceOp::kMax, "mask fingerprint (max)");
  for (size_t i = 0; i < names.size(); ++i) {
    if (low[i] != high[i]) {
      comm.abort(1, "masks differ between ranks for parameter '" + names[i] + "'");
    }
  }
}

}  // namespace topiary::train
