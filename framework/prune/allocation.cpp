#include "prune/allocation.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

#include "core/error.h"
#include "prune/selection.h"

namespace topiary::prune {
namespace {

std::string str(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

std::string shape_string(const std::vector<int64_t>& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

// Validates the target and the layers; returns N, the total number of weights.
int64_t check_layers(std::span<const LayerInfo> layers, double target) {
  if (!(target >= 0.0 && target < 1.0)) {
    throw UserError("allocation target sparsity must be in [0, 1), got " + str(target));
  }
  if (layers.empty()) throw UserError("allocation needs at least one layer to prune");
  int64_t total = 0;
  for (const auto& layer : layers) {
    int64_t product = 1;
    for (int64_t dim : layer.shape) product *= std::max<int64_t>(dim, 0);
    if (layer.numel <= 0 || layer.shape.empty() || product != layer.numel) {
      throw UserError("layer '" + layer.name + "': shape " + shape_string(layer.shape) +
                      " and numel " + std::to_string(layer.numel) +
                      " must agree and hold at least one weight");
    }
    total += layer.numel;
  }
  return total;
}

void check_weights(std::span<const LayerInfo> layers,
                   std::span<const std::span<const float>> weights) {
  if (weights.size() != layers.size()) {
    throw UserError("allocation got weights for " + std::to_string(weights.size()) +
                    " layers, expected " + std::to_string(layers.size()));
  }
  for (size_t l = 0; l < layers.size(); ++l) {
    if (static_cast<int64_t>(weights[l].size()) != layers[l].numel) {
      throw UserError("layer '" + layers[l].name + "': got " + std::to_string(weights[l].size()) +
                      " weights, expected numel " + std::to_string(layers[l].numel));
    }
    for (float w : weights[l]) {
      if (!std::isfinite(w))
        throw UserError("layer '" + layers[l].name + "' has a non-finite weight");
    }
  }
}

// Note [Allocation budget]: real-valued sparsities whose weighted sum is target * N become whole
// counts summing to K = pruned_count(N, target), by largest remainder.
std::vector<double> round_to_budget(std::span<const LayerInfo> layers,
                                    std::span<const double> sparsity, int64_t total,
                                    double target) {
  const size_t n = layers.size();
  std::vector<int64_t> count(n);
  std::vector<double> remainder(n);
  int64_t missing = pruned_count(total, target);
  for (size_t l = 0; l < n; ++l) {
    const auto numel = static_cast<double>(layers[l].numel);
    double real = std::clamp(sparsity[l] * numel, 0.0, numel);
    // A count meant to be whole must not gain a weight from floating-point dust.
    if (std::fabs(real - std::round(real)) < 1e-6) real = std::round(real);
    count[l] = static_cast<int64_t>(std::floor(real));
    remainder[l] = real - std::floor(real);
    missing -= count[l];
  }
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return remainder[a] > remainder[b]; });
  TOPIARY_ASSERT(missing >= 0, "allocation rounds to more weights than the budget");
  for (size_t l : order) {
    if (missing == 0 || remainder[l] <= 0.0) break;
    ++count[l];
    --missing;
  }
  TOPIARY_ASSERT(missing == 0, "allocation rounds to fewer weights than the budget");
  std::vector<double> out(n);
  for (size_t l = 0; l < n; ++l) {
    out[l] = static_cast<double>(count[l]) / static_cast<double>(layers[l].numel);
  }
  return out;
}

}  // namespace

std::vector<double> uniform_allocation(std::span<const LayerInfo> layers, double target) {
  const int64_t total = check_layers(layers, target);
  const std::vector<double> real(layers.size(), target);
  return round_to_budget(layers, real, total, target);
}

std::vector<double> erk_densities(std::span<const LayerInfo> layers, double target) {
  const int64_t total = check_layers(layers, target);
  const size_t n = layers.size();
  std::vector<double> dims(n);  // sum(shape); the ERK weight of a layer is dims / numel
  for (size_t l = 0; l < n; ++l) {
    dims[l] = static_cast<double>(std::reduce(layers[l].shape.begin(), layers[l].shape.end()));
  }
  auto raw = [&](size_t l) { return dims[l] / static_cast<double>(layers[l].numel); };
  std::vector<bool> dense(n, false);
  double eps = 0.0;
  while (true) {
    // Weights the non-dense layers may keep, shared in proportion to eps * dims.
    double keep = (1.0 - target) * static_cast<double>(total);
    double divisor = 0.0;
    double max_raw = -1.0;
    for (size_t l = 0; l < n; ++l) {
      if (dense[l]) {
        keep -= static_cast<double>(layers[l].numel);
      } else {
        divisor += dims[l];
        max_raw = std::max(max_raw, raw(l));
      }
    }
    if (max_raw < 0.0) break;  // every layer dense: only at target 0, up to rounding
    eps = keep / divisor;
    if (eps * max_raw <= 1.0) break;
    for (size_t l = 0; l < n; ++l) {
      if (!dense[l] && raw(l) == max_raw) dense[l] = true;
    }
  }
  std::vector<double> density(n);
  for (size_t l = 0; l < n; ++l) density[l] = dense[l] ? 1.0 : eps * raw(l);
  return density;
}

std::vector<double> erk_allocation(std::span<const LayerInfo> layers, double target) {
  std::vector<double> sparsity = erk_densities(layers, target);
  for (double& s : sparsity) s = 1.0 - s;
  return round_to_budget(layers, sparsity, check_layers(layers, target), target);
}

void lamp_scores(std::span<const float> weights, std::span<float> out) {
  TOPIARY_ASSERT(out.size() == weights.size(), "lamp_scores needs one output per weight");
  std::vector<size_t> order(weights.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const float fa = std::fabs(weights[a]);
    const float fb = std::fabs(weights[b]);
    return fa != fb ? fa < fb : a < b;
  });
  double suffix = 0.0;  // sum of w^2 over this weight and every later one in the order
  for (size_t i = order.size(); i-- > 0;) {
    const double square = static_cast<double>(weights[order[i]]) * weights[order[i]];
    suffix += square;
    out[order[i]] = suffix > 0.0 ? static_cast<float>(square / suffix) : 0.0f;
  }
}

