// Trainer::set_up: recipe, data, model, plan, masks, optimizer, gradient exchange and resume,
// each phase agreed on by every rank before the next one starts.
#include <c10/core/impl/VirtualGuardImpl.h>
#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "hf/pretrained.h"
#include "train/cuda_backend.h"
#include "train/device_choice.h"
#include "train/model_spec.h"
#include "train/open_checkpoint.h"
#include "train/optimizer.h"
#include "train/preemption.h"
#include "train/startup_checks.h"
#include "train/trainer_job.h"

namespace topiary::train {

namespace {

// Each rank's share of the global batch runs as `accumulate` micro-batches of at least one
// example each.
void check_accumulation_fits(const recipe::TrainingConfig& training, int world_size) {
  const int64_t local_batch = training.batch_size / world_size;
  if (training.accumulate > local_batch) {
    throw UserError("training.accumulate " + std::to_string(training.accumulate) +
                    " is more than the batch each rank gets (" + std::to_string(local_batch) + ")");
  }
}

std::vector<std::string> parameter_names(const NamedParameters& parameters) {
  std::vector<std::string> names;
  for (const auto& [name, p] : parameters) names.push_back(name);
  return names;
}

// Every rank reads the same file; the broadcast after set-up makes the copies identical anyway.
void load_pretrained_encoder(const std::string& from, const NamedParameters& parameters,
                             bool leader) {
  const hf::PretrainedModel pretrained = hf::load_pretrained(from);
  const std::vector<std::string> fresh = hf::copy_pretrained_weights(pretrained, parameters);
  if (!leader) return;
  std::string fresh_names;
  for (const std::string& name : fresh) fresh_names += (fresh_names.empty() ? "" : ", ") + name;
  std::printf("topiary: pretrained %s: %zu tensors loaded; new: %s\n", pretrained.source.c_str(),
              parameters.size() - fresh.size(), fresh_names.c_str());
}

// A distill modifier's teacher: its checkpoint's model (weights and masks) read against this
// run's dataset, so vocabulary and labels must match; frozen, in eval mode, on the device.
std::shared_ptr<models::Model> load_teacher(const std::string& path, const std::string& data,
                                            const torch::Device& device) {
  OpenOptions options;
  options.data = data;
  OpenedCheckpoint teacher = open_checkpoint(path, options);
  teacher.model->eval();
  for (torch::Tensor& parameter : teacher.model->parameters()) parameter.set_requires_grad(false);
  teacher.model->to(device);
  return teacher.model;
}

// Every distill modifier's teacher, once per checkpoint path.
std::map<std::string, std::shared_ptr<models::Model>> load_teachers(const recipe::Recipe& recipe,
                                                                    const torch::Device& device,
                                                                    bool leader) {
  std::map<std::string, std::shared_ptr<models::Model>> teachers;
  for (const recipe::Stage& stage : recipe.stages) {
    if (!stage.distill || teachers.count(stage.distill->teacher)) continue;
    teachers[stage.distill->teacher] =
        load_teacher(stage.distill->teacher, recipe.data.path, device);
    if (leader) {
      std::printf("topiary: distilling from teacher %s in stage %s\n",
                  stage.distill->teacher.c_str(), stage.name.c_str());
    }
  }
  return teachers;
}

recipe::PlanOptions plan_options_for(const Task& task, int world_size) {
  recipe::PlanOptions options;
  options.train_examples = task.train_units();
  options.mean_tokens_per_example = task.mean_tokens_per_unit();
  options.world_size = world_size;
  return options;
}

// Steps between evaluations: training.eval_every, or one epoch.
int64_t eval_interval(const recipe::TrainingConfig& training, const recipe::Plan& plan) {
  return training.eval_every ? std::max<int64_t>(1, training.eval_every->to_steps(plan.geometry))
                             : plan.geometry.steps_per_epoch;
}

// The plan's snapshots, level ends and rewinds, indexed by the step at which the loop meets them.
void index_step_boundaries(const recipe::Recipe& recipe, const recipe::Plan& plan,
                           std::map<int64_t, std::vector<std::string>>* snapshots_at,
                           std::set<int64_t>* level_ends,
                           std::map<int64_t, std::pair<std::string, bool>>* rewinds_at) {
  for (size_t s = 0; s < plan.stages.size(); ++s) {
    for (const auto& snapshot : plan.stages[s].snapshots)
      (*snapshots_at)[snapshot.step].push_back(snapshot.name);
    for (const auto& level : plan.stages[s].levels) {
      level_ends->insert(level.end);
      if (level.rewind)
        (*rewinds_at)[level.begin] = {recipe.stages[s].rewind->to, recipe.stages[s].rewind->reinit};
    }
  }
}

// The selection metric must be one that the model's evaluation reports.
void check_selection_metric(const recipe::Recipe& recipe, recipe::Metric metric,
                            bool language_model) {
  const bool fits =
      language_model ? metric != recipe::Metric::kMacroF1 : metric != recipe::Metric::kPerplexity;
  if (!fits) {
    throw UserError(recipe.source_file + ": training.selection.metric '" +
                    std::string(recipe::kSelectionMetrics.name(metric)) + "' does not apply to " +
                    (language_model ? "a language model (use loss, perplexity or accuracy)"
                                    : "a classifier (use accuracy, macro_f1 or loss)"));
  }
}

ReducerOptions reducer_options_for(const recipe::TrainingConfig& training,
                                   const models::Model& model) {
  ReducerOptions options;
  options.row_sparse = model.lookup_tables();  // Note [Row-sparse exchange]
  options.overlap = training.overlap;          // Note [Overlapped exchange]
  switch (training.comm_dtype) {               // Note [Compressed exchange]
    case recipe::CommDtype::kFp32:
      options.wire = comm::DataType::kFloat32;
      break;
    case recipe::CommDtype::kBf16:
      options.wire = comm::DataType::kBFloat16;
      break;
    case recipe::CommDtype::kFp16:
      options.wire = comm::DataType::kFloat16;
      break;
  }
  return options;
}

// Steps between periodic checkpoints (--checkpoint-every); 0: none.
int64_t checkpoint_interval(const std::string& every, const recipe::Plan& plan) {
  if (every.empty()) return 0;
  return std::max<int64_t>(1, TimeSpec::parse(every).to_steps(plan.geometry));
}

// The leader's one-line summary of the job before the first step.
void print_job_line(const recipe::Recipe& recipe, const comm::Communicator& host,
                    const comm::Communicator& tensors, const torch::Device& device,
                    const Task& task, bool language_model, const recipe::Plan& plan) {
  std::printf(
      "topiary: %s on %d rank(s) [%s, tensors: %s] on %s: %lld %s, %lld steps/epoch, "
      "%lld steps, global batch %lld\n",
      recipe.name.c_str(), host.world_size(), host.name().c_str(), tensors.name().c_str(),
      device.is_cpu() ? "CPU" : "CUDA", static_cast<long long>(task.train_units()),
      language_model ? "blocks" : "examples", static_cast<long long>(plan.geometry.steps_per_epoch),
      static_cast<long long>(plan.total_steps), static_cast<long long>(recipe.training.batch_size));
}

}  // namespace

int Trainer::set_up() {
  Job& j = *job_;
  if (!agree(j.comm, [&] {
        j.recipe = recipe::load_recipe(j.options.recipe_path, j.options.overrides);
        if (j.options.dump_config) return;
        j.dataset = data::read_dataset(j.recipe.data.path);
        j.output_dir =
            j.options.output_dir.empty() ? "runs/" + j.recipe.name : j.options.output_dir;
        if (j.leader) std::filesystem::create_directories(j.output_dir);
      })) {
    return kExitUserError;
  }
  if (j.options.dump_config) {
    if (j.leader) std::printf("%s", j.recipe.effective_yaml.c_str());
    return kExitOk;
  }

  // Before any seeding: the CUDA library, when a device is used, must be loaded first.
  if (!j.choose_device()) return kExitUserError;
  if (!agree(j.comm, [&] {
        j.transport =
            j.placement.tensors != nullptr
                ? TensorTransport{j.placement.tensors, nullptr}
                : make_tensor_transport(j.recipe.training.comm, j.device, j.comm, j.local_rank);
      })) {
    return kExitUserError;
  }
  torch::set_num_threads(static_cast<int>(j.recipe.training.threads));
  torch::manual_seed(j.recipe.seed);
  if (!agree(j.comm, [&] {
        j.model = models::make_model(model_spec(j.recipe.model, j.dataset));
        j.parameters = named_parameters(*j.model);
        if (j.recipe.model.type == ModelType::kBert) {
          load_pretrained_encoder(j.recipe.model.from, j.parameters, j.leader);
        }
        recipe::validate_targets(j.recipe, parameter_names(j.parameters));
        j.task =
            make_task(j.dataset, j.recipe, *j.model, j.comm.world_size(), j.comm.rank(), j.device);
        check_accumulation_fits(j.recipe.training, j.comm.world_size());
      })) {
    return kExitUserError;
  }
  j.language_model = j.model->is_language_model();
  verify_same_job(j.comm, j.parameters, j.recipe.effective_yaml);
  broadcast_parameters(j.comm, j.parameters);
  // Initialised and agreed on the CPU (the same weights whatever the device), then moved.
  j.model->to(j.device);
  j.parameters = named_parameters(*j.model);
  if (!agree(j.comm, [&] { j.teachers = load_teachers(j.recipe, j.device, j.leader); })) {
    return kExitUserError;
  }

  if (!agree(j.comm, [&] {
        j.plan = recipe::plan_recipe(j.recipe, plan_options_for(*j.task, j.comm.world_size()));
        j.pruning.emplace(j.recipe, j.plan, j.parameters, j.recipe.seed);
        j.eval_every = eval_interval(j.recipe.training, j.plan);
      })) {
    return kExitUserError;
  }
  index_step_boundaries(j.recipe, j.plan, &j.snapshots_at, &j.level_ends, &j.rewinds_at);

  const recipe::SelectionConfig& selection_config = j.recipe.training.selection;
  j.selection_metric = selection_config.metric == recipe::Metric::kAuto ? j.task->default_metric()
                                                                        : selection_config.metric;
  if (!agree(j.comm,
             [&] { check_selection_metric(j.recipe, j.selection_metric, j.language_model); })) {
    return kExitUserError;
  }
  // With at_final_sparsity, evaluations before the last mask update do not compete (an
  // adaptive ramp may end later than planned: PruningController::at_final_sparsity).
  j.selection.emplace(metric_higher_is_better(j.selection_metric), selection_config.keep_best,
                      selection_config.patience, selection_config.min_delta);

  j.pruning->register_masks(j.masks, j.parameters);
  for (const auto& [name, p] : j.parameters) j.tensors.push_back(p);
  j.optimizer = make_optimizer(j.recipe.training, j.parameters);
  if (!j.options.init_from.empty()) {
    if (!agree(j.comm,
               [&] { load_weights_and_masks(j.options.init_from, j.parameters, j.masks); })) {
      return kExitUserError;
    }
    // Otherwise the log's last word on where the weights came from is the pretrained load.
    if (j.leader) {
      std::printf("topiary: weights and masks from %s; optimizer state and step start fresh\n",
                  j.options.init_from.c_str());
    }
  }
  j.reducer.emplace(j.parameters, *j.transport.comm,
                    reducer_options_for(j.recipe.training, *j.model));
  j.reducer->set_masks(j.masks);  // mask-aware: only unpruned entries travel (no index is sent)
  // Dropout differs per rank (different examples), but is reproducible per (seed, rank).
  torch::manual_seed(j.recipe.seed * 1000003ull + static_cast<uint64_t>(j.comm.rank()) + 1);

  if (!agree(j.comm, [&] {
        j.checkpoint_every = checkpoint_interval(j.options.checkpoint_every, j.plan);
        if (!j.options.resume.empty()) j.resume();
      })) {
    return kExitUserError;
  }
  j.log.emplace(j.leader ? j.output_dir : "", /*append=*/j.start_step > 0);
  install_preemption_handler();
  j.faults = fault_injection_from_environment();
  j.bf16 = j.recipe.training.precision == recipe::Precision::kBf16;

  // Updates planned at step 0 (e.g. a oneshot prune at `start: 0it`) happen before the first
  // step; every later update runs after the optimizer step it follows.
  if (j.start_step == 0 && j.pruning->on_step(0, j.parameters, j.masks, *j.optimizer, j.comm)) {
    ++j.mask_verifications;
    j.reducer->masks_changed();
  }
  print_rank_hosts(j.comm, j.device);
  if (j.leader) {
    print_job_line(j.recipe, j.comm, *j.transport.comm, j.device, *j.task, j.language_model,
                   j.plan);
  }
  j.phases.configure(j.device, j.options.profile);
  j.task->set_phases(&j.phases);
  j.model->train();
  return kExitOk;
}

bool Trainer::Job::choose_device() {
  if (!agree(comm, [&] {
        const LocalRank local = resolve_local_rank(placement.local_rank, std::getenv);
        const CudaDevices cuda =
            recipe.training.device == recipe::Device::kCpu ? CudaDevices{} : probe_cuda_devices();
        device = train::choose_device(recipe.training.device, local, cuda);
        local_rank = local.index;
      })) {
    return false;
  }
  // NCCL start-up and the collectives that follow differ by device kind: all ranks must match.
  int32_t on_cuda[2] = {device.is_cuda() ? 1 : 0, device.is_cuda() ? 1 : 0};
  comm.all_reduce(&on_cuda[0], 1, comm::DataType::kInt32, comm::ReduceOp::kMin, "device kind");
  comm.all_reduce(&on_cuda[1], 1, comm::DataType::kInt32, comm::ReduceOp::kMax, "device kind");
  if (on_cuda[0] != on_cuda[1]) {
    if (leader) {
      std::fprintf(stderr,
                   "topiary: error: training.device %s: some ranks see a CUDA device and some "
                   "do not; set training.device=cpu, or give every rank a GPU\n",
                   std::string(recipe::kDevices.name(recipe.training.device)).c_str());
    }
    return false;
  }
  if (device.is_cuda()) c10::impl::VirtualGuardImpl(device.type()).setDevice(device);
  return true;
}

void Trainer::Job::resume() {
  const std::string path = resolve_resume_path(options.resume);
  std::map<std::string, std::vector<uint8_t>> extra;
  auto attributes = restore_training_state(path, state(), &extra);
  pruning->import_state(extra);
  snapshots.import_state(extra, parameters);
  selection->import_state(extra);
  reducer->masks_changed();
  if (attributes["recipe"] != recipe.checkpoint_yaml) {
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

}  // namespace topiary::train
