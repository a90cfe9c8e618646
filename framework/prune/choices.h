#pragma once
// The pruning choices a recipe names (prune modifier keys method, scope, schedule, allocation),
// each an enum with the one table that spells it (core/enum_table.h). The recipe stores these
// enums directly, so the prune module never parses a name again.
#include "core/enum_table.h"

namespace topiary::prune {

// magnitude and random are computed here; taylor, fisher, movement and movement_soft are
// accumulated from gradients on the training device (train/score_accumulator.h).
enum class ScorerKind { kMagnitude, kRandom, kTaylor, kFisher, kMovement, kMovementSoft };
inline constexpr auto kScorerKinds = make_enum_table<ScorerKind>({
    {ScorerKind::kMagnitude, "magnitude"},
    {ScorerKind::kRandom, "random"},
    {ScorerKind::kTaylor, "taylor"},
    {ScorerKind::kFisher, "fisher"},
    {ScorerKind::kMovement, "movement"},
    {ScorerKind::kMovementSoft, "movement_soft"},
});

// global: one threshold across a modifier's parameters; layer: each parameter on its own.
enum class Scope { kLayer, kGlobal };
inline constexpr auto kScopes = make_enum_table<Scope>({
    {Scope::kGlobal, "global"},
    {Scope::kLayer, "layer"},
});

enum class ScheduleKind { kCubic, kLinear, kOneShot, kExponential };
inline constexpr auto kScheduleKinds = make_enum_table<ScheduleKind>({
    {ScheduleKind::kCubic, "cubic"},
    {ScheduleKind::kLinear, "linear"},
    {ScheduleKind::kOneShot, "oneshot"},
    {ScheduleKind::kExponential, "exponential"},
});

// Per-layer sparsity allocation (allocation.h). kNone: no allocation, the modifier's scope
// selects. The sensitivity allocation is not a recipe choice: `topiary sensitivity` computes it
// from measured curves and suggests it as per-target overrides.
enum class AllocationKind { kNone, kUniform, kErk, kLamp, kOwl };
inline constexpr auto kAllocationKinds = make_enum_table<AllocationKind>({
    {AllocationKind::kNone, "none"},
    {AllocationKind::kUniform, "uniform"},
    {AllocationKind::kErk, "erk"},
    {AllocationKind::kLamp, "lamp"},
    {AllocationKind::kOwl, "owl"},
});

}  // namespace topiary::prune
