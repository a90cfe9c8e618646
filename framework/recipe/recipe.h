#pragma once
// The typed recipe: what to train, on what data, and how to prune it over time.
// Layers: built-in defaults (the member initialisers below) -> recipe file -> `--set` overrides,
// merged into one struct and validated as it is built. Every user mistake is a UserError that
// names file:line:col, the dotted key path and what would be valid; see docs/recipes.md for
// every key.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/time_spec.h"
#include "recipe/choices.h"

namespace topiary::recipe {

// Where a value came from. `file` is the recipe file, or "--set 'k=v'" for an override;
// line and column are 1-based, 0 when unknown. `key` is the dotted path ("stages.1.until").
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;
  std::string key;
  // "file:line:col" (parts that are unknown are left out).
  std::string to_string() const;
};

// `overrides: [{targets: [...], final_sparsity: x}]` inside a prune modifier: the parameters of
// the modifier that match `targets` ramp to their own final sparsity (same start, end, schedule).
// Under scope global, overridden parameters are selected on their own (layer-wise at their
// sparsity); the rest share the global threshold.
struct SparsityOverride {
  std::vector<std::string> targets;           // patterns; each must match a modifier parameter
  std::vector<SourceLocation> targets_where;  // one per entry of `targets`
  double final_sparsity = 0.0;                // in [0,1), >= the modifier's init_sparsity
  SourceLocation where;
};

// `adaptive: {tolerance: 0.02, metric: loss, max_delay: 2ep}` inside a prune modifier: the ramp
// runs on its own clock, which pauses at an evaluation whose metric is worse than the best
// evaluation since the ramp began by more than `tolerance` (relative) and resumes at the first
// evaluation back within it; the ramp's remaining updates move later by the paused steps. See
// prune/adaptive_clock.h and docs/recipes.md.
struct AdaptiveSchedule {
  double tolerance = 0.0;             // >= 0: allowed relative rise of loss (drop of accuracy)
  Metric metric = Metric::kLoss;      // loss | accuracy (validation)
  std::optional<TimeSpec> max_delay;  // how much later than `end` the ramp may end; unset: up to
                                      // the end of the stage (of the level, with repeat)
  SourceLocation where;
};

struct PruneModifier {
  // magnitude | random | taylor | fisher | movement | movement_soft
  prune::ScorerKind method = prune::ScorerKind::kMagnitude;
  prune::Scope scope = prune::Scope::kGlobal;  // global (one threshold across targets) | layer
  // unstructured | N:M (e.g. 2:4) | RxC blocks (e.g. 4x4) | rows (= neurons = channels), as
  // written; prune::parse_pattern reads it (see prune/pattern.h for the exact grouping). An N:M
  // pattern needs final_sparsity = 1 - N/M.
  std::string pattern = "unstructured";
  std::vector<std::string> targets;  // parameter-name globs, or "re:<regex>"; non-empty
  std::vector<std::string> exclude;  // same syntax, optional
  double init_sparsity = 0.0;        // in [0,1)
  double final_sparsity = 0.0;       // in [0,1), >= init_sparsity; exponential: a cap
  TimeSpec start;                    // absolute time where the ramp starts
  TimeSpec end;                      // absolute time where final_sparsity is reached
  TimeSpec every;                    // pruning frequency, > 0
  // cubic (Zhu & Gupta) | linear | oneshot | exponential
  prune::ScheduleKind schedule = prune::ScheduleKind::kCubic;
  double rate = 0.0;  // exponential only, in (0,1): pruned per update
  // taylor and fisher: scores sum over the last `window` of steps before each mask update;
  // unset = every step since the previous update (or since the modifier's start).
  std::optional<TimeSpec> window;
  // fisher only: lambda of the dampened Fisher diagonal lambda + mean(g^2) (oBERT's 1e-7).
  double dampening = 1e-7;
  std::vector<SparsityOverride> overrides;  // per-target final sparsities
  // Per-layer sparsities chosen at each update from the ramp's target (prune/allocation.h):
  // none (use scope) | uniform | erk | lamp | owl. With one, each parameter is selected on its
  // own at its allocated sparsity; overridden parameters keep their own ramps.
  prune::AllocationKind allocation = prune::AllocationKind::kNone;
  std::optional<AdaptiveSchedule> adaptive;   // unset: the static ramp
  SourceLocation where;                       // the modifier's map ("stages.1.modifiers.0.prune")
  std::vector<SourceLocation> targets_where;  // one per entry of `targets`
  std::vector<SourceLocation> exclude_where;  // one per entry of `exclude`
};

