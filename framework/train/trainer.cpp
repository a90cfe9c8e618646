#include "train/trainer.h"

#include <ATen/CPUGeneratorImpl.h>
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
#include "models/classifier.h"
#include "recipe/recipe.h"
#include "train/batch.h"
#include "train/evaluate.h"
#include "train/gradient_reducer.h"
#include "train/metrics_log.h"
#include "train/optimizer.h"
#include "train/preemption.h"
#include "train/pruning_controller.h"
#include "train/sampler.h"
#include "train/snapshots.h"
#include "train/startup_checks.h"
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

models::ClassifierSpec classifier_spec(const recipe::ModelConfig& model,
                                       const data::Dataset& data) {
  models::ClassifierSpec spec;
  spec.type = model.type;
  spec.vocab_size = static_cast<int64_t>(data.vocabulary.size());
  spec.num_classes = static_cast<int64_t>(data.label_names.size());
  spec.embedding_dim = model.embedding_dim;
  spec.filters = model.filters;
  spec.widths = model.widths;
  spec.dropout = model.dropout;
  spec.hidden = model.hidden;
  spec.layers = model.layers;
  spec.heads = model.heads;
  spec.ffn = model.ffn;
  spec.max_positions = model.max_positions;
  return spec;
}

double mean_tokens(const data::TokenizedSplit& split, int64_t max_length) {
  if (split.size() == 0) return 0;
  double total = 0;
  for (int64_t i = 0; i < split.size(); ++i) {
    int64_t n = split.offsets[i + 1] - split.offsets[i];
    total += static_cast<double>(max_length > 0 ? std::min(n, max_length) : n);
  }
  return total / static_cast<double>(split.size());
}

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
    if (p.grad().defined() && !torch::isfinite(p.grad()).all().item<bool>()) {
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
  auto fresh = models::make_classifier(classifier_spec(recipe.model, dataset));
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
        if (dataset.train.labels.empty() || dataset.label_names.size() < 2) {
          throw UserError(recipe.data.path + ": not a classification dataset (needs labels)");
        }
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
  std::shared_ptr<models::Classifier> model;
  NamedParameters parameters;
  std::vector<std::string> names;
  if (!agree(*comm, [&] {
        model = models::make_classifier(classifier_spec(recipe.model, dataset));
        parameters = named_parameters(*model);
        for (const auto& [name, p] : parameters) names.push_back(name);
        recipe::validate_targets(recipe, names);
      })) {
    return kExitUserError;
  }
  verify_same_job(*comm, parameters, recipe.effective_yaml);
  broadcast_parameters(*comm, parameters);

  EpochSampler sampler(dataset.train.size(), recipe.training.batch_size, comm->world_size(),
                       comm->rank(), recipe.seed);
  recipe::Plan plan;
  std::optional<PruningController> pruning;
  int64_t eval_every = 0;
  if (!agree(*comm, [&] {
        recipe::PlanOptions plan_options;
        plan_options.train_examples = dataset.train.size();
        plan_options.mean_tokens_per_example = mean_tokens(dataset.train, recipe.model.max_length);
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

  MaskSet masks;
  pruning->register_masks(masks, parameters);
  std::vector<torch::Tensor> tensors;
  for (const auto& [name, p] : parameters) tensors.push_back(p);
  auto optimizer = make_optimizer(recipe.training, tensors);
  if (!options.init_from.empty() &&
      !agree(*comm, [&] { load_weights_and_masks(options.init_from, parameters, masks); })) {
    return kExitUserError;
  }
  GradientReducer reducer(parameters, *comm);
  reducer.set_masks(masks);  // mask-aware: only unpruned entries travel (no index is sent)
  // Dropout differs per rank (different examples), but is reproducible per (seed, rank).
  torch::manual_seed(recipe.seed * 1000003ull + static_cast<uint64_t>(comm->rank()) + 1);
  const StateRefs state{parameters, masks, *optimizer, *comm};
  SnapshotStore snapshots;
  auto extra_state = [&] {
    auto blobs = pruning->export_state();
    blobs.merge(snapshots.export_state());
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
          reducer.masks_changed();
          if (attributes["recipe"] != recipe.effective_yaml) {
            throw UserError(path +
                            ": checkpoint was written by a different effective recipe; "
                            "resume with the same recipe and --set overrides");
          }
          start_step = std::stoll(attributes["step"]);
          mask_verifications = std::stoll(attributes["mask_verifications"]);
          if (!attributes["dense_accuracy"].empty()) {
            dense = EvalResult{std::stod(attributes["dense_loss"]),
                               std::stod(attributes["dense_accuracy"]), 0};
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

  print_rank_hosts(*comm);
  if (leader) {
    std::printf(
        "topiary: %s on %d rank(s) [%s]: %lld examples, %lld steps/epoch, %lld steps, "
        "global batch %lld\n",
        recipe.name.c_str(), comm->world_size(), comm->name().c_str(),
        static_cast<long long>(dataset.train.size()),
        static_cast<long long>(geometry.steps_per_epoch), static_cast<long long>(total_steps),
        static_cast<long long>(recipe.training.batch_size));
  }
  EvalResult last_eval;
  const FaultInjection faults = fault_injection_from_environment();
  int64_t skipped_steps = 0;
  double running_loss = 0;
  int64_t running_count = 0;
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
    PaddedBatch batch = make_batch(dataset.train, sampler.local_indices(step), model->min_length(),
                                   recipe.model.max_length);
    torch::Tensor ids =
        torch::from_blob(batch.ids.data(), {batch.rows, batch.length}, torch::kInt64);
    torch::Tensor labels = torch::from_blob(batch.labels.data(), {batch.rows}, torch::kInt64);
    optimizer->zero_grad();
    torch::Tensor loss = torch::nn::functional::cross_entropy(model->forward(ids), labels);
    const int64_t completed = step + 1;
    if (faults.nan_loss_at == completed && comm->rank() == comm->world_size() - 1) {
      loss = loss * std::numeric_limits<float>::quiet_NaN();
    }
    loss.backward();
    // Gradient scorers need the dense all-reduced gradient (Note [Dense gradients for gradient
    // scores]); masking after the reduce is then exactly equivalent for the optimizer.
    const bool dense_gradients = pruning->wants_gradients(completed);
    if (!dense_gradients) masks.apply_to_grads(parameters);
    reducer.reduce(/*all_dense=*/dense_gradients);
    const double loss_value = loss.item<double>();
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
      dense = evaluate(*model, dataset.valid, recipe.model.max_length, *comm);
      log.append({{"event", "dense_eval"},
                  {"step", completed},
                  {"accuracy", dense->accuracy},
                  {"loss", dense->loss}});
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
      last_eval = evaluate(*model, dataset.valid, recipe.model.max_length, *comm);
      const double sparsity = masks.sparsity();
      log.append({{"event", "eval"},
                  {"step", completed},
                  {"epoch",
                   static_cast<double>(completed) / static_cast<double>(geometry.steps_per_epoch)},
                  {"train_loss", running_loss / std::max<int64_t>(1, running_count)},
                  {"loss", last_eval.loss},
                  {"accuracy", last_eval.accuracy},
                  {"sparsity", sparsity},
                  {"lr", plan.lr_at(step)}});
      if (leader) {
        std::printf(
            "step %6lld/%lld  epoch %5.2f  train loss %.4f  valid loss %.4f  acc %.4f  sparsity "
            "%.4f\n",
            static_cast<long long>(completed), static_cast<long long>(total_steps),
            static_cast<double>(completed) / static_cast<double>(geometry.steps_per_epoch),
            running_loss / std::max<int64_t>(1, running_count), last_eval.loss, last_eval.accuracy,
            sparsity);
        std::fflush(stdout);
      }
      running_loss = 0;
      running_count = 0;
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
  if (start_step >= total_steps) {
    last_eval = evaluate(*model, dataset.valid, recipe.model.max_length, *comm);
  }

  int64_t total_parameters = 0;
  for (const auto& [name, p] : parameters) total_parameters += p.numel();
  const int64_t pruned = masks.zero_elements();
  const std::string checkpoint = output_dir + "/final.h5";
  save_training_state(checkpoint, state, attributes_at(total_steps), extra_state());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (leader) {
    nlohmann::json summary = {
        {"recipe", recipe.name},
        {"world_size", comm->world_size()},
        {"steps", total_steps},
        {"resumed_from_step", start_step},
        {"dense_accuracy", dense ? dense->accuracy : last_eval.accuracy},
        {"final_accuracy", last_eval.accuracy},
        {"final_loss", last_eval.loss},
        {"target_sparsity", masks.sparsity()},
        {"overall_sparsity", static_cast<double>(pruned) / static_cast<double>(total_parameters)},
        {"parameters_total", total_parameters},
        {"parameters_kept", total_parameters - pruned},
        {"wall_seconds", seconds},
        {"checkpoint", checkpoint},
        {"mask_verifications", mask_verifications},
        {"skipped_steps", skipped_steps},
        {"gradient_bytes_per_step", reducer.bytes_per_step()},
        {"dense_gradient_bytes_per_step", reducer.dense_bytes_per_step()}};
    log.write_summary(summary);
    std::printf("topiary: done in %.1f s; accuracy %.4f at sparsity %.4f; checkpoint %s\n", seconds,
                last_eval.accuracy, masks.sparsity(), checkpoint.c_str());
  }
  comm->barrier("end of training");
  return kExitOk;
}

}  // namespace topiary::train
