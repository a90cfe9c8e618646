#include "train/task.h"

#include <torch/torch.h>

#include <algorithm>
#include <optional>
#include <random>
#include <span>

#include "core/error.h"
#include "data/augment_vocabulary.h"
#include "data/augmentation.h"
#include "train/batch.h"
#include "train/device_tensor.h"
#include "train/distillation.h"

namespace topiary::train {
namespace {

// A recipe modifier refused for this run, located at its line in the recipe.
UserError modifier_error(const recipe::SourceLocation& where, const char* kind,
                         const std::string& message) {
  return UserError(
      located(where.file, where.line, where.column, where.key.empty() ? kind : where.key, message));
}

// What both tasks share: each step's local rows are cut into micro-batches once (prepare), and
// each micro-batch's mean loss is weighted by its share of the step's rows, so that the
// accumulated gradient is the mean over the step whatever the cut.
class MicroBatchedTask : public Task {
 public:
  int64_t micro_batches(int64_t step) final {
    prepare(step);
    return static_cast<int64_t>(bounds_.size()) - 1;
  }

 protected:
  struct Part {
    int64_t begin, end, step_rows;
    int64_t rows() const { return end - begin; }
  };
  // Sets bounds_ for `step` (boundaries of the micro-batches in this rank's rows).
  virtual void prepare(int64_t step) = 0;
  Part part_of(int64_t step, int64_t part) {
    prepare(step);
    return {bounds_[static_cast<size_t>(part)], bounds_[static_cast<size_t>(part) + 1],
            bounds_.back()};
  }
  static torch::Tensor weighted(torch::Tensor loss, const Part& part) {
    if (part.rows() == part.step_rows) return loss;
    return loss * (static_cast<double>(part.rows()) / static_cast<double>(part.step_rows));
  }

  std::vector<int64_t> bounds_;
};

class ClassificationTask final : public MicroBatchedTask {
 public:
  ClassificationTask(const data::Dataset& dataset, const recipe::Recipe& recipe, int world_size,
                     int rank, int64_t min_length, torch::Device device)
      : device_(device),
        dataset_(dataset),
        max_length_(recipe.model.max_length),
        min_length_(min_length),
        accumulate_(recipe.training.accumulate),
        max_tokens_(recipe.training.max_tokens),
        seed_(recipe.seed),
        sampler_(dataset.train.size(), recipe.training.batch_size, world_size, rank, recipe.seed,
                 recipe.training.drop_last) {
    std::vector<int64_t> lengths(static_cast<size_t>(dataset.train.size()));
    for (size_t i = 0; i < lengths.size(); ++i) lengths[i] = clipped_length(dataset.train, i);
    const int64_t longest = std::max(
        min_length_, lengths.empty() ? 0 : *std::max_element(lengths.begin(), lengths.end()));
    if (max_tokens_ > 0 && longest > max_tokens_) {
      throw UserError("training.max_tokens " + std::to_string(max_tokens_) +
                      " is below the longest training example of " + recipe.data.path + " (" +
                      std::to_string(longest) + " tokens" +
                      (max_length_ > 0 ? " after model.max_length" : "") +
                      "): raise it, or truncate with model.max_length");
    }
    if (recipe.training.bucket_by_length > 0) {
      sampler_.set_length_buckets(std::move(lengths), recipe.training.bucket_by_length);
    }
  }

  void set_augmentation(const recipe::AugmentModifier* augment) override {
    prepared_step_ = -1;  // the step's texts depend on it
    augment_.reset();
    if (augment == nullptr) return;
    augment_ = data::AugmentOptions{augment->delete_probability, augment->swap_probability,
                                    augment->insert_probability, augment->mask_probability,
                                    augment->mask_span};
    if (!augment_vocabulary_) augment_vocabulary_ = data::augment_vocabulary(dataset_);
  }

  void set_distillation(models::Model* teacher, const recipe::DistillModifier* distill) override {
    teacher_ = teacher;
    distill_ = distill;
  }