// `snapshot: {name: s, at: <time>}`: keep weights, optimizer state, LR state and step under a
// name, at `at` (absolute; default: the stage's start). In a repeated stage it is taken once, in
// the first level.
struct SnapshotModifier {
  std::string name;            // unique in the recipe
  std::optional<TimeSpec> at;  // inside the stage's first level
  SourceLocation where;
};

// `rewind: {to: s, reinit: false}`: at the start of each level of the stage (and of the first
// level only when `s` was taken in an earlier stage), weights and optimizer state are restored
// from snapshot `s`, masks are kept and re-applied (lottery ticket: Frankle & Carbin 2019;
// rewinding to an early step: Frankle et al. 2019). reinit: true re-initialises the weights
// randomly instead (the random-ticket control); the masks are still kept.
struct RewindModifier {
  std::string to;  // a snapshot of an earlier stage or of this one
  bool reinit = false;
  SourceLocation where;
  SourceLocation to_where;
};

// `lr: {...}`: the stage's learning-rate schedule, from training.lr (see lr_schedule.h). Without
// one the rate is training.lr, constant.
struct LrModifier {
  LrKind schedule = LrKind::kConstant;  // constant | step | linear | cosine
  std::optional<TimeSpec> warmup;       // linear warm-up at the start of the stage (or level)
  double min_lr = 0.0;                  // linear/cosine end value, >= 0, < training.lr
  double gamma = 0.1;                   // step: factor, in (0, 1]
  std::optional<TimeSpec> every;        // step: interval; required for step
  bool rewind = false;  // LR rewinding: restart the schedule at each level of a repeated stage
  SourceLocation where;
};

// `distill: {teacher: ..., temperature: T, alpha: a, hidden: h}`: knowledge distillation
// (Hinton et al. 2015) while the stage runs, classification only. The loss becomes
// (1 - a) * cross-entropy(labels) + a * T^2 * KL(softmax(teacher / T) || softmax(student / T))
// + h * (mean over layers of the hidden states' squared difference, train/distillation.h), the
// teacher (a checkpoint, typically the dense fine-tuned model) run in eval mode without
// gradients on the same device and batch.
struct DistillModifier {
  std::string teacher;  // resolved like data.path
  double temperature = 2.0;
  double alpha = 0.5;
  double hidden = 0.0;  // >= 0; 0 = logits only
  SourceLocation where;
  bool operator==(const DistillModifier& o) const {
    return teacher == o.teacher && temperature == o.temperature && alpha == o.alpha &&
           hidden == o.hidden;
  }
};

// `augment: {...}`: EDA-style augmentation of the training examples while the stage runs
// (data/augmentation.h); classification only. Probabilities in [0, 1], at least one > 0.
struct AugmentModifier {
  double delete_probability = 0;  // YAML delete
  double swap_probability = 0;    // swap
  double insert_probability = 0;  // insert
  double mask_probability = 0;    // mask
  int64_t mask_span = 3;          // span
  SourceLocation where;
  bool operator==(const AugmentModifier& o) const {
    return delete_probability == o.delete_probability && swap_probability == o.swap_probability &&
           insert_probability == o.insert_probability && mask_probability == o.mask_probability &&
           mask_span == o.mask_span;
  }
};

struct Stage {
  std::string name;                // default "stage<i>", i counted from 0 like `stages.<i>`
  TimeSpec until;                  // absolute end time (YAML `until`), valid when has_until
  std::optional<TimeSpec> length;  // relative length (YAML `for`); exactly one of until/for
  bool has_until = false;
  // Iterative levels: the stage runs `repeat` times back to back, each level `length` long
  // (repeat > 1 needs `for`). Modifier times are written for the first level; level l shifts
  // them by l * length (prune ramps: prune::SparsityRamp::for_level).
  int64_t repeat = 1;
  // Modifiers, from `modifiers: [ {prune: {...}}, {lr: {...}}, ... ]`, by kind.
  std::vector<PruneModifier> prune;
  std::vector<SnapshotModifier> snapshots;
  std::optional<RewindModifier> rewind;  // at most one per stage
  std::optional<LrModifier> lr;          // at most one per stage
  // `hold: {}`: masks stay as they are for the whole stage (no prune modifier may run in it).
  // Masks also stay after a stage ends without one; hold says so explicitly.
  bool hold = false;
  std::optional<AugmentModifier> augment;  // at most one per stage
  std::optional<DistillModifier> distill;  // at most one per stage
  SourceLocation where;
};

