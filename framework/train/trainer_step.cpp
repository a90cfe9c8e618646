// Trainer::step and Trainer::after_step: one optimizer step in the order of DESIGN.md "One
// training step", then the mask updates that follow it.
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/autocast_mode.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <string>

#include "train/finite_check.h"
#include "train/model_spec.h"
#include "train/optimizer.h"
#include "train/trainer_job.h"

namespace topiary::train {
namespace {

// bf16 autocast of the forward pass on the model's device while alive (training.precision:
// bf16); weights, gradients, optimizer state and masks stay fp32.
class AutocastScope {
 public:
  AutocastScope(bool enabled, const torch::Device& device)
      : enabled_(enabled), type_(device.type()) {
    if (!enabled_) return;
    at::autocast::set_autocast_dtype(type_, at::kBFloat16);
    at::autocast::set_autocast_enabled(type_, true);
    at::autocast::increment_nesting();
  }
  ~AutocastScope() {
    if (!enabled_) return;
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
    at::autocast::set_autocast_enabled(type_, false);
  }
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool enabled_;
  at::DeviceType type_;
};

// The step's one host read: the local loss (summed over micro-batches, float64 on the device)
// and the finite flag of every reduced gradient.
struct StepReadout {
  double loss = 0;
  std::vector<bool> finite;  // per parameter
};

std::vector<bool> read_flags(const torch::Tensor& flags) {
  const torch::Tensor host = flags.to(torch::kCPU, torch::kFloat64).contiguous();
  const double* values = host.data_ptr<double>();
  return std::vector<bool>(values, values + host.numel());
}

StepReadout read_step(const torch::Tensor& loss_sum, const NamedParameters& parameters) {
  StepReadout out;
  if (parameters.empty() || parameters.front().second.is_cpu()) {
    const torch::Tensor flags = finite_gradient_flags(parameters);
    out.loss = loss_sum.item<double>();
    out.finite = read_flags(flags);
    return out;
  }
  // On a GPU: the loss and one any-non-finite flag in one read; the per-parameter flags (a
  // second read) only when there is something to name.
  const torch::Tensor found = nonfinite_gradient_found(parameters);
  const torch::Tensor host = torch::stack({loss_sum, found.to(torch::kFloat64)}).to(torch::kCPU);
  out.loss = host[0].item<double>();
  if (host[1].item<double>() != 0) {
    out.finite = read_flags(finite_gradient_flags(parameters));
  } else {
    out.finite.assign(parameters.size(), true);
  }
  return out;
}

// Collective. Empty when the loss of every rank and every reduced gradient is finite; otherwise
// what was found first, identically on every rank (reduced gradients are the same everywhere).
std::string nonfinite_problem(const StepReadout& readout, const NamedParameters& parameters,
                              comm::Communicator& comm) {
  int32_t bad_rank = std::isfinite(readout.loss) ? comm.world_size() : comm.rank();
  comm.all_reduce(&bad_rank, 1, comm::DataType::kInt32, comm::ReduceOp::kMin, "non-finite check");
  for (size_t i = 0; i < parameters.size(); ++i) {
    if (!readout.finite[i]) {
      return "gradient of '" + parameters[i].first + "'" +
             (bad_rank < comm.world_size() ? " (loss on rank " + std::to_string(bad_rank) + ")"
                                           : "");
    }
  }
  if (bad_rank < comm.world_size()) return "loss on rank " + std::to_string(bad_rank);
  return "";
}

void set_learning_rate(torch::optim::Optimizer& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) group.options().set_lr(lr);
}

// The random re-initialisation control of lottery-ticket experiments: fresh weights from a seed
// that depends on the step, identical on every rank, without touching the dropout RNG stream.
void reinitialise(const NamedParameters& parameters, const recipe::Recipe& recipe,
                  const data::Dataset& dataset, int64_t step) {
  at::Generator generator = at::detail::getDefaultCPUGenerator();
  const torch::Tensor saved = generator.get_state();
  torch::manual_seed(recipe.seed * 7919ull + static_cast<uint64_t>(step));
  auto fresh = models::make_model(model_spec(recipe.model, dataset));
  generator.set_state(saved);
  torch::NoGradGuard no_grad;
  const auto fresh_parameters = named_parameters(*fresh);
  for (size_t i = 0; i < parameters.size(); ++i) {
    torch::Tensor target = parameters[i].second;
    target.copy_(fresh_parameters[i].second);
  }
}

}  // namespace