  int64_t train_units() const override { return dataset_.train.size(); }
  double mean_tokens_per_unit() const override {
    const data::TokenizedSplit& split = dataset_.train;
    if (split.size() == 0) return 0;
    double total = 0;
    for (int64_t i = 0; i < split.size(); ++i) {
      const int64_t n = split.offsets[i + 1] - split.offsets[i];
      total += static_cast<double>(max_length_ > 0 ? std::min(n, max_length_) : n);
    }
    return total / static_cast<double>(split.size());
  }

  torch::Tensor micro_batch_loss(models::Model& model, int64_t step, int64_t part) override {
    std::optional<StepPhases::Scope> data_time, forward_time;
    time(data_time, StepPhase::kData);
    const Part range = part_of(step, part);
    std::vector<int64_t> rows(static_cast<size_t>(range.rows()));
    for (int64_t i = range.begin; i < range.end; ++i) {
      rows[static_cast<size_t>(i - range.begin)] =
          augmented_ ? i : examples_[static_cast<size_t>(i)];
    }
    PaddedBatch batch = make_batch(augmented_ ? *augmented_ : dataset_.train, rows,
                                   model.min_length(), max_length_);
    const torch::Tensor ids = ids_on(batch.ids, {batch.rows, batch.length}, device_);
    const torch::Tensor labels = ids_on(batch.labels, {batch.rows}, device_);
    data_time.reset();
    time(forward_time, StepPhase::kForward);
    if (teacher_ == nullptr) {
      const torch::Tensor logits = model.forward(ids).to(torch::kFloat32);
      return weighted(torch::nn::functional::cross_entropy(logits, labels), range);
    }
    const bool layer_wise = distill_->hidden > 0;
    std::vector<torch::Tensor> hidden, teacher_hidden;
    const torch::Tensor logits =
        (layer_wise ? model.forward_with_hidden(ids, hidden) : model.forward(ids))
            .to(torch::kFloat32);
    torch::Tensor teacher_logits;
    {
      torch::NoGradGuard no_grad;
      teacher_logits =
          (layer_wise ? teacher_->forward_with_hidden(ids, teacher_hidden) : teacher_->forward(ids))
              .to(torch::kFloat32);
    }
    torch::Tensor loss =
        distillation_loss(logits, teacher_logits, labels, distill_->temperature, distill_->alpha);
    if (layer_wise) {
      if (const auto mismatch = hidden_state_mismatch(hidden, teacher_hidden)) {
        throw modifier_error(distill_->where, "distill",
                             "hidden needs a student and a teacher with hidden states of the "
                             "same shapes (model.type bert): " +
                                 *mismatch);
      }
      loss = loss + distill_->hidden * hidden_state_loss(hidden, teacher_hidden, ids);
    }
    return weighted(loss, range);
  }

  EvalResult evaluate(models::Model& model, comm::Communicator& comm) override {
    return evaluate_classifier(model, dataset_.valid,
                               static_cast<int64_t>(dataset_.label_names.size()), max_length_,
                               comm);
  }
  recipe::Metric default_metric() const override { return recipe::Metric::kAccuracy; }