struct ModelConfig {
  ModelType type = ModelType::kTextCnn;  // textcnn | bilstm | bigru | transformer | gpt | bert
  // bert: the pretrained model (a Hugging Face folder with config.json + model.safetensors, or a
  // file written by `topiary import hf`), resolved like data.path. Its config.json gives the
  // architecture, so a bert recipe sets only type, from and dropout (examples are read as
  // prepared: WordPiece truncation keeps [CLS] and [SEP]).
  std::string from;
  std::string from_key_location;  // "recipe.yaml:3:9" of the value, for loading errors
  int64_t embedding_dim = 128;
  // Models trained from scratch: how embedding.weight is drawn (see core/embedding_init.h).
  EmbeddingInit embedding_init = EmbeddingInit::kNormal;
  double embedding_init_range = 0.25;  // uniform: U(-range, range); Kim (2014) uses 0.25
  int64_t filters = 100;
  std::vector<int64_t> widths{3, 4, 5};
  double dropout = 0.5;
  int64_t max_length = 0;       // 0 = no truncation
  int64_t hidden = 128;         // bilstm / bigru: units per direction
  int64_t layers = 1;           // bilstm / bigru / transformer: stacked layers
  int64_t heads = 4;            // transformer: attention heads (must divide embedding_dim)
  int64_t ffn = 512;            // transformer: feed-forward width
  int64_t max_positions = 256;  // transformer: learned positions (longer inputs are cut);
                                // gpt: also the context length of training/eval blocks
  bool tie_embeddings = true;   // gpt: output projection = embedding.weight (no head.weight)
};

struct DataConfig {
  // `data: {path: ...}`, resolved against the recipe file's directory unless absolute, then made
  // absolute, so that the effective recipe stored in a checkpoint names the same file.
  std::string path;
  std::string path_key_location;  // "recipe.yaml:4:15" of the path value, for data-loading errors
};

// `training.selection`: model selection over the evaluations of a run. The best `keep_best`
// evaluations by `metric` keep a checkpoint in DIR/best/; summary.json names the best one.
// With at_final_sparsity, only evaluations after the recipe's last mask update compete (a
// dense early checkpoint never wins a pruning run). patience > 0 stops the run after that many
// competing evaluations without an improvement of more than min_delta (early stopping).
struct SelectionConfig {
  // auto (accuracy, or loss for a language model) | accuracy | macro_f1 | loss | perplexity
  Metric metric = Metric::kAuto;
  int64_t keep_best = 1;  // 0 = no best checkpoints
  int64_t patience = 0;   // 0 = never stop early
  double min_delta = 0.0;
  bool at_final_sparsity = true;
};

