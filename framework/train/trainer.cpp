#include "train/trainer.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/autocast_mode.h>
#include <torch/torch.h>

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <set>

#include "comm/mpi_communicator.h"
#include "core/error.h"
#include "data/dataset.h"
#include "models/model.h"
#include "recipe/recipe.h"
#include "train/batch.h"
#include "train/evaluate.h"
#include "train/gradient_reducer.h"
#include "train/metrics_log.h"
#include "train/model_selection.h"
#include "train/model_spec.h"
#include "train/optimizer.h"
#include "train/preemption.h"
#include "train/pruning_controller.h"
#include "train/snapshots.h"
#include "train/startup_checks.h"
#include "train/task.h"
#include "train/training_state.h"

namespace topiary::train {
namespace {

using NamedParameters = std::vector<std::pair<std::string, torch::Tensor>>;

// Runs `phase` on every rank; if it throws a UserError on any rank, every rank learns so
// through one all-reduce and returns the user-error exit code together (no rank left waiting).
bool agree(comm::Communicator& comm, const std::function<void()>& phase) {
  std::string error;
  try {
    phase();
  } catch (const UserError& e) {
    error = e.what();
  }
  // The lowest failing rank reports, once: usually all ranks fail alike (same recipe, same data).
  int32_t first_failed = error.empty() ? comm.world_size() : comm.rank();
  comm.all_reduce(&first_failed, 1, comm::DataType::kInt32, comm::ReduceOp::kMin,
                  "error agreement");
  if (first_failed == comm.rank()) {
    std::fprintf(stderr, "topiary: error%s: %s\n",
                 comm.world_size() > 1 ? (" on rank " + std::to_string(comm.rank())).c_str() : "",
                 error.c_str());
  }
  return first_failed == comm.world_size();
}

NamedParameters named_parameters(torch::nn::Module& model) {
  NamedParameters out;
  for (const auto& item : model.named_parameters()) out.emplace_back(item.key(), item.value());
  return out;
}

// bf16 autocast of the forward pass on CPU while alive (training.precision: bf16); weights,
// gradients, optimizer state and masks stay fp32.
class AutocastScope {
 public:
  explicit AutocastScope(bool enabled) : enabled_(enabled) {
    if (!enabled_) return;
    at::autocast::set_autocast_dtype(at::kCPU, at::kBFloat16);
    at::autocast::set_autocast_enabled(at::kCPU, true);
    at::autocast::increment_nesting();
  }
  ~AutocastScope() {
    if (!enabled_) return;
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
    at::autocast::set_autocast_enabled(at::kCPU, false);
  }
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool enabled_;
};

// One line naming every rank's host, so that a lost host in a failure report maps to its ranks.
void print_rank_hosts(comm::Communicator& comm) {
  char host[64] = {};
  gethostname(host, sizeof(host) - 1);
  std::vector<char> all(sizeof(host) * static_cast<size_t>(comm.world_size()));
  comm.all_gather(host, all.data(), sizeof(host), comm::DataType::kUInt8, "rank host names");
  if (comm.rank() != 0) return;
  std::string line = "topiary: ranks:";
  for (int r = 0; r < comm.world_size(); ++r) {
    line += " " + std::to_string(r) + "@" + std::string(all.data() + r * sizeof(host));
  }
  std::printf("%s\n", line.c_str());
}

// Test-only fault injection, off unless the variables are set: a NaN loss on the last rank at
// TOPIARY_FAULT_NAN_LOSS_AT (step, 1-based), and one flipped mask entry on the last rank after
// TOPIARY_FAULT_FLIP_MASK_AT. They prove the numerics policy and mask verification end to end.
struct FaultInjection {
  int64_t nan_loss_at = -1;
  int64_t flip_mask_at = -1;
};

FaultInjection fault_injection_from_environment() {
  FaultInjection faults;
  if (const char* v = std::getenv("TOPIARY_FAULT_NAN_LOSS_AT")) faults.nan_loss_at = std::atoll(v);
  if (const char* v = std::getenv("TOPIARY_FAULT_FLIP_MASK_AT"))
    faults.flip_mask_at = std::atoll(v);
  return faults;
}

// Collective. Empty when the loss of every rank and every reduced gradient is finite; otherwise
// what was found first, identically on every rank (reduced gradients are the same everywhere).
std::string nonfinite_problem(double local_loss, const NamedParameters& parameters,
                              comm::Communicator& comm) {
  int32_t bad_rank = std::isfinite(local_loss) ? comm.world_size() : comm.rank();
  comm.all_reduce(&bad_rank, 1, comm::DataType::kInt32, comm::ReduceOp::kMin, "non-finite check");
  for (const auto& [name, p] : parameters) {
    if (p.grad().defined() && !all_finite(p.grad())) {
      return "gradient of '" + name + "'" +
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

int run_training(const TrainOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  auto comm = comm::make_mpi_communicator();
  const bool leader = comm->rank() == 0;

  recipe::Recipe recipe;
  data::Dataset dataset;
  std::string output_dir;
  if (!agree(*comm, [&] {
        recipe = recipe::load_recipe(options.recipe_path, options.overrides);
        if (options.dump_config) return;
        dataset = data::read_dataset(recipe.data.path);
        output_dir = options.output_dir.empty() ? "runs/" + recipe.name : options.output_dir;
        if (leader) std::filesystem::create_directories(output_dir);
      })) {
    return kExitUserError;
  }
  if (options.dump_config) {
    if (leader) std::printf("%s", recipe.effective_yaml.c_str());
    return kExitOk;
  }

  torch::set_num_threads(static_cast<int>(recipe.training.threads));
  torch::manual_seed(recipe.seed);
  std::shared_ptr<models::Model> model;
  NamedParameters parameters;
  std::vector<std::string> names;
  std::unique_ptr<Task> task;
  if (!agree(*comm, [&] {
        model = models::make_model(model_spec(recipe.model, dataset));
        parameters = named_parameters(*model);
        for (const auto& [name, p] : parameters) names.push_back(name);
        recipe::validate_targets(recipe, names);
        task = make_task(dataset, recipe, *model, comm->world_size(), comm->rank());
        const int64_t local_batch = recipe.training.batch_size / comm->world_size();
        if (recipe.training.accumulate > local_batch) {
          throw UserError("training.accumulate " + std::to_string(recipe.training.accumulate) +
                          " is more than the batch each rank gets (" + std::to_string(local_batch) +
                          ")");
        }
      })) {
    return kExitUserError;
  }
  const bool language_model = model->is_language_model();
  verify_same_job(*comm, parameters, recipe.effective_yaml);
  broadcast_parameters(*comm, parameters);

  recipe::Plan plan;
  std::optional<PruningController> pruning;
  int64_t eval_every = 0;
  if (!agree(*comm, [&] {
        recipe::PlanOptions plan_options;
        plan_options.train_examples = task->train_units();
        plan_options.mean_tokens_per_example = task->mean_tokens_per_unit();
        plan_options.world_size = comm->world_size();
        plan = recipe::plan_recipe(recipe, plan_options);
        pruning.emplace(recipe, plan, parameters, recipe.seed);
        eval_every = recipe.training.eval_every
                         ? std::max<int64_t>(1, recipe.training.eval_every->to_steps(plan.geometry))
                         : plan.geometry.steps_per_epoch;
      })) {
    return kExitUserError;
  }
  const StepGeometry& geometry = plan.geometry;
  const int64_t total_steps = plan.total_steps;
  // Step boundaries: evaluations at level ends, snapshots and rewinds (recipe/plan.h).
  std::set<int64_t> level_ends;
  std::map<int64_t, std::vector<std::string>> snapshots_at;
  std::map<int64_t, std::pair<std::string, bool>> rewinds_at;  // step -> (snapshot, reinit)
  for (size_t s = 0; s < plan.stages.size(); ++s) {
    for (const auto& snapshot : plan.stages[s].snapshots)
      snapshots_at[snapshot.step].push_back(snapshot.name);
    for (const auto& level : plan.stages[s].levels) {
      level_ends.insert(level.end);
      if (level.rewind)
        rewinds_at[level.begin] = {recipe.stages[s].rewind->to, recipe.stages[s].rewind->reinit};
    }
  }

  const recipe::SelectionConfig& selection_config = recipe.training.selection;
  const std::string selection_metric =
      selection_config.metric == "auto" ? task->default_metric() : selection_config.metric;
  const bool metric_fits =
      language_model ? selection_metric != "macro_f1" : selection_metric != "perplexity";
  if (!agree(*comm, [&] {
        if (!metric_fits) {
          throw UserError(recipe.source_file + ": training.selection.metric '" + selection_metric +
                          "' does not apply to " +
                          (language_model ? "a language model (use loss, perplexity or accuracy)"
                                          : "a classifier (use accuracy, macro_f1 or loss)"));
        }
      })) {
    return kExitUserError;
  }
  ModelSelection selection(metric_higher_is_better(selection_metric), selection_config.keep_best,
                           selection_config.patience, selection_config.min_delta);
  // With at_final_sparsity, evaluations before the last mask update do not compete (an
  // adaptive ramp may end later than planned: PruningController::at_final_sparsity).

  MaskSet masks;
  pruning->register_masks(masks, parameters);
  std::vector<torch::Tensor> tensors;
  for (const auto& [name, p] : parameters) tensors.push_back(p);
  auto optimizer = make_optimizer(recipe.training, tensors);
  if (!options.init_from.empty() &&
      !agree(*comm, [&] { load_weights_and_masks(options.init_from, parameters, masks); })) {
    return kExitUserError;
  }
  ReducerOptions reducer_options;
  reducer_options.row_sparse = model->lookup_tables();  // Note [Row-sparse exchange]
  GradientReducer reducer(parameters, *comm, reducer_options);
  reducer.set_masks(masks);  // mask-aware: only unpruned entries travel (no index is sent)
  // Dropout differs per rank (different examples), but is reproducible per (seed, rank).
  torch::manual_seed(recipe.seed * 1000003ull + static_cast<uint64_t>(comm->rank()) + 1);
  const StateRefs state{parameters, masks, *optimizer, *comm};
  SnapshotStore snapshots;
  auto extra_state = [&] {
    auto blobs = pruning->export_state();
    blobs.merge(snapshots.export_state());
    blobs.merge(selection.export_state());
    return blobs;
  };

  int64_t checkpoint_every = 0;
  int64_t start_step = 0;
  std::optional<EvalResult> dense;
  int64_t mask_verifications = 0;
  if (!agree(*comm, [&] {
        if (!options.checkpoint_every.empty()) {
          checkpoint_every =
              std::max<int64_t>(1, TimeSpec::parse(options.checkpoint_every).to_steps(geometry));
        }
        if (!options.resume.empty()) {
          const std::string path = resolve_resume_path(options.resume);
          std::map<std::string, std::vector<uint8_t>> extra;
          auto attributes = restore_training_state(path, state, &extra);
          pruning->import_state(extra);
          snapshots.import_state(extra, parameters);
          selection.import_state(extra);
          reducer.masks_changed();
          if (attributes["recipe"] != recipe.effective_yaml) {
            throw UserError(path +
                            ": checkpoint was written by a different effective recipe; "
                            "resume with the same recipe and --set overrides");
          }
          start_step = std::stoll(attributes["step"]);
          mask_verifications = std::stoll(attributes["mask_verifications"]);
          if (!attributes["dense_accuracy"].empty()) {
            dense = EvalResult{};
            dense->loss = std::stod(attributes["dense_loss"]);
            dense->accuracy = std::stod(attributes["dense_accuracy"]);
          }
          if (leader)
            std::printf("topiary: resumed from %s at step %lld\n", path.c_str(),
                        static_cast<long long>(start_step));
        }
      })) {
    return kExitUserError;
  }
  MetricsLog log(leader ? output_dir : "", /*append=*/start_step > 0);
  install_preemption_handler();

  auto attributes_at = [&](int64_t step) {
    std::map<std::string, std::string> attributes = {
        {"step", std::to_string(step)},
        {"recipe", recipe.effective_yaml},
        {"model_type", recipe.model.type},
        {"mask_verifications", std::to_string(mask_verifications)}};
    if (dense) {
      attributes["dense_accuracy"] = std::to_string(dense->accuracy);
      attributes["dense_loss"] = std::to_string(dense->loss);
    }
    return attributes;
  };

  // Updates planned at step 0 (e.g. a oneshot prune at `start: 0it`) happen before the first
  // step; every later update runs after the optimizer step it follows.
  if (start_step == 0 && pruning->on_step(0, parameters, masks, *optimizer, *comm)) {
    ++mask_verifications;
    reducer.masks_changed();
  }
  print_rank_hosts(*comm);
  if (leader) {
    std::printf(
        "topiary: %s on %d rank(s) [%s]: %lld %s, %lld steps/epoch, %lld steps, "
        "global batch %lld\n",
        recipe.name.c_str(), comm->world_size(), comm->name().c_str(),
        static_cast<long long>(task->train_units()), language_model ? "blocks" : "examples",
        static_cast<long long>(geometry.steps_per_epoch), static_cast<long long>(total_steps),
        static_cast<long long>(recipe.training.batch_size));
  }
  EvalResult last_eval;
  const FaultInjection faults = fault_injection_from_environment();
  int64_t skipped_steps = 0;
  int64_t micro_batches_run = 0;  // on this rank, since this process started
  double running_loss = 0;
  int64_t running_count = 0;
  std::optional<int64_t> stopped_early_at;
  const bool bf16 = recipe.training.precision == "bf16";
  model->train();
  for (int64_t step = start_step; step < total_steps; ++step) {
    // Note [Step ordering]: at a level boundary, snapshots are taken, then a rewind restores
    // weights and optimizer state (masks kept), then the LR of this step is set.
    for (const auto& name : snapshots_at[step]) snapshots.take(name, parameters, *optimizer);
    if (auto rewind = rewinds_at.find(step); rewind != rewinds_at.end()) {
      if (rewind->second.second) {
        reinitialise(parameters, recipe, dataset, step);
        optimizer->state().clear();
        masks.apply_to_weights(parameters);
      } else {
        snapshots.restore(rewind->second.first, parameters, *optimizer, masks);
      }
      if (leader)
        std::printf("step %6lld  rewound to snapshot '%s'%s\n", static_cast<long long>(step),
                    rewind->second.first.c_str(),
                    rewind->second.second ? " (random re-initialisation)" : "");
    }
    set_learning_rate(*optimizer, plan.lr_at(step));
    task->set_augmentation(plan.augment_at(step));
    optimizer->zero_grad();
    const int64_t completed = step + 1;
    double loss_value = 0;
    const int64_t parts = task->micro_batches(step);
    micro_batches_run += parts;
    for (int64_t part = 0; part < parts; ++part) {
      torch::Tensor loss;
      {
        AutocastScope autocast(bf16);
        loss = task->micro_batch_loss(*model, step, part);
      }
      if (faults.nan_loss_at == completed && comm->rank() == comm->world_size() - 1) {
        loss = loss * std::numeric_limits<float>::quiet_NaN();
      }
      loss.backward();
      loss_value += loss.item<double>();
    }
    // Gradient scorers need the dense all-reduced gradient (Note [Dense gradients for gradient
    // scores]); masking after the reduce is then exactly equivalent for the optimizer.
    const bool dense_gradients = pruning->wants_gradients(completed);
    if (!dense_gradients) masks.apply_to_grads(parameters);
    reducer.reduce(/*all_dense=*/dense_gradients);
    const std::string problem = nonfinite_problem(loss_value, parameters, *comm);
    if (!problem.empty()) {
      const bool skip = recipe.training.on_nonfinite == "skip" &&
                        ++skipped_steps <= recipe.training.max_skipped_steps;
      if (leader) {
        std::fprintf(skip ? stdout : stderr, "topiary: %sstep %lld: non-finite %s%s\n",
                     skip ? "" : "error: ", static_cast<long long>(completed), problem.c_str(),
                     skip ? "; step skipped on every rank (training.on_nonfinite: skip)"
                          : (recipe.training.on_nonfinite == "skip"
                                 ? "; more than training.max_skipped_steps steps skipped"
                                 : "; stopping (training.on_nonfinite: stop)"));
      }
      if (!skip) return kExitUserError;
      log.append({{"event", "skipped_step"}, {"step", completed}, {"problem", problem}});
    } else {
      if (dense_gradients) {
        pruning->accumulate(completed, parameters);
        masks.apply_to_grads(parameters);
      }
      if (recipe.training.grad_clip > 0)
        torch::nn::utils::clip_grad_norm_(tensors, recipe.training.grad_clip);
      optimizer->step();
      masks.apply_to_weights(parameters);
      running_loss += loss_value;
      ++running_count;
    }

    if (!dense && completed == pruning->first_update_step()) {
      dense = task->evaluate(*model, *comm);
      nlohmann::json entry = {{"event", "dense_eval"}, {"step", completed}};
      entry.update(eval_fields(*dense, language_model));
      log.append(entry);
    }
    if (pruning->on_step(completed, parameters, masks, *optimizer, *comm)) {
      ++mask_verifications;
      reducer.masks_changed();  // every rank, same step: the packing plan follows the masks
    }
    if (faults.flip_mask_at == completed && comm->rank() == comm->world_size() - 1 &&
        !masks.all().empty()) {
      torch::NoGradGuard no_grad;
      torch::Tensor first = masks.all().begin()->second.view({-1});
      first[0] = 1.0f - first[0].item<float>();
    }

    if (completed % eval_every == 0 || level_ends.count(completed)) {
      last_eval = task->evaluate(*model, *comm);
      const double sparsity = masks.sparsity();
      nlohmann::json entry = {
          {"event", "eval"},
          {"step", completed},
          {"epoch", static_cast<double>(completed) / static_cast<double>(geometry.steps_per_epoch)},
          {"train_loss", running_loss / std::max<int64_t>(1, running_count)},
          {"sparsity", sparsity},
          {"lr", plan.lr_at(step)}};
      entry.update(eval_fields(last_eval, language_model));
      // Adaptive ramps pause or resume on this evaluation (Note [Adaptive ramp clock]).
      for (const auto& r :
           pruning->observe_evaluation(completed, last_eval.loss, last_eval.accuracy, *comm)) {
        entry["adaptive"].push_back({{"ramp", r.ramp},
                                     {"event", prune::to_string(r.event)},
                                     {"value", r.value},
                                     {"reference", r.reference},
                                     {"delay", r.delay},
                                     {"paused", r.paused}});
        if (leader &&
            (r.event == prune::ClockEvent::kPaused || r.event == prune::ClockEvent::kResumed)) {
          std::printf("step %6lld  adaptive ramp %s: %s (%.4f vs best %.4f), %lld steps behind\n",
                      static_cast<long long>(completed), r.ramp.c_str(), prune::to_string(r.event),
                      r.value, r.reference, static_cast<long long>(r.delay));
        }
      }
      log.append(entry);
      if (leader) {
        std::printf(
            "step %6lld/%lld  epoch %5.2f  train loss %.4f  valid loss %.4f  %s %.4f  sparsity "
            "%.4f\n",
            static_cast<long long>(completed), static_cast<long long>(total_steps),
            static_cast<double>(completed) / static_cast<double>(geometry.steps_per_epoch),
            running_loss / std::max<int64_t>(1, running_count), last_eval.loss,
            language_model ? "ppl" : "acc",
            language_model ? last_eval.perplexity : last_eval.accuracy, sparsity);
        std::fflush(stdout);
      }
      running_loss = 0;
      running_count = 0;
      if (!selection_config.at_final_sparsity || pruning->at_final_sparsity(completed)) {
        const SelectionDecision decision =
            selection.observe(completed, metric_value(last_eval, selection_metric));
        if (decision.keep) {
          save_training_state(checkpoint_path(output_dir, completed, "best"), state,
                              attributes_at(completed), extra_state());
        }
        if (decision.drop_step && leader) {
          std::filesystem::remove(checkpoint_path(output_dir, *decision.drop_step, "best"));
        }
        if (decision.stop && completed < total_steps) {
          stopped_early_at = completed;
          if (leader)
            std::printf("topiary: early stop at step %lld: no %s improvement in %lld evaluations\n",
                        static_cast<long long>(completed), selection_metric.c_str(),
                        static_cast<long long>(selection_config.patience));
          break;
        }
      }
    }
    // Every rank must take the same decision, so the signal flag is all-reduced each step.
    const bool preempted = preemption_requested(*comm);
    const bool stop_here = options.stop_at > 0 && completed == options.stop_at;
    if (completed < total_steps &&
        ((checkpoint_every > 0 && completed % checkpoint_every == 0) || preempted || stop_here)) {
      save_training_state(checkpoint_path(output_dir, completed), state, attributes_at(completed),
                          extra_state());
      if (leader) remove_old_checkpoints(output_dir, options.keep_last);
    }
    if (preempted) {
      if (leader)
        std::printf("topiary: preempted (SIGTERM): checkpoint at step %lld written; exiting\n",
                    static_cast<long long>(completed));
      return kExitPreempted;
    }
    if (stop_here) {
      if (leader)
        std::printf("topiary: stopped at step %lld as asked (--stop-at)\n",
                    static_cast<long long>(completed));
      return kExitOk;
    }
  }
  verify_masks_agree(masks, *comm);
  ++mask_verifications;
  if (options.write_rank_masks) {
    write_rank_masks(output_dir + "/masks.rank" + std::to_string(comm->rank()) + ".h5", masks);
  }
  if (start_step >= total_steps) last_eval = task->evaluate(*model, *comm);

  int64_t total_parameters = 0;
  for (const auto& [name, p] : parameters) total_parameters += p.numel();
  const int64_t pruned = masks.zero_elements();
  const std::string checkpoint = output_dir + "/final.h5";
  const int64_t final_step = stopped_early_at.value_or(total_steps);
  save_training_state(checkpoint, state, attributes_at(final_step), extra_state());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (leader) {
    nlohmann::json summary = {
        {"recipe", recipe.name},
        {"world_size", comm->world_size()},
        {"steps", final_step},
        {"planned_steps", total_steps},
        {"resumed_from_step", start_step},
        {"dense_accuracy", dense ? dense->accuracy : last_eval.accuracy},
        {"final_accuracy", last_eval.accuracy},
        {"final_loss", last_eval.loss},
        {"final", eval_fields(last_eval, language_model)},
        {"task", language_model ? "language_model" : "classification"},
        {"target_sparsity", masks.sparsity()},
        {"overall_sparsity", static_cast<double>(pruned) / static_cast<double>(total_parameters)},
        {"parameters_total", total_parameters},
        {"parameters_kept", total_parameters - pruned},
        {"wall_seconds", seconds},
        {"checkpoint", checkpoint},
        {"mask_verifications", mask_verifications},
        {"skipped_steps", skipped_steps},
        {"micro_batches_rank0", micro_batches_run},
        {"gradient_bytes_per_step", reducer.bytes_per_step()},
        {"dense_gradient_bytes_per_step", reducer.dense_bytes_per_step()}};
    if (stopped_early_at) summary["stopped_early_at"] = *stopped_early_at;
    summary["selection"] = {{"metric", selection_metric}, {"kept", nlohmann::json::array()}};
    for (const auto& e : selection.kept()) {
      summary["selection"]["kept"].push_back(
          {{"step", e.step},
           {"value", e.value},
           {"checkpoint", checkpoint_path(output_dir, e.step, "best")}});
    }
    if (!selection.kept().empty()) {
      summary["selected_checkpoint"] =
          checkpoint_path(output_dir, selection.kept()[0].step, "best");
      std::printf("topiary: selected checkpoint %s (%s %.4f at step %lld)\n",
                  checkpoint_path(output_dir, selection.kept()[0].step, "best").c_str(),
                  selection_metric.c_str(), selection.kept()[0].value,
                  static_cast<long long>(selection.kept()[0].step));
    }
    log.write_summary(summary);
    std::printf("topiary: done in %.1f s; %s %.4f at sparsity %.4f; checkpoint %s\n", seconds,
                language_model ? "valid loss" : "accuracy",
                language_model ? last_eval.loss : last_eval.accuracy, masks.sparsity(),
                checkpoint.c_str());
  }
  comm->barrier("end of training");
  return kExitOk;
}

}  // namespace topiary::train