std::vector<double> lamp_allocation(std::span<const LayerInfo> layers,
                                    std::span<const std::span<const float>> weights,
                                    double target) {
  check_layers(layers, target);
  check_weights(layers, weights);
  const size_t n = layers.size();
  std::vector<std::vector<float>> scores(n);
  std::vector<std::vector<float>> masks(n);
  std::vector<ScoredTensor> tensors;
  for (size_t l = 0; l < n; ++l) {
    scores[l].resize(weights[l].size());
    masks[l].resize(weights[l].size());
    lamp_scores(weights[l], scores[l]);
    tensors.push_back({scores[l], masks[l]});
  }
  select_global(tensors, target);
  std::vector<double> out(n);
  for (size_t l = 0; l < n; ++l) {
    const auto pruned = std::count(masks[l].begin(), masks[l].end(), 0.0f);
    out[l] = static_cast<double>(pruned) / static_cast<double>(layers[l].numel);
  }
  return out;
}

namespace {

// The measured points of one layer that lie within its bounds, as whole counts.
struct Curve {
  std::vector<double> sparsity;
  std::vector<double> loss;
  std::vector<int64_t> count;
  size_t at = 0;  // the point the layer stands at
};

Curve allowed_points(const LayerInfo& layer, const LayerSensitivity& sweep) {
  const std::string where = "layer '" + layer.name + "': ";
  const auto& points = sweep.points;
  if (points.empty() || points.front().sparsity != 0.0) {
    throw UserError(where + "the sensitivity sweep must start at sparsity 0");
  }
  for (size_t i = 0; i < points.size(); ++i) {
    if (!(points[i].sparsity <= 1.0) || !std::isfinite(points[i].loss_increase) ||
        (i > 0 && !(points[i].sparsity > points[i - 1].sparsity))) {
      throw UserError(where + "sensitivity points need strictly ascending sparsities in [0, 1] " +
                      "and finite loss increases; point " + std::to_string(i) + " is (" +
                      str(points[i].sparsity) + ", " + str(points[i].loss_increase) + ")");
    }
  }
  if (!(sweep.min_sparsity >= 0.0 && sweep.min_sparsity <= sweep.max_sparsity &&
        sweep.max_sparsity <= 1.0)) {
    throw UserError(where + "sparsity bounds [" + str(sweep.min_sparsity) + ", " +
                    str(sweep.max_sparsity) + "] must satisfy 0 <= min <= max <= 1");
  }
  constexpr double kSlack = 1e-9;  // so that a bound of 0.3 admits a grid point 0.1 * 3
  Curve curve;
  for (const auto& point : points) {
    if (point.sparsity < sweep.min_sparsity - kSlack) continue;
    if (point.sparsity > sweep.max_sparsity + kSlack) continue;
    curve.sparsity.push_back(point.sparsity);
    curve.loss.push_back(point.loss_increase);
    curve.count.push_back(pruned_count(layer.numel, point.sparsity));
  }
  if (curve.sparsity.empty()) {
    throw UserError(where + "no measured sparsity lies within the bounds [" +
                    str(sweep.min_sparsity) + ", " + str(sweep.max_sparsity) +
                    "]; add the bounds to the sweep grid");
  }
  return curve;
}

}  // namespace