Trainer::StepStatus Trainer::step(int64_t step) {
  Job& j = *job_;
  // Note [Step ordering]: at a level boundary, snapshots are taken, then a rewind restores
  // weights and optimizer state (masks kept), then the LR of this step is set.
  if (auto taken = j.snapshots_at.find(step); taken != j.snapshots_at.end()) {
    for (const auto& name : taken->second) j.snapshots.take(name, j.parameters, *j.optimizer);
  }
  if (auto rewind = j.rewinds_at.find(step); rewind != j.rewinds_at.end()) {
    if (rewind->second.second) {
      reinitialise(j.parameters, j.recipe, j.dataset, step);
      j.optimizer->state().clear();
      j.masks.apply_to_weights(j.parameters);
    } else {
      j.snapshots.restore(rewind->second.first, j.parameters, *j.optimizer, j.masks);
    }
    if (j.leader)
      std::printf("step %6lld  rewound to snapshot '%s'%s\n", static_cast<long long>(step),
                  rewind->second.first.c_str(),
                  rewind->second.second ? " (random re-initialisation)" : "");
  }
  set_learning_rate(*j.optimizer, j.plan.lr_at(step));
  j.task->set_augmentation(j.plan.augment_at(step));
  const recipe::DistillModifier* distill = j.plan.distill_at(step);
  j.task->set_distillation(distill ? j.teachers.at(distill->teacher).get() : nullptr, distill);
  j.optimizer->zero_grad();
  const int64_t completed = step + 1;
  // Summed on the device in float64, micro-batch by micro-batch, as a host sum would be.
  torch::Tensor loss_sum = torch::zeros({}, torch::TensorOptions(torch::kFloat64).device(j.device));
  const int64_t parts = j.task->micro_batches(step);
  j.micro_batches_run += parts;
  // Gradient scorers need the dense all-reduced gradient (Note [Dense gradients for gradient
  // scores]); masking after the reduce is then exactly equivalent for the optimizer.
  const bool dense_gradients = j.pruning->wants_gradients(completed);
  for (int64_t part = 0; part < parts; ++part) {
    torch::Tensor loss;
    {
      AutocastScope autocast(j.bf16, j.device);
      loss = j.task->micro_batch_loss(*j.model, step, part);
    }
    if (j.faults.nan_loss_at == completed && j.comm.rank() == j.comm.world_size() - 1) {
      loss = loss * std::numeric_limits<float>::quiet_NaN();
    }
    StepPhases::Scope backward(j.phases, StepPhase::kBackward);
    // The last backward pass completes the gradients: its buckets launch as they fill.
    if (j.reducer->overlaps() && part == parts - 1) j.reducer->arm(dense_gradients);
    loss.backward();
    loss_sum.add_(loss.detach().to(torch::kFloat64));
  }
  j.phases.count_step();
  std::optional<StepPhases::Scope> exchange(std::in_place, j.phases, StepPhase::kExchange);
  // Masked gradients are masked before they travel, unless this step sends them dense (the
  // overlapped exchange masks them as they arrive).
  if (j.reducer->overlaps()) {
    j.reducer->finish();
  } else {
    if (!dense_gradients) j.reducer->mask_gradients();
    j.reducer->reduce(/*all_dense=*/dense_gradients);
  }
  const StepReadout readout = read_step(loss_sum, j.parameters);
  const double loss_value = readout.loss;
  const std::string problem = nonfinite_problem(readout, j.parameters, j.comm);
  exchange.reset();
  if (!problem.empty()) {
    const bool may_skip = j.recipe.training.on_nonfinite == recipe::NonFinitePolicy::kSkip;
    const bool skip = may_skip && ++j.skipped_steps <= j.recipe.training.max_skipped_steps;
    if (j.leader) {
      std::fprintf(skip ? stdout : stderr, "topiary: %sstep %lld: non-finite %s%s\n",
                   skip ? "" : "error: ", static_cast<long long>(completed), problem.c_str(),
                   skip ? "; step skipped on every rank (training.on_nonfinite: skip)"
                        : (may_skip ? "; more than training.max_skipped_steps steps skipped"
                                    : "; stopping (training.on_nonfinite: stop)"));
    }
    if (!skip) return StepStatus::kFailed;
    j.log->append({{"event", "skipped_step"}, {"step", completed}, {"problem", problem}});
    return StepStatus::kSkipped;
  }
  if (dense_gradients) {
    StepPhases::Scope pruning(j.phases, StepPhase::kPruning);
    j.pruning->accumulate(completed, j.parameters);
    j.masks.apply_to_grads(j.parameters);
  }
  {
    StepPhases::Scope optimizer(j.phases, StepPhase::kOptimizer);
    if (j.recipe.training.grad_clip > 0)
      torch::nn::utils::clip_grad_norm_(j.tensors, j.recipe.training.grad_clip);
    // No re-masking of the weights: Note [Masks] keeps pruned weights at exactly zero.
    j.optimizer->step();
    apply_max_norm(j.recipe.training, j.parameters);
  }
  j.running_loss += loss_value;
  ++j.running_count;
  return StepStatus::kApplied;
}

void Trainer::after_step(int64_t completed) {
  Job& j = *job_;
  if (!j.dense && completed == j.pruning->first_update_step()) {
    j.dense = j.task->evaluate(*j.model, j.comm);
    nlohmann::json entry = {{"event", "dense_eval"}, {"step", completed}};
    entry.update(eval_fields(*j.dense, j.language_model));
    j.log->append(entry);
  }
  std::optional<StepPhases::Scope> pruning(std::in_place, j.phases, StepPhase::kPruning);
  if (j.pruning->on_step(completed, j.parameters, j.masks, *j.optimizer, j.comm)) {
    ++j.mask_verifications;
    j.reducer->masks_changed();  // every rank, same step: the packing plan follows the masks
  }
  pruning.reset();
  if (j.faults.flip_mask_at == completed && j.comm.rank() == j.comm.world_size() - 1 &&
      !j.masks.all().empty()) {
    torch::NoGradGuard no_grad;
    torch::Tensor first = j.masks.all().begin()->second.view({-1});
    first[0] = 1.0f - first[0].item<float>();
  }
}

}  // namespace topiary::train
