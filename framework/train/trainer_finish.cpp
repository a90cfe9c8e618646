// Trainer::finish: the last mask agreement check, final.h5, and summary.json with the
// selected checkpoint.
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "train/pruning_controller.h"
#include "train/trainer_job.h"

namespace topiary::train {
namespace {

// `--profile`: where rank 0's steps spent their time.
void print_step_phases(const StepPhases& phases, const torch::Device& device) {
  const double steps = static_cast<double>(std::max<int64_t>(1, phases.steps()));
  double total = 0;
  for (int p = 0; p < kStepPhaseCount; ++p) total += phases.seconds(static_cast<StepPhase>(p));
  std::printf("topiary: step profile, rank 0, %lld steps on %s%s\n",
              static_cast<long long>(phases.steps()), device.str().c_str(),
              device.is_cpu() ? "" : " (device synchronised at every phase)");
  std::printf("  %-10s %12s %7s\n", "phase", "ms/step", "share");
  for (int p = 0; p < kStepPhaseCount; ++p) {
    const auto phase = static_cast<StepPhase>(p);
    std::printf("  %-10s %12.3f %6.1f%%\n", step_phase_name(phase),
                1e3 * phases.seconds(phase) / steps,
                total > 0 ? 100 * phases.seconds(phase) / total : 0.0);
  }
  std::printf("  %-10s %12.3f\n", "total", 1e3 * total / steps);
}

}  // namespace

int Trainer::finish() {
  Job& j = *job_;
  verify_masks_agree(j.masks, j.comm);
  ++j.mask_verifications;
  if (j.options.write_rank_masks) {
    write_rank_masks(j.output_dir + "/masks.rank" + std::to_string(j.comm.rank()) + ".h5", j.masks);
  }
  if (j.start_step >= j.plan.total_steps) j.last_eval = j.task->evaluate(*j.model, j.comm);

  int64_t total_parameters = 0;
  for (const auto& [name, p] : j.parameters) total_parameters += p.numel();
  const int64_t pruned = j.masks.zero_elements();
  const std::string checkpoint = j.output_dir + "/final.h5";
  const int64_t final_step = j.stopped_early_at.value_or(j.plan.total_steps);
  j.save_checkpoint(checkpoint, final_step);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - j.started).count();
  if (j.leader) {
    const EvalResult& last = j.last_eval;
    nlohmann::json summary = {
        {"recipe", j.recipe.name},
        {"world_size", j.comm.world_size()},
        {"steps", final_step},
        {"planned_steps", j.plan.total_steps},
        {"resumed_from_step", j.start_step},
        // A run pruned before its first step (pruning at initialisation) never had a dense
        // evaluation; one that never pruned is its own dense reference.
        {"dense_accuracy", j.dense       ? nlohmann::json(j.dense->accuracy)
                           : pruned == 0 ? nlohmann::json(last.accuracy)
                                         : nlohmann::json(nullptr)},
        {"final_accuracy", last.accuracy},
        {"final_loss", last.loss},
        {"final", eval_fields(last, j.language_model)},
        {"task", j.language_model ? "language_model" : "classification"},
        {"target_sparsity", j.masks.sparsity()},
        {"overall_sparsity", static_cast<double>(pruned) / static_cast<double>(total_parameters)},
        {"parameters_total", total_parameters},
        {"parameters_kept", total_parameters - pruned},
        {"wall_seconds", seconds},
        {"checkpoint", checkpoint},
        {"mask_verifications", j.mask_verifications},
        {"skipped_steps", j.skipped_steps},
        {"micro_batches_rank0", j.micro_batches_run},
        {"gradient_bytes_per_step", j.reducer->bytes_per_step()},
        {"dense_gradient_bytes_per_step", j.reducer->dense_bytes_per_step()},
        {"step_seconds", j.phases.mean_per_step()}};
    if (j.stopped_early_at) summary["stopped_early_at"] = *j.stopped_early_at;
    const std::string metric(recipe::kSelectionMetrics.name(j.selection_metric));
    summary["selection"] = {{"metric", metric}, {"kept", nlohmann::json::array()}};
    for (const auto& e : j.selection->kept()) {
      summary["selection"]["kept"].push_back(
          {{"step", e.step},
           {"value", e.value},
           {"checkpoint", checkpoint_path(j.output_dir, e.step, "best")}});
    }
    if (!j.selection->kept().empty()) {
      const auto& best = j.selection->kept()[0];
      summary["selected_checkpoint"] = checkpoint_path(j.output_dir, best.step, "best");
      std::printf("topiary: selected checkpoint %s (%s %.4f at step %lld)\n",
                  checkpoint_path(j.output_dir, best.step, "best").c_str(), metric.c_str(),
                  best.value, static_cast<long long>(best.step));
    }
    j.log->write_summary(summary);
    if (j.options.profile) print_step_phases(j.phases, j.device);
    std::printf("topiary: done in %.1f s; %s %.4f at sparsity %.4f; checkpoint %s\n", seconds,
                j.language_model ? "valid loss" : "accuracy",
                j.language_model ? last.loss : last.accuracy, j.masks.sparsity(),
                checkpoint.c_str());
  }
  j.comm.barrier("end of training");
  return kExitOk;
}

}  // namespace topiary::train
