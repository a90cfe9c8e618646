// Trainer::evaluate_if_due: the periodic and level-end evaluations, the adaptive ramps that
// listen to them, and model selection (best checkpoints, early stopping).
#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "train/trainer_job.h"

namespace topiary::train {

bool Trainer::evaluate_if_due(int64_t completed) {
  Job& j = *job_;
  if (completed % j.eval_every != 0 && !j.level_ends.count(completed)) return false;
  const int64_t step = completed - 1;
  const double steps_per_epoch = static_cast<double>(j.plan.geometry.steps_per_epoch);
  const double train_loss =
      j.running_loss / static_cast<double>(std::max<int64_t>(1, j.running_count));
  j.last_eval = j.task->evaluate(*j.model, j.comm);
  const double sparsity = j.masks.sparsity();
  nlohmann::json entry = {{"event", "eval"},
                          {"step", completed},
                          {"epoch", static_cast<double>(completed) / steps_per_epoch},
                          {"train_loss", train_loss},
                          {"sparsity", sparsity},
                          {"lr", j.plan.lr_at(step)}};
  entry.update(eval_fields(j.last_eval, j.language_model));
  // Adaptive ramps pause or resume on this evaluation (Note [Adaptive ramp clock]).
  for (const auto& r :
       j.pruning->observe_evaluation(completed, j.last_eval.loss, j.last_eval.accuracy, j.comm)) {
    entry["adaptive"].push_back({{"ramp", r.ramp},
                                 {"event", prune::to_string(r.event)},
                                 {"value", r.value},
                                 {"reference", r.reference},
                                 {"delay", r.delay},
                                 {"paused", r.paused}});
    if (j.leader &&
        (r.event == prune::ClockEvent::kPaused || r.event == prune::ClockEvent::kResumed)) {
      std::printf("step %6lld  adaptive ramp %s: %s (%.4f vs best %.4f), %lld steps behind\n",
                  static_cast<long long>(completed), r.ramp.c_str(), prune::to_string(r.event),
                  r.value, r.reference, static_cast<long long>(r.delay));
    }
  }
  j.log->append(entry);
  if (j.leader) {
    std::printf(
        "step %6lld/%lld  epoch %5.2f  train loss %.4f  valid loss %.4f  %s %.4f  sparsity "
        "%.4f\n",
        static_cast<long long>(completed), static_cast<long long>(j.plan.total_steps),
        static_cast<double>(completed) / steps_per_epoch, train_loss, j.last_eval.loss,
        j.language_model ? "ppl" : "acc",
        j.language_model ? j.last_eval.perplexity : j.last_eval.accuracy, sparsity);
    std::fflush(stdout);
  }
  j.running_loss = 0;
  j.running_count = 0;

  const recipe::SelectionConfig& config = j.recipe.training.selection;
  if (config.at_final_sparsity && !j.pruning->at_final_sparsity(completed)) return false;
  const SelectionDecision decision =
      j.selection->observe(completed, metric_value(j.last_eval, j.selection_metric));
  if (decision.keep) j.save_checkpoint(checkpoint_path(j.output_dir, completed, "best"), completed);
  if (decision.drop_step && j.leader) {
    std::filesystem::remove(checkpoint_path(j.output_dir, *decision.drop_step, "best"));
  }
  if (!decision.stop || completed >= j.plan.total_steps) return false;
  j.stopped_early_at = completed;
  if (j.leader)
    std::printf("topiary: early stop at step %lld: no %s improvement in %lld evaluations\n",
                static_cast<long long>(completed),
                std::string(recipe::kSelectionMetrics.name(j.selection_metric)).c_str(),
                static_cast<long long>(config.patience));
  return true;
}

}  // namespace topiary::train