 private:
  // The examples as this step's augmentation changes them: keyed by (seed, step, example index),
  // so every rank and every resume sees the same text.
  data::TokenizedSplit augmented(const std::vector<int64_t>& examples, int64_t step) const {
    data::TokenizedSplit split;
    split.offsets.push_back(0);
    const data::TokenizedSplit& train = dataset_.train;
    for (const int64_t e : examples) {
      const std::span<const int32_t> tokens(
          train.tokens.data() + train.offsets[e],
          static_cast<size_t>(train.offsets[e + 1] - train.offsets[e]));
      const std::vector<int32_t> ids =
          data::augment_tokens(tokens, *augment_, seed_, step, e, *augment_vocabulary_);
      split.tokens.insert(split.tokens.end(), ids.begin(), ids.end());
      split.offsets.push_back(static_cast<int64_t>(split.tokens.size()));
      split.labels.push_back(train.labels[static_cast<size_t>(e)]);
    }
    return split;
  }
  int64_t clipped_length(const data::TokenizedSplit& split, size_t i) const {
    const int64_t n = split.offsets[i + 1] - split.offsets[i];
    return max_length_ > 0 ? std::min(n, max_length_) : n;
  }
  // This rank's examples of `step` (augmented when an augmentation is on) and their
  // micro-batch boundaries, computed once per step.
  void prepare(int64_t step) override {
    if (step == prepared_step_) return;
    examples_ = sampler_.local_indices(step);
    augmented_.reset();
    if (augment_) augmented_ = augmented(examples_, step);
    std::vector<int64_t> lengths(examples_.size());
    for (size_t i = 0; i < lengths.size(); ++i) {
      lengths[i] = augmented_ ? clipped_length(*augmented_, i)
                              : clipped_length(dataset_.train, static_cast<size_t>(examples_[i]));
    }
    bounds_ = micro_batch_bounds(lengths, accumulate_, max_tokens_, min_length_);
    prepared_step_ = step;
  }

  torch::Device device_;
  const data::Dataset& dataset_;
  int64_t max_length_;
  int64_t min_length_;
  int64_t accumulate_;
  int64_t max_tokens_;
  uint64_t seed_;
  EpochSampler sampler_;
  std::optional<data::AugmentOptions> augment_;
  std::optional<data::AugmentVocabulary> augment_vocabulary_;  // built at the first augmentation
  models::Model* teacher_ = nullptr;  // the distill modifier's, while it runs
  const recipe::DistillModifier* distill_ = nullptr;
  int64_t prepared_step_ = -1;
  std::vector<int64_t> examples_;
  std::optional<data::TokenizedSplit> augmented_;
};

class LanguageModelTask final : public MicroBatchedTask {
 public:
  LanguageModelTask(const data::Dataset& dataset, const recipe::Recipe& recipe, int world_size,
                    int rank, torch::Device device)
      : device_(device),
        context_(recipe.model.max_positions),
        accumulate_(recipe.training.accumulate),
        max_tokens_(recipe.training.max_tokens),
        seed_(recipe.seed),
        train_(token_stream(dataset.train)),
        valid_(token_stream(dataset.valid)),
        // Blocks per epoch such that every shift in [0, context) keeps the last block inside.
        blocks_((static_cast<int64_t>(train_.size()) - context_) / context_),
        sampler_(checked_blocks(blocks_, dataset, recipe), recipe.training.batch_size, world_size,
                 rank, recipe.seed, recipe.training.drop_last) {
    if (max_tokens_ > 0 && max_tokens_ < context_) {
      throw UserError("training.max_tokens " + std::to_string(max_tokens_) +
                      " is below one block of model.max_positions (" + std::to_string(context_) +
                      ") tokens");
    }
  }

  int64_t train_units() const override { return blocks_; }
  double mean_tokens_per_unit() const override { return static_cast<double>(context_); }

  torch::Tensor micro_batch_loss(models::Model& model, int64_t step, int64_t part) override {
    std::optional<StepPhases::Scope> data_time, forward_time;
    time(data_time, StepPhase::kData);
    const Part range = part_of(step, part);
    const int64_t shift = epoch_shift(step / sampler_.steps_per_epoch());
    std::vector<int64_t> inputs, targets;
    for (int64_t i = range.begin; i < range.end; ++i) {
      const auto first = train_.begin() + shift + local_[static_cast<size_t>(i)] * context_;
      inputs.insert(inputs.end(), first, first + context_);
      targets.insert(targets.end(), first + 1, first + context_ + 1);
    }
    const int64_t rows = range.rows();
    const torch::Tensor x = ids_on(inputs, {rows, context_}, device_);
    const torch::Tensor y = ids_on(targets, {rows * context_}, device_);
    data_time.reset();
    time(forward_time, StepPhase::kForward);
    torch::Tensor logits = model.forward(x).to(torch::kFloat32).reshape({rows * context_, -1});
    return weighted(torch::nn::functional::cross_entropy(logits, y), range);
  }

