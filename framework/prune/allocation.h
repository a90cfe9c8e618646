#pragma once
// Per-layer sparsity allocation: given a global target, how much of each layer to prune. Pure
// functions of plain values (no torch), so every rank that holds the same inputs computes the
// same allocation; the trainer then prunes each layer on its own at its sparsity.
//
// Note [Allocation budget]
// Every strategy returns one sparsity s_l (fraction pruned) per layer, in layer order, such that
// pruning pruned_count(numel_l, s_l) weights in each layer (selection.h) prunes exactly
// K = pruned_count(N, target) weights in all, N the total over the layers. Uniform, ERK and OWL
// first compute real-valued sparsities whose weighted sum is target * N, then round each layer's
// real count down or up (largest remainder first, ties by layer order), so s_l = count_l / numel_l
// and may differ from the real value by under one weight. A layer is fully pruned only when its
// real share keeps under one weight. LAMP counts whole weights already. Sensitivity prunes more
// than K only when the per-layer minimum bounds force it.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "prune/choices.h"

namespace topiary::prune {

struct LayerInfo {
  std::string name;            // used in error messages only
  std::vector<int64_t> shape;  // the weight's shape: [out, in] or [out, in, k...]
  int64_t numel = 0;           // must equal the product of shape
};

// All functions below throw UserError for a target outside [0, 1), no layers, a layer with no
// weights or whose numel disagrees with its shape, and inputs that do not match the layers.

// Every layer at the target (up to one weight, Note [Allocation budget]).
std::vector<double> uniform_allocation(std::span<const LayerInfo> layers, double target);

// ERK, Erdos-Renyi-Kernel (Evci et al. 2020, "Rigging the Lottery"): small layers, whose every
// weight carries more of the signal, stay denser. Density d_l = eps * sum(shape_l) / numel_l over
// all dims of the shape (for a linear layer this is ER: (n_in + n_out) / (n_in * n_out)), with
// eps solved so that sum_l d_l * numel_l = (1 - target) * N. A layer whose density would exceed 1
// is made dense and eps re-solved over the rest, repeating until none exceeds 1; as in the RigL
// code, each round makes dense only the layer(s) with the largest sum(shape) / numel.
// erk_densities returns the real-valued densities (1 - sparsity), before rounding.
std::vector<double> erk_densities(std::span<const LayerInfo> layers, double target);
std::vector<double> erk_allocation(std::span<const LayerInfo> layers, double target);

// LAMP (Lee et al. 2021): with one layer's weights in ascending |w| order (ties by index),
// score(u) = w_u^2 / sum_{v >= u} w_v^2, so each layer's largest weight scores 1 and scores are
// comparable across layers. Written in input order, as float like the other scorers; 0/0 = 0;
// weights must be finite (lamp_allocation checks).
// Within a layer the scores order weights as magnitude does, so pruning each layer by magnitude
// at lamp_allocation prunes the same weights as LAMP's global selection. Masked weights must be
// zero in `weights` (as the trainer keeps them), so they score 0 and count as pruned first.
void lamp_scores(std::span<const float> weights, std::span<float> out);
// Prunes the K lowest LAMP scores over all layers (ties by layer order, then index, as
// select_global) and returns each layer's pruned fraction. weights[l] has layers[l].numel values.
std::vector<double> lamp_allocation(std::span<const LayerInfo> layers,
                                    std::span<const std::span<const float>> weights, double target);

// One measured point of a sensitivity sweep: prune this layer alone at `sparsity` and the
// validation loss rises by `loss_increase` (only differences between points matter).
struct SensitivityPoint {
  double sparsity = 0.0;
  double loss_increase = 0.0;
};
struct LayerSensitivity {
  std::vector<SensitivityPoint> points;  // ascending sparsity, the first at sparsity 0
  double min_sparsity = 0.0;             // bounds: only measured points inside them are used
  double max_sparsity = 1.0;
};
// Greedy, not an exact optimum: each layer starts at its lowest measured sparsity within bounds;
// then, while fewer than K weights are pruned, the move with the smallest loss increase per extra
// pruned weight, over every layer and every higher measured point within bounds, is taken (ties:
// lower layer, then nearer point). Looking past the next point lets the greedy step over a bump
// in a noisy curve. The last move stops between its two points once K is reached (loss
// linearly interpolated), so one layer may end off the grid and the total is exactly K, unless
// the minimum bounds alone prune more. Throws UserError for a malformed sweep, bounds that admit
// no measured point, or bounds whose maxima cannot reach K.
std::vector<double> sensitivity_allocation(std::span<const LayerInfo> layers,
                                           std::span<const LayerSensitivity> sweep, double target);

// OWL (Yin et al. 2024, "Outlier Weighed Layerwise sparsity"): layers with more outliers are
// pruned less. The paper measures outliers of |activation norm * weight| on LLMs; this uses plain
// |w|, which needs no calibration data.
struct OwlOptions {
  double outlier_multiple = 5.0;  // M: an outlier has |w| > M * mean |w| of its layer
  double lambda = 0.08;           // how far layers may move from the target
};
// Fraction of weights with |w| > multiple * mean |w| (0 for an all-zero layer).
double outlier_ratio(std::span<const float> weights, double multiple);
// As the OWL code: with D_l the outlier ratio and u_l = 2 (D_l - min D) / (max D - min D) - 1 in
// [-1, 1] (0 when all D are equal), s_l = target - lambda * u_l + c: the layers span 2 * lambda
// and the one with most outliers is the least sparse. The shift c makes the
// element-weighted mean exactly the target (the paper averages over equal-sized blocks; here
// layer sizes differ). Each s_l is clamped to [0, 1 - 1/numel_l] (every layer keeps a weight) and
// c re-solved by bisection; throws UserError when the target leaves fewer weights than layers.
std::vector<double> owl_allocation(std::span<const LayerInfo> layers,
                                   std::span<const std::span<const float>> weights, double target,
                                   const OwlOptions& options = {});

}  // namespace topiary::prune
