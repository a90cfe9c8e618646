#pragma once
// Every named choice a recipe makes, as enums with the one table that spells each
// (core/enum_table.h): the parser reads names through these tables, the writer prints them, and
// the code downstream compares enums. Pruning choices are prune's own enums (prune/choices.h),
// the model type is core's (core/model_type.h).
#include "core/embedding_init.h"
#include "core/enum_table.h"
#include "core/model_type.h"
#include "prune/choices.h"

namespace topiary::recipe {

enum class Optimizer { kAdam, kAdamW, kSgd, kAdadelta };
inline constexpr auto kOptimizers = make_enum_table<Optimizer>({
    {Optimizer::kAdam, "adam"},
    {Optimizer::kAdamW, "adamw"},
    {Optimizer::kSgd, "sgd"},
    {Optimizer::kAdadelta, "adadelta"},
});

// training.precision: fp32, or bf16 autocast of the forward pass.
enum class Precision { kFp32, kBf16 };
inline constexpr auto kPrecisions = make_enum_table<Precision>({
    {Precision::kFp32, "fp32"},
    {Precision::kBf16, "bf16"},
});

// training.on_nonfinite: what a NaN/Inf loss or gradient does.
enum class NonFinitePolicy { kStop, kSkip };
inline constexpr auto kNonFinitePolicies = make_enum_table<NonFinitePolicy>({
    {NonFinitePolicy::kStop, "stop"},
    {NonFinitePolicy::kSkip, "skip"},
});

// training.device: where a rank trains.
enum class Device { kAuto, kCpu, kCuda };
inline constexpr auto kDevices = make_enum_table<Device>({
    {Device::kAuto, "auto"},
    {Device::kCpu, "cpu"},
    {Device::kCuda, "cuda"},
});

// training.comm: the transport of gradient and parameter tensors between ranks.
enum class Transport { kAuto, kNccl, kMpi };
inline constexpr auto kTransports = make_enum_table<Transport>({
    {Transport::kAuto, "auto"},
    {Transport::kNccl, "nccl"},
    {Transport::kMpi, "mpi"},
});

// training.comm_dtype: the element type of the gradient exchange.
enum class CommDtype { kFp32, kBf16, kFp16 };
inline constexpr auto kCommDtypes = make_enum_table<CommDtype>({
    {CommDtype::kFp32, "fp32"},
    {CommDtype::kBf16, "bf16"},
    {CommDtype::kFp16, "fp16"},
});

// A validation metric. training.selection.metric may name any (auto: the task's default);
// an adaptive ramp's clock reads loss or accuracy only.
enum class Metric { kAuto, kAccuracy, kMacroF1, kLoss, kPerplexity };
inline constexpr auto kSelectionMetrics = make_enum_table<Metric>({
    {Metric::kAuto, "auto"},
    {Metric::kAccuracy, "accuracy"},
    {Metric::kMacroF1, "macro_f1"},
    {Metric::kLoss, "loss"},
    {Metric::kPerplexity, "perplexity"},
});
inline constexpr auto kAdaptiveMetrics = make_enum_table<Metric>({
    {Metric::kLoss, "loss"},
    {Metric::kAccuracy, "accuracy"},
});

// The `lr` modifier's schedule (lr_schedule.h).
enum class LrKind { kConstant, kStep, kLinear, kCosine };
inline constexpr auto kLrKinds = make_enum_table<LrKind>({
    {LrKind::kConstant, "constant"},
    {LrKind::kStep, "step"},
    {LrKind::kLinear, "linear"},
    {LrKind::kCosine, "cosine"},
});
// The schedules that decay to min_lr.
constexpr bool decays_to_min_lr(LrKind kind) {
  return kind == LrKind::kLinear || kind == LrKind::kCosine;
}

}  // namespace topiary::recipe
