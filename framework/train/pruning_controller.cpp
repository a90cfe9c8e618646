#include "train/pruning_controller.h"

#include "prune/allocation.h"

#include <torch/torch.h>

#include <cstdio>
#include <cstring>
#include <span>

#include "core/error.h"
#include "prune/fingerprint.h"
#include "train/optimizer.h"

namespace topiary::train {
namespace {

std::span<float> float_span(torch::Tensor& t) {
  return {t.data_ptr<float>(), static_cast<size_t>(t.numel())};
}
std::span<const float> const_span(const torch::Tensor& t) {
  return {t.data_ptr<float>(), static_cast<size_t>(t.numel())};
}

const torch::Tensor& find_parameter(const NamedParameters& parameters, const std::string& name) {
  for (const auto& [n, p] : parameters) {
    if (n == name) return p;
  }
  TOPIARY_ASSERT(false, "unknown parameter " + name);
  return parameters.front().second;
}

// Taylor and Fisher sum the `window` steps before each update and start afresh after it.
bool is_windowed(prune::ScorerKind kind) {
  return kind == prune::ScorerKind::kTaylor || kind == prune::ScorerKind::kFisher;
}

// For a scorer that needs gradients; movement_soft keeps the same sums as movement.
ScoreAccumulator::Kind accumulator_kind(prune::ScorerKind kind) {
  if (kind == prune::ScorerKind::kTaylor) return ScoreAccumulator::Kind::kTaylor;
  if (kind == prune::ScorerKind::kFisher) return ScoreAccumulator::Kind::kFisher;
  return ScoreAccumulator::Kind::kMovement;
}

}  // namespace

PruningController::PruningController(const recipe::Recipe& recipe, const recipe::Plan& plan,
                                     const NamedParameters& parameters, uint64_t seed)
    : seed_(seed) {
  std::vector<std::string> names;
  for (const auto& [name, p] : parameters) names.push_back(name);
  for (size_t s = 0; s < plan.stages.size(); ++s) {
    const auto& stage = recipe.stages[s];
    for (size_t l = 0; l < plan.stages[s].levels.size(); ++l) {
      const auto& level = plan.stages[s].levels[l];
      for (const auto& planned : level.prune) {
        const auto& modifier = stage.prune[planned.modifier];
        PruneJob job;
        job.label = "stage '" + plan.stages[s].name + "' level " + std::to_string(l) +
                    " modifier " + std::to_string(planned.modifier);
        job.key = "s" + std::to_string(s) + "m" + std::to_string(planned.modifier);
        job.scorer = modifier.method;
        job.dampening = modifier.dampening;
        job.pattern = prune::parse_pattern(modifier.pattern);
        job.begin = level.begin;
        job.window = std::max<int64_t>(
            1, modifier.window ? modifier.window->to_steps(plan.geometry) : planned.ramp.every);
        for (const auto& update : planned.updates) job.update_steps.push_back(update.step);
        if (planned.adaptive_deadline) {
          const auto& adaptive = *modifier.adaptive;
          job.clock_reads_accuracy = adaptive.metric == recipe::Metric::kAccuracy;
          job.clock.emplace(planned.ramp, adaptive.tolerance, job.clock_reads_accuracy,
                            *planned.adaptive_deadline);
          job.clock_key = "adaptive:" + job.key + "l" + std::to_string(l);
        }
        std::set<std::string> overridden;
        std::vector<PruneGroup> override_groups;
        for (size_t o = 0; o < modifier.overrides.size(); ++o) {
          PruneGroup group;
          group.ramp = planned.overrides[o];
          group.scope = prune::Scope::kLayer;
          recipe::PruneModifier only = modifier;
          only.targets = modifier.overrides[o].targets;
          only.exclude.clear();
          for (const auto& name : recipe::select_parameters(only, names)) {
            if (overridden.insert(name).second) group.parameters.push_back(name);
          }
          override_groups.push_back(std::move(group));
        }
        PruneGroup own;
        own.ramp = planned.ramp;
        own.scope = modifier.scope;
        own.allocation = modifier.allocation;
        for (const auto& name : recipe::select_parameters(modifier, names)) {
          if (!overridden.count(name)) own.parameters.push_back(name);
        }
        job.groups.push_back(std::move(own));
        for (auto& group : override_groups) job.groups.push_back(std::move(group));
        for (const auto& group : job.groups) {
          for (const auto& name : group.parameters) {
            const auto sizes = find_parameter(parameters, name).sizes();
            prune::check_pattern_fits(job.pattern, name,
                                      std::vector<int64_t>(sizes.begin(), sizes.end()));
            if (prune::needs_gradients(job.scorer)) {
              auto& acc = accumulators_[job.key].by_parameter;
              if (!acc.count(name)) {
                acc[name] = std::make_unique<ScoreAccumulator>(accumulator_kind(job.scorer),
                                                               find_parameter(parameters, name));
              }
            }
          }
        }
        // An update at step 0 runs before any training (pruning at initialisation): gradient
        // scorers have nothing to score yet.
        if (!job.update_steps.empty() && job.update_steps.front() == 0 &&
            prune::needs_gradients(job.scorer)) {
          throw UserError(modifier.where.to_string() + ": " + job.label + ": method '" +
                          std::string(prune::kScorerKinds.name(modifier.method)) +
                          "' needs gradients, so its first update cannot be at step 0; start "
                          "at 1it or later");
        }
        jobs_.push_back(std::move(job));
      }
    }
  }
}

void PruningController::register_masks(MaskSet& masks, const NamedParameters& parameters) const {
  for (const auto& job : jobs_) {
    for (const auto& group : job.groups) {
      for (const auto& name : group.parameters) masks.add(name, find_parameter(parameters, name));
    }
  }
}

int64_t PruningController::first_update_step() const {
  int64_t first = INT64_MAX;
  for (const auto& job : jobs_) {
    if (!job.update_steps.empty()) first = std::min(first, job.update_steps.front());
  }
  return first;
}

int64_t PruningController::last_update_step() const {
  int64_t last = 0;
  for (const auto& job : jobs_) {
    if (!job.update_steps.empty()) last = std::max(last, job.update_steps.back());
  }
  return last;
}

bool PruningController::at_final_sparsity(int64_t step) const {
  if (step < last_update_step()) return false;
  for (const auto& job : jobs_) {
    if (job.clock && !job.clock->done()) return false;
  }
  return true;
}

std::vector<AdaptiveReport> PruningController::observe_evaluation(int64_t step, double loss,
                                                                  double accuracy,
                                                                  comm::Communicator& comm) {
  std::vector<AdaptiveReport> reports;
  bool counts = false;  // the same on every rank: clocks agree
  for (const auto& job : jobs_) {
    counts |= job.clock && !job.clock->done() && step >= job.update_steps.front();
  }
  if (!counts) return reports;
  // Sums all-reduced in a different order may round differently on different ranks; rank 0's
  // values decide for everyone, so the clocks cannot drift apart.
  double values[2] = {loss, accuracy};
  comm.broadcast(values, 2, comm::DataType::kFloat64, 0, "adaptive ramp metric");
  for (auto& job : jobs_) {
    if (!job.clock) continue;
    const double value = job.clock_reads_accuracy ? values[1] : values[0];
    const prune::ClockEvent event = job.clock->observe(step, value);
    if (event == prune::ClockEvent::kIgnored) continue;
    reports.push_back({job.label, event, value, *job.clock->reference(), job.clock->delay(),
                       job.clock->paused()});
  }
  return reports;
}

bool PruningController::job_accumulates(const PruneJob& job, int64_t step) const {
  if (!prune::needs_gradients(job.scorer) || job.update_steps.empty()) return false;
  if (step <= job.begin || step > job.update_steps.back()) return false;
  if (!is_windowed(job.scorer)) return true;
  for (int64_t update : job.update_steps) {
    if (step > update - job.window && step <= update) return true;
  }
  return false;
}

bool PruningController::wants_gradients(int64_t step) const {
  for (const auto& job : jobs_) {
    if (job_accumulates(job, step)) return true;
  }
  return false;
}

void PruningController::accumulate(int64_t step, const NamedParameters& parameters) {
  torch::NoGradGuard no_grad;
  for (const auto& job : jobs_) {
    if (!job_accumulates(job, step)) continue;
    auto& acc = accumulators_[job.key];
    for (const auto& group : job.groups) {
      for (const auto& name : group.parameters) {
        const torch::Tensor& p = find_parameter(parameters, name);
        if (!p.grad().defined()) continue;
        acc.by_parameter.at(name)->add(p, p.grad());
      }
    }
  }
}

namespace {
// Per-parameter sparsities of an allocation group at `target` (recipe key `allocation`).
std::vector<double> allocate(const PruneGroup& group, const NamedParameters& parameters,
                             const std::vector<std::vector<int64_t>>& shapes, double target) {
  std::vector<prune::LayerInfo> layers;
  std::vector<torch::Tensor> weights;
  std::vector<std::span<const float>> spans;
  layers.reserve(group.parameters.size());
  weights.reserve(group.parameters.size());
  spans.reserve(group.parameters.size());
  for (size_t k = 0; k < group.parameters.size(); ++k) {
    const torch::Tensor& p = find_parameter(parameters, group.parameters[k]);
    layers.push_back({group.parameters[k], shapes[k], p.numel()});
    weights.push_back(p.detach().to(torch::kCPU).contiguous());  // masked entries are zero
  }
  for (const auto& w : weights) spans.push_back(const_span(w));
  switch (group.allocation) {
    case prune::AllocationKind::kUniform:
      return prune::uniform_allocation(layers, target);
    case prune::AllocationKind::kErk:
      return prune::erk_allocation(layers, target);
    case prune::AllocationKind::kLamp:
      return prune::lamp_allocation(layers, spans, target);
    case prune::AllocationKind::kOwl:
      return prune::owl_allocation(layers, spans, target);
    case prune::AllocationKind::kNone:
      break;
  }
  TOPIARY_ASSERT(false, "allocate() called for a group without an allocation");
  return {};
}
}  // namespace

bool PruningController::on_step(int64_t step, const NamedParameters& parameters, MaskSet& masks,
                                torch::optim::Optimizer& optimizer, comm::Communicator& comm) {
  torch::NoGradGuard no_grad;
  bool changed = false;
  for (size_t j = 0; j < jobs_.size(); ++j) {
    PruneJob& job = jobs_[j];
    // The ramp time whose targets apply now: the step itself, or an adaptive clock's time.
    std::optional<int64_t> ramp_time;
    if (job.clock) {
      ramp_time = job.clock->update_time(step);
    } else if (std::find(job.update_steps.begin(), job.update_steps.end(), step) !=
               job.update_steps.end()) {
      ramp_time = step;
    }
    if (!ramp_time) continue;
    auto& acc = accumulators_[job.key];
    uint64_t stream = j * 1000003ull + static_cast<uint64_t>(step);
    for (const auto& group : job.groups) {
      if (group.parameters.empty()) continue;
      std::vector<torch::Tensor> scores, new_masks;
      std::vector<prune::ScoredTensor> scored;
      std::vector<std::vector<int64_t>> shapes;
      scores.reserve(group.parameters.size());
      new_masks.reserve(group.parameters.size());
      for (const auto& name : group.parameters) {
        const torch::Tensor& parameter = find_parameter(parameters, name);
        // Note [One host copy per mask update]: selection runs on the host, on one copy of the
        // weights (or the scorer's sums) and the mask.
        torch::Tensor weights = parameter.detach().to(torch::kCPU).contiguous();
        torch::Tensor mask = masks.at(name).to(torch::kCPU).contiguous();
        torch::Tensor score;
        switch (job.scorer) {
          case prune::ScorerKind::kMagnitude:
            score = torch::empty_like(weights);
            prune::magnitude_scores(const_span(weights), const_span(mask), float_span(score));
            break;
          case prune::ScorerKind::kRandom:
            score = torch::empty_like(weights);
            prune::random_scores(seed_, stream++, const_span(mask), float_span(score));
            break;
          case prune::ScorerKind::kTaylor:
          case prune::ScorerKind::kMovement:
            score = acc.by_parameter.at(name)->scores(mask);
            break;
          case prune::ScorerKind::kFisher:
            score = acc.by_parameter.at(name)->fisher_scores(weights, mask, job.dampening);
            break;
          case prune::ScorerKind::kMovementSoft:
            score = acc.by_parameter.at(name)->scores(torch::Tensor());
            break;
        }
        scores.push_back(score);
        new_masks.push_back(torch::empty_like(weights));
        scored.push_back({const_span(scores.back()), float_span(new_masks.back())});
        shapes.emplace_back(parameter.sizes().begin(), parameter.sizes().end());
      }
      const double target = group.ramp.sparsity_at(*ramp_time);
      if (group.allocation == prune::AllocationKind::kNone) {
        prune::select_masks(scored, shapes, group.parameters, job.pattern, group.scope, target);
      } else {
        // Same inputs on every rank (weights agree), so the same allocation everywhere.
        const std::vector<double> sparsities = allocate(group, parameters, shapes, target);
        for (size_t k = 0; k < group.parameters.size(); ++k) {
          prune::select_masks({&scored[k], 1}, {&shapes[k], 1}, {&group.parameters[k], 1},
                              job.pattern, prune::Scope::kLayer, sparsities[k]);
        }
      }
      for (size_t k = 0; k < group.parameters.size(); ++k) {
        const torch::Tensor& parameter = find_parameter(parameters, group.parameters[k]);
        torch::Tensor& mask = masks.at(group.parameters[k]);
        torch::Tensor updated = new_masks[k].to(mask.device());
        // Masks only grow sparser (GMP): a target below the current sparsity -- e.g. the start of
        // a ramp after --init-from a sparse checkpoint -- never revives an entry. Soft movement is
        // the one method that may bring entries back.
        if (job.scorer != prune::ScorerKind::kMovementSoft) updated.mul_(mask);
        zero_optimizer_state(optimizer, parameter, updated);
        const bool was_alive = mask.count_nonzero().item<int64_t>() > 0;
        mask.copy_(updated);
        parameter.mul_(mask);
        // Layer collapse (e.g. a small classifier under one global threshold): nothing flows
        // through this tensor any more, so the model's output no longer depends on its input.
        if (was_alive && updated.count_nonzero().item<int64_t>() == 0 && comm.rank() == 0) {
          std::fprintf(stderr,
                       "topiary: warning: step %lld: %s prunes all of '%s' (100%%, layer "
                       "collapse); cap it with scope: layer, an allocation, or overrides\n",
                       static_cast<long long>(step), job.label.c_str(),
                       group.parameters[k].c_str());
        }
      }
      changed = true;
    }
    if (is_windowed(job.scorer)) {
      for (auto& [name, a] : acc.by_parameter) a->reset();
    }
    if (job.clock) job.clock->applied(step);
  }
  if (changed) verify_masks_agree(masks, comm);
  return changed;
}

std::map<std::string, std::vector<uint8_t>> PruningController::export_state() const {
  std::map<std::string, std::vector<uint8_t>> blobs;
  auto put = [&](const std::string& key, const std::vector<double>& sums, int64_t steps) {
    const auto* bytes = reinterpret_cast<const uint8_t*>(sums.data());
    blobs[key] = std::vector<uint8_t>(bytes, bytes + sums.size() * sizeof(double));
    const auto* step_bytes = reinterpret_cast<const uint8_t*>(&steps);
    blobs[key + ":steps"] = std::vector<uint8_t>(step_bytes, step_bytes + sizeof(steps));
  };
  for (const auto& [key, acc] : accumulators_) {
    for (const auto& [name, a] : acc.by_parameter)
      put("acc:" + key + ":" + name, a->sums(), a->steps());
  }
  for (const auto& job : jobs_) {
    if (!job.clock) continue;
    const std::string text = job.clock->export_state();
    blobs[job.clock_key] = std::vector<uint8_t>(text.begin(), text.end());
  }
  return blobs;
}

void PruningController::import_state(const std::map<std::string, std::vector<uint8_t>>& blobs) {
  auto get = [&](const std::string& key, size_t size, std::vector<double>& sums, int64_t& steps) {
    auto it = blobs.find(key);
    auto st = blobs.find(key + ":steps");
    if (it == blobs.end() || st == blobs.end() || it->second.size() != size * sizeof(double)) {
      throw UserError("checkpoint holds no scorer state '" + key + "' for this recipe");
    }
    sums.resize(size);
    std::memcpy(sums.data(), it->second.data(), it->second.size());
    std::memcpy(&steps, st->second.data(), sizeof(steps));
  };
  std::vector<double> sums;
  int64_t steps = 0;
  for (auto& [key, acc] : accumulators_) {
    for (auto& [name, a] : acc.by_parameter) {
      get("acc:" + key + ":" + name, static_cast<size_t>(a->size()), sums, steps);
      a->restore(sums, steps);
    }
  }
  for (auto& job : jobs_) {
    if (!job.clock) continue;
    const auto it = blobs.find(job.clock_key);
    if (it == blobs.end()) {
      throw UserError("checkpoint holds no adaptive-ramp state '" + job.clock_key +
                      "' for this recipe");
    }
    job.clock->import_state(std::string(it->second.begin(), it->second.end()));
  }
}

void verify_masks_agree(const MaskSet& masks, comm::Communicator& comm) {
  std::vector<uint64_t> low;
  std::vector<std::string> names;
  for (const auto& [name, mask] : masks.all()) {
    torch::Tensor cpu = mask.to(torch::kCPU).contiguous();
    low.push_back(prune::mask_fingerprint(const_span(cpu)));
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