std::vector<double> sensitivity_allocation(std::span<const LayerInfo> layers,
                                           std::span<const LayerSensitivity> sweep, double target) {
  const int64_t total = check_layers(layers, target);
  if (sweep.size() != layers.size()) {
    throw UserError("sensitivity allocation got sweeps for " + std::to_string(sweep.size()) +
                    " layers, expected " + std::to_string(layers.size()));
  }
  const size_t n = layers.size();
  const int64_t budget = pruned_count(total, target);
  std::vector<Curve> curves;
  int64_t pruned = 0;
  int64_t most = 0;
  for (size_t l = 0; l < n; ++l) {
    curves.push_back(allowed_points(layers[l], sweep[l]));
    pruned += curves[l].count.front();
    most += curves[l].count.back();
  }
  if (most < budget) {
    throw UserError("sensitivity allocation: the maximum bounds allow pruning " +
                    std::to_string(most) + " of " + std::to_string(total) +
                    " weights, but target " + str(target) + " needs " + std::to_string(budget));
  }
  std::vector<double> out(n);
  for (size_t l = 0; l < n; ++l) out[l] = curves[l].sparsity.front();
  while (pruned < budget) {
    // Cheapest move by loss per extra pruned weight; strict < keeps the first of equals.
    size_t best_layer = n;
    size_t best_point = 0;
    double best_cost = 0.0;
    for (size_t l = 0; l < n; ++l) {
      const Curve& c = curves[l];
      for (size_t j = c.at + 1; j < c.count.size(); ++j) {
        const int64_t extra = c.count[j] - c.count[c.at];
        if (extra <= 0) continue;
        const double cost = (c.loss[j] - c.loss[c.at]) / static_cast<double>(extra);
        if (best_layer == n || cost < best_cost) {
          best_layer = l;
          best_point = j;
          best_cost = cost;
        }
      }
    }
    TOPIARY_ASSERT(best_layer < n, "sensitivity allocation found no move below its budget");
    Curve& c = curves[best_layer];
    const int64_t extra = c.count[best_point] - c.count[c.at];
    if (pruned + extra > budget) {  // stop between the two points, exactly at the budget
      const int64_t count = c.count[c.at] + (budget - pruned);
      out[best_layer] = static_cast<double>(count) / static_cast<double>(layers[best_layer].numel);
      pruned = budget;
    } else {
      c.at = best_point;
      out[best_layer] = c.sparsity[c.at];
      pruned += extra;
    }
  }
  return out;
}

double outlier_ratio(std::span<const float> weights, double multiple) {
  if (weights.empty()) return 0.0;
  double sum = 0.0;
  for (float w : weights) sum += std::fabs(w);
  const double threshold = multiple * sum / static_cast<double>(weights.size());
  const auto outliers = std::count_if(weights.begin(), weights.end(),
                                      [&](float w) { return std::fabs(w) > threshold; });
  return static_cast<double>(outliers) / static_cast<double>(weights.size());
}

std::vector<double> owl_allocation(std::span<const LayerInfo> layers,
                                   std::span<const std::span<const float>> weights, double target,
                                   const OwlOptions& options) {
  const int64_t total = check_layers(layers, target);
  check_weights(layers, weights);
  if (!(options.outlier_multiple > 0.0 && std::isfinite(options.outlier_multiple)) ||
      !(options.lambda >= 0.0 && options.lambda <= 1.0)) {
    throw UserError("OWL needs an outlier multiple M > 0 and lambda in [0, 1], got M = " +
                    str(options.outlier_multiple) + ", lambda = " + str(options.lambda));
  }
  const size_t n = layers.size();
  const auto goal = target * static_cast<double>(total);
  if (goal > static_cast<double>(total) - static_cast<double>(n)) {
    throw UserError("OWL keeps at least one weight in each of " + std::to_string(n) +
                    " layers; target " + str(target) + " of " + std::to_string(total) +
                    " weights leaves fewer");
  }
  std::vector<double> ratio(n);
  for (size_t l = 0; l < n; ++l) ratio[l] = outlier_ratio(weights[l], options.outlier_multiple);
  const auto [low, high] = std::minmax_element(ratio.begin(), ratio.end());
  std::vector<double> base(n);  // target - lambda * u_l, before the shift
  for (size_t l = 0; l < n; ++l) {
    const double u = *high > *low ? 2.0 * (ratio[l] - *low) / (*high - *low) - 1.0 : 0.0;
    base[l] = target - options.lambda * u;
  }
  auto sparsity_at = [&](size_t l, double shift) {
    const auto numel = static_cast<double>(layers[l].numel);
    return std::clamp(base[l] + shift, 0.0, (numel - 1.0) / numel);
  };
  auto pruned_at = [&](double shift) {
    double sum = 0.0;
    for (size_t l = 0; l < n; ++l)
      sum += sparsity_at(l, shift) * static_cast<double>(layers[l].numel);
    return sum;
  };
  // pruned_at is nondecreasing in the shift: every layer is at 0 at `lo` and at its cap at `hi`.
  double lo = -1.0 - *std::max_element(base.begin(), base.end());
  double hi = 2.0 - *std::min_element(base.begin(), base.end());
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break;
    (pruned_at(mid) < goal ? lo : hi) = mid;
  }
  std::vector<double> sparsity(n);
  for (size_t l = 0; l < n; ++l) sparsity[l] = sparsity_at(l, hi);
  return round_to_budget(layers, sparsity, total, target);
}

}  // namespace topiary::prune