  EvalResult evaluate(models::Model& model, comm::Communicator& comm) override {
    return evaluate_language_model(model, valid_, context_, comm);
  }
  recipe::Metric default_metric() const override { return recipe::Metric::kLoss; }

 private:
  static int64_t checked_blocks(int64_t blocks, const data::Dataset& dataset,
                                const recipe::Recipe& recipe) {
    if (blocks < 1 || dataset.valid.size() == 0) {
      throw UserError(recipe.data.path + ": language-model splits too small for blocks of " +
                      std::to_string(recipe.model.max_positions) +
                      " tokens (model.max_positions); train needs more than twice that, and "
                      "valid at least one document");
    }
    return blocks;
  }
  // Same on every rank: a function of (seed, epoch) only.
  int64_t epoch_shift(int64_t epoch) const {
    if (epoch == 0) return 0;
    std::mt19937_64 engine(seed_ * 0xD1B54A32D192ED03ull + static_cast<uint64_t>(epoch));
    return static_cast<int64_t>(engine() % static_cast<uint64_t>(context_));
  }

  void prepare(int64_t step) override {
    if (step == prepared_step_) return;
    local_ = sampler_.local_indices(step);
    bounds_ = micro_batch_bounds(std::vector<int64_t>(local_.size(), context_), accumulate_,
                                 max_tokens_, context_);
    prepared_step_ = step;
  }

  torch::Device device_;
  int64_t context_;
  int64_t accumulate_;
  int64_t max_tokens_;
  uint64_t seed_;
  std::vector<int64_t> train_, valid_;
  int64_t blocks_;
  EpochSampler sampler_;
  int64_t prepared_step_ = -1;
  std::vector<int64_t> local_;
};

}  // namespace

std::unique_ptr<Task> make_task(const data::Dataset& dataset, const recipe::Recipe& recipe,
                                const models::Model& model, int world_size, int rank,
                                torch::Device device) {
  const bool lm_data = dataset.kind == data::kLanguageModelKind;
  if (lm_data != model.is_language_model()) {
    throw UserError(recipe.data.path + ": a " + (lm_data ? "language-model" : "classification") +
                    " dataset, but model.type '" +
                    std::string(kModelTypes.name(recipe.model.type)) + "' is " +
                    (model.is_language_model() ? "a language model (use a classifier: textcnn, "
                                                 "bilstm, bigru, transformer)"
                                               : "a classifier (use model.type: gpt)"));
  }
  for (const recipe::Stage& stage : recipe.stages) {
    if (stage.distill && stage.distill->hidden > 0 && recipe.model.type != ModelType::kBert) {
      throw modifier_error(stage.distill->where, "distill",
                           "hidden (layer-wise distillation) needs model.type bert, whose layers "
                           "it matches one to one; this recipe's is '" +
                               std::string(kModelTypes.name(recipe.model.type)) + "'");
    }
  }
  if (lm_data) {
    if (recipe.training.bucket_by_length > 0) {
      throw UserError("training.bucket_by_length applies to classification data; " +
                      recipe.data.path +
                      " is a language-model dataset (its blocks all have "
                      "model.max_positions tokens)");
    }
    for (const recipe::Stage& stage : recipe.stages) {
      if (stage.augment) {
        throw modifier_error(stage.augment->where, "augment",
                             "augmentation applies to classification data; " + recipe.data.path +
                                 " is a language-model dataset");
      }
      if (stage.distill) {
        throw modifier_error(stage.distill->where, "distill",
                             "distillation applies to classification data; " + recipe.data.path +
                                 " is a language-model dataset");
      }
    }
    return std::make_unique<LanguageModelTask>(dataset, recipe, world_size, rank, device);
  }
  if (dataset.train.labels.empty() || dataset.label_names.size() < 2) {
    throw UserError(recipe.data.path + ": not a classification dataset (needs labels)");
  }
  return std::make_unique<ClassificationTask>(dataset, recipe, world_size, rank, model.min_length(),
                                              device);
}

}  // namespace topiary::train