struct TrainingConfig {
  int64_t batch_size = 64;                 // GLOBAL batch size, split across ranks
  Optimizer optimizer = Optimizer::kAdam;  // adam | adamw | sgd | adadelta
  double lr = 1e-3;
  double weight_decay = 0.0;
  // Parameters (name patterns) the optimizer does not decay, e.g. biases and LayerNorm weights
  // when fine-tuning BERT; each pattern must match a parameter.
  std::vector<std::string> no_decay;
  std::vector<SourceLocation> no_decay_where;
  double momentum = 0.9;  // sgd only
  double rho = 0.95;      // adadelta only: decay of its running averages
  // Max-norm constraint (Kim 2014; Srivastava et al. 2014): after every optimizer step, each row
  // of a parameter matching max_norm_targets whose L2 norm exceeds max_norm is scaled down to
  // it (for a classifier, each class's weight vector). 0 = off.
  double max_norm = 0.0;
  std::vector<std::string> max_norm_targets;
  std::vector<SourceLocation> max_norm_targets_where;
  double grad_clip = 0.0;              // max global gradient norm; 0 = off
  std::optional<TimeSpec> eval_every;  // default: end of each epoch
  int64_t threads = 1;                 // intra-op threads per rank
  // NaN/Inf in the loss (any rank) or the reduced gradients: "stop" ends the job naming the step
  // and the first offending parameter; "skip" drops the step on every rank (at most
  // max_skipped_steps in a run, then stops).
  NonFinitePolicy on_nonfinite = NonFinitePolicy::kStop;
  int64_t max_skipped_steps = 10;
  // Gradient accumulation: each step's local batch runs as this many micro-batches (same
  // gradient, less memory); batch_size / world size must be divisible by it.
  int64_t accumulate = 1;
  Precision precision = Precision::kFp32;  // fp32 | bf16 (autocast of the forward pass)
  // Length bucketing (classification): each epoch's shuffled order is cut into chunks of this
  // many global batches, each chunk sorted by example length, and the batches shuffled again;
  // less padding per batch. 0 = off.
  int64_t bucket_by_length = 0;
  // The last, partial global batch of an epoch: dropped (true), or completed with the first
  // examples of the same epoch's order (false), so every example is seen each epoch.
  bool drop_last = true;
  // Upper bound on padded tokens (rows x longest) per micro-batch on each rank: a local batch
  // above it runs as several micro-batches (same gradient, bounded memory). 0 = off.
  int64_t max_tokens = 0;
  SelectionConfig selection;
  // Where the job runs, not what it computes (left out of checkpoint_yaml): "auto" takes the
  // rank's node-local CUDA device when one is visible, else the CPU; "cuda" fails without one.
  Device device = Device::kAuto;  // auto | cpu | cuda
  // Transport of gradient and parameter tensors between ranks: "nccl" (CUDA only), "mpi" (CPU
  // tensors directly; CUDA tensors staged through host memory), "auto" = nccl on CUDA, else mpi.
  Transport comm = Transport::kAuto;  // auto | nccl | mpi
  // Launch gradient buckets during the backward pass (same results as after it, sooner).
  bool overlap = true;
  // Element type of the gradient exchange between ranks: "fp32" (exact), "bf16" or "fp16"
  // (half the bytes, gradients rounded). Changes results, so checkpoints record it.
  CommDtype comm_dtype = CommDtype::kFp32;  // fp32 | bf16 | fp16
};

struct Recipe {
  std::string name;  // default: the recipe file's stem
  std::string description;
  uint64_t seed = 1;
  DataConfig data;
  ModelConfig model;
  TrainingConfig training;
  std::vector<Stage> stages;  // at least one
  std::string source_file;    // path as given
  // The recipe after variables, --set overrides and defaults, as YAML; stored in checkpoints.
  // parse_recipe(effective_yaml, ...) gives back an equal Recipe.
  std::string effective_yaml;
  // The same without how-it-runs keys (training.device, .comm, .overlap): what a checkpoint
  // records and what --resume compares, so a checkpoint written on a GPU resumes on the CPU.
  std::string checkpoint_yaml;
};

// `overrides` are "dotted.key.path=value" strings from --set; the value is read as YAML
// (`--set model.widths=[2,3]`); list indices are numbers: `stages.1.until=4ep`.
Recipe load_recipe(const std::string& path, const std::vector<std::string>& overrides = {});
Recipe parse_recipe(const std::string& yaml_text, const std::string& file_name,
                    const std::vector<std::string>& overrides = {});

// The effective recipe as YAML (every key, defaults included, variables substituted).
// With `placement` false, the keys that say where the job runs (training.device, .comm) are left
// out: Recipe::checkpoint_yaml.
std::string to_yaml(const Recipe& recipe, bool placement = true);

// Called by the trainer once parameter names are known. Every target and exclude pattern must
// match at least one parameter, each modifier must select at least one parameter, and no
// parameter may be pruned by two modifiers of the same stage; each override pattern must match a
// parameter its modifier prunes, and no parameter may match two overrides; otherwise a UserError
// located at the pattern, override or modifier, listing the parameters.
void validate_targets(const Recipe& recipe, const std::vector<std::string>& parameter_names);

// The parameters a modifier prunes: those matching any target and no exclude, in the order of
// `parameter_names`.
std::vector<std::string> select_parameters(const PruneModifier& modifier,
                                           const std::vector<std::string>& parameter_names);

// The modifier kinds a stage may list (the named choices are in recipe/choices.h).
const std::vector<std::string>& known_modifier_kinds();

}  // namespace topiary::recipe
