#include "analysis/sensitivity.h"

#include <ATen/Parallel.h>
#include <torch/types.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <span>

#include "comm/agree.h"
#include "comm/mpi_communicator.h"
#include "core/error.h"
#include "core/subprocess.h"
#include "data/dataset.h"
#include "io/atomic_file.h"
#include "prune/allocation.h"
#include "prune/pattern.h"
#include "prune/scorers.h"
#include "recipe/recipe.h"
#include "train/evaluate.h"
#include "train/open_checkpoint.h"

namespace topiary::analysis {
namespace fs = std::filesystem;
namespace {

constexpr const char* kPlotScript = "python/topiary_plots/sensitivity.py";

struct Target {
  std::string name;
  torch::Tensor parameter;  // the model's own tensor: pruned in place, then restored
  std::vector<int64_t> shape;
  prune::Pattern pattern;
  // The first modifier that selects it: "stages.0.modifiers.0.prune", and where it is written.
  std::string modifier, modifier_where;
  double init_sparsity = 0.0;  // the modifier's: an override may not go below it
  torch::Tensor mask;          // CPU float; all ones without a mask
  double current_sparsity = 0.0;
};

// Everything every rank sets up identically before the sweep.
struct Sweep {
  train::OpenedCheckpoint checkpoint;  // recipe, dataset, model (the targets' tensors are its own)
  std::vector<int64_t> stream;         // language model: the validation split as one token stream
  std::vector<Target> targets;
  std::vector<double> grid;
  std::string output_dir;
  double target_sparsity = 0.0;
};

// One point's outcome, as 4 doubles in the all-gather of its round.
enum Status { kNoPoint = 0, kEvaluated = 1, kUnchanged = 2, kFailed = 3 };
struct PointResult {
  double loss = 0.0, accuracy = 0.0, achieved_sparsity = 0.0;
  int status = kNoPoint;
};
constexpr int64_t kRecordSize = 4;

// The shortest text that reads back as the same double: byte-identical wherever it is printed.
std::string number(double value) {
  char buffer[32];
  return std::string(buffer, std::to_chars(buffer, buffer + sizeof(buffer), value).ptr);
}

std::span<const float> const_span(const torch::Tensor& t) {
  return {t.data_ptr<float>(), static_cast<size_t>(t.numel())};
}
std::span<float> float_span(torch::Tensor& t) {
  return {t.data_ptr<float>(), static_cast<size_t>(t.numel())};
}
double zero_fraction(const torch::Tensor& mask) {
  return static_cast<double>((mask == 0).sum().item<int64_t>()) / static_cast<double>(mask.numel());
}

Sweep set_up(const SensitivityOptions& options, int rank) {
  Sweep s;
  s.grid = options.grid;
  std::sort(s.grid.begin(), s.grid.end());
  s.grid.erase(std::unique(s.grid.begin(), s.grid.end()), s.grid.end());
  if (s.grid.empty() || !(s.grid.front() > 0.0) || !(s.grid.back() < 1.0)) {
    throw UserError("--grid needs sparsities in (0, 1), e.g. 0.1,0.2,...,0.9");
  }
  train::OpenOptions open;
  open.recipe = {options.recipe_path, options.overrides, "; pass --recipe"};
  open.check_dataset = [](const data::Dataset& dataset, const std::string& data_path) {
    if (dataset.valid.size() == 0) {
      throw UserError(data_path + ": no validation split; the sweep evaluates on it");
    }
  };
  open.check_task = true;
  s.checkpoint = train::open_checkpoint(options.checkpoint, open);
  train::OpenedCheckpoint& c = s.checkpoint;
  if (c.model->is_language_model()) s.stream = train::token_stream(c.dataset.valid);
  std::vector<std::string> names;
  for (const auto& [name, parameter] : c.parameters) names.push_back(name);
  recipe::validate_targets(c.recipe, names);
  std::set<std::string> seen;
  double largest_final = 0.0;
  for (const auto& stage : c.recipe.stages) {
    for (const auto& modifier : stage.prune) {
      largest_final = std::max(largest_final, modifier.final_sparsity);
      if (modifier.method != prune::ScorerKind::kMagnitude && rank == 0) {
        std::printf("note: %s prunes by %s; the sweep scores by magnitude\n",
                    modifier.where.key.c_str(),
                    std::string(prune::kScorerKinds.name(modifier.method)).c_str());
      }
      for (const auto& name : recipe::select_parameters(modifier, names)) {
        if (!seen.insert(name).second) continue;
        Target t;
        t.name = name;
        t.parameter = std::find_if(c.parameters.begin(), c.parameters.end(), [&](const auto& p) {
                        return p.first == name;
                      })->second;
        t.shape.assign(t.parameter.sizes().begin(), t.parameter.sizes().end());
        t.pattern = prune::parse_pattern(modifier.pattern);
        prune::check_pattern_fits(t.pattern, name, t.shape);
        t.modifier = modifier.where.key;
        t.modifier_where = modifier.where.to_string();
        t.init_sparsity = modifier.init_sparsity;
        t.mask = c.masks.has(name) ? c.masks.at(name).to(torch::kCPU).contiguous().clone()
                                   : torch::ones_like(t.parameter, torch::kFloat32);
        t.current_sparsity = zero_fraction(t.mask);
        s.targets.push_back(std::move(t));
      }
    }
  }
  if (s.targets.empty()) throw UserError("the recipe has no prune modifier: nothing to sweep");
  // Later modifiers may add parameters that come earlier in the model.
  std::stable_sort(s.targets.begin(), s.targets.end(), [&](const Target& a, const Target& b) {
    return std::find(names.begin(), names.end(), a.name) <
           std::find(names.begin(), names.end(), b.name);
  });
  s.target_sparsity = options.target.value_or(largest_final);
  if (!(s.target_sparsity >= 0.0 && s.target_sparsity < 1.0)) {
    throw UserError("--target must be in [0, 1), not " + number(s.target_sparsity));
  }
  s.output_dir = options.output_dir.empty()
                     ? (fs::path(options.checkpoint).parent_path() / "sensitivity").string()
                     : options.output_dir;
  if (rank == 0) {
    std::error_code error;
    fs::create_directories(s.output_dir, error);
    if (error) throw UserError(s.output_dir + ": cannot create directory: " + error.message());
  }
  return s;
}

PointResult evaluate(Sweep& s, comm::Communicator& loopback) {
  const train::OpenedCheckpoint& c = s.checkpoint;
  const train::EvalResult r =
      c.model->is_language_model()
          ? train::evaluate_language_model(*c.model, s.stream, c.spec.max_positions, loopback)
          : train::evaluate_classifier(*c.model, c.dataset.valid, c.spec.num_classes, c.max_length,
                                       loopback);
  PointResult result;
  result.loss = r.loss;
  result.accuracy = r.accuracy;
  result.status = kEvaluated;
  return result;
}

// Point (target, sparsity): Note [Sensitivity sweep].
PointResult run_point(Sweep& s, const Target& t, double sparsity, comm::Communicator& loopback) {
  at::NoGradGuard no_grad;
  torch::Tensor weights = t.parameter.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  torch::Tensor scores = torch::empty_like(weights);
  prune::magnitude_scores(const_span(weights), const_span(t.mask), float_span(scores));
  torch::Tensor mask = torch::empty_like(weights);
  prune::ScoredTensor scored{const_span(scores), float_span(mask)};
  prune::select_masks({&scored, 1}, {&t.shape, 1}, {&t.name, 1}, t.pattern, prune::Scope::kLayer,
                      sparsity);
  mask.mul_(t.mask);  // no regrowth, as in training
  if (torch::equal(mask, t.mask)) {
    PointResult same;
    same.achieved_sparsity = t.current_sparsity;
    same.status = kUnchanged;  // its result is the baseline's, filled in when gathered
    return same;
  }
  const torch::Tensor original = t.parameter.detach().clone();
  t.parameter.detach().mul_(mask.to(t.parameter.device()));
  PointResult result;
  try {
    result = evaluate(s, loopback);
  } catch (...) {
    t.parameter.detach().copy_(original);
    throw;
  }
  t.parameter.detach().copy_(original);
  result.achieved_sparsity = zero_fraction(mask);
  return result;
}

void write_text(const std::string& path, const std::string& text) {
  io::AtomicFile file(path);
  {
    std::ofstream out(file.temp_path(), std::ios::binary);
    out << text;
    out.close();
    if (!out) throw UserError(path + ": cannot write");
  }
  file.commit();
}

std::string csv_text(const Sweep& s, const std::vector<PointResult>& results) {
  std::string text = "target,sparsity,loss,accuracy,loss_increase,achieved_sparsity\n";
  auto row = [&](const std::string& name, double sparsity, const PointResult& r) {
    text += name + "," + number(sparsity) + "," + number(r.loss) + "," + number(r.accuracy) + "," +
            number(r.loss - results[0].loss) + "," + number(r.achieved_sparsity) + "\n";
  };
  for (size_t t = 0; t < s.targets.size(); ++t) {
    const Target& target = s.targets[t];
    // The baseline row, unless the grid holds the current sparsity (its row is then the same).
    if (std::find(s.grid.begin(), s.grid.end(), target.current_sparsity) == s.grid.end()) {
      PointResult baseline = results[0];
      baseline.achieved_sparsity = target.current_sparsity;
      row(target.name, target.current_sparsity, baseline);
    }
    for (size_t g = 0; g < s.grid.size(); ++g) {
      row(target.name, s.grid[g], results[1 + t * s.grid.size() + g]);
    }
  }
  return text;
}

// Runs python/topiary_plots/sensitivity.py CSV PNG with $TOPIARY_PYTHON, else the source tree's
// .venv, else python3. Returns "" or why there is no plot.
std::string plot(const std::string& csv, const std::string& png) {
  const fs::path root = core::find_source_root(kPlotScript);
  if (root.empty()) {
    return std::string("cannot find ") + kPlotScript + " (set TOPIARY_SOURCE_DIR)";
  }
  const std::string python = core::find_python(root);
  const std::string script = (root / kPlotScript).string();
  std::string error;
  const int code = core::run_process({python, script, csv, png}, &error);
  if (code == core::kProcessNotStarted) return error;
  if (code != 0) return python + " " + script + " failed";
  return "";
}

// The layer's measured curve for prune::sensitivity_allocation: (0, 0), the baseline at its
// current sparsity, then every point that prunes more than the one before it.
prune::LayerSensitivity curve(const Sweep& s, size_t t, const std::vector<PointResult>& results) {
  std::vector<prune::SensitivityPoint> measured{{s.targets[t].current_sparsity, 0.0}};
  for (size_t g = 0; g < s.grid.size(); ++g) {
    const PointResult& r = results[1 + t * s.grid.size() + g];
    measured.push_back({r.achieved_sparsity, r.loss - results[0].loss});
  }
  std::stable_sort(measured.begin(), measured.end(),
                   [](const auto& a, const auto& b) { return a.sparsity < b.sparsity; });
  prune::LayerSensitivity layer;
  layer.points.push_back({0.0, 0.0});
  for (const auto& p : measured) {
    if (p.sparsity > layer.points.back().sparsity) layer.points.push_back(p);
  }
  layer.min_sparsity = s.targets[t].current_sparsity;  // a mask never loses a pruned entry
  return layer;
}

double predicted_increase(const prune::LayerSensitivity& layer, double sparsity) {
  const auto& p = layer.points;
  for (size_t i = 1; i < p.size(); ++i) {
    if (p[i].sparsity >= sparsity) {
      const double f = (sparsity - p[i - 1].sparsity) / (p[i].sparsity - p[i - 1].sparsity);
      return p[i - 1].loss_increase + f * (p[i].loss_increase - p[i - 1].loss_increase);
    }
  }
  return p.back().loss_increase;
}

// The allocation as `overrides:` blocks, one per prune modifier, ready to paste.
std::string allocation_yaml(const Sweep& s, const std::vector<PointResult>& results) {
  std::vector<size_t> chosen;  // N:M fixes its sparsity: nothing to allocate
  for (size_t t = 0; t < s.targets.size(); ++t) {
    if (s.targets[t].pattern.fixed_sparsity() < 0) chosen.push_back(t);
  }
  if (chosen.empty()) return "# Every target has an N:M pattern, which fixes its sparsity.\n";
  std::vector<prune::LayerInfo> layers;
  std::vector<prune::LayerSensitivity> sweeps;
  int64_t total = 0;
  for (size_t t : chosen) {
    layers.push_back({s.targets[t].name, s.targets[t].shape, s.targets[t].parameter.numel()});
    sweeps.push_back(curve(s, t, results));
    total += layers.back().numel;
  }
  std::vector<double> allocation;
  try {
    allocation = prune::sensitivity_allocation(layers, sweeps, s.target_sparsity);
  } catch (const UserError& e) {
    throw UserError(std::string(e.what()) +
                    " (a layer prunes at most its highest grid point: add higher values to --grid "
                    "or lower --target; sensitivity.csv is written)");
  }
  std::string text = "# topiary sensitivity: per-layer final sparsities that prune " +
                     number(s.target_sparsity) + " of these " + std::to_string(chosen.size()) +
                     " targets' " + std::to_string(total) +
                     " weights together\n# with the least predicted loss increase "
                     "(prune::sensitivity_allocation over the sweep; layers\n# interact, so the "
                     "real increase differs). Paste each block into its prune modifier, in\n# "
                     "place of its overrides if it has any.\n";
  std::vector<std::string> modifiers;  // in order of first appearance
  for (size_t t : chosen) {
    if (std::find(modifiers.begin(), modifiers.end(), s.targets[t].modifier) == modifiers.end())
      modifiers.push_back(s.targets[t].modifier);
  }
  for (const auto& modifier : modifiers) {
    bool opened = false;
    for (size_t k = 0; k < chosen.size(); ++k) {
      const Target& t = s.targets[chosen[k]];
      if (t.modifier != modifier) continue;
      if (!opened) text += "# " + modifier + " (" + t.modifier_where + ")\noverrides:\n";
      opened = true;
      const double sparsity = std::max(allocation[k], t.init_sparsity);
      text += "  - {targets: [" + nlohmann::json(t.name).dump() +
              "], final_sparsity: " + number(sparsity) + "}  # " + std::to_string(layers[k].numel) +
              " weights, now " + number(t.current_sparsity) + ", predicted loss increase " +
              number(predicted_increase(sweeps[k], sparsity)) + "\n";
    }
  }
  return text;
}

}  // namespace

int run_sensitivity(const SensitivityOptions& options) {
  auto comm = comm::make_mpi_communicator();
  auto loopback = comm::make_loopback_communicator();
  const int rank = comm->rank(), world = comm->world_size();
  Sweep s;
  // A failure on any rank fails all, reported once by rank 0 (files are the same for every rank).
  const comm::AgreeOutcome outcome = comm::agree(
      *comm, [&] { s = set_up(options, rank); }, "sensitivity setup");
  if (!outcome.ok) {
    if (rank == 0) std::fprintf(stderr, "topiary: error: %s\n", outcome.message.c_str());
    return kExitUserError;
  }
  // Same thread count on every rank and world size: part of what makes a point's result exact.
  at::set_num_threads(static_cast<int>(s.checkpoint.recipe.training.threads));
  const auto began = std::chrono::steady_clock::now();
  const int64_t grid = static_cast<int64_t>(s.grid.size());
  const int64_t points = 1 + static_cast<int64_t>(s.targets.size()) * grid;
  if (rank == 0) {
    std::printf(
        "sensitivity: %zu targets x %lld sparsities + baseline = %lld points on %d rank%s\n",
        s.targets.size(), static_cast<long long>(grid), static_cast<long long>(points), world,
        world == 1 ? "" : "s");
    std::fflush(stdout);
  }
  std::vector<PointResult> results(static_cast<size_t>(points));
  std::vector<double> mine(kRecordSize), gathered(static_cast<size_t>(world * kRecordSize));
  for (int64_t first = 0; first < points; first += world) {
    const int64_t i = first + rank;
    PointResult r;
    if (i < points) {
      try {
        r = i == 0 ? evaluate(s, *loopback)
                   : run_point(s, s.targets[static_cast<size_t>((i - 1) / grid)],
                               s.grid[static_cast<size_t>((i - 1) % grid)], *loopback);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "topiary: error: rank %d, sensitivity point %lld: %s\n", rank,
                     static_cast<long long>(i), e.what());
        r.status = kFailed;
      }
    }
    mine = {r.loss, r.accuracy, r.achieved_sparsity, static_cast<double>(r.status)};
    comm->all_gather(mine.data(), gathered.data(), kRecordSize, comm::DataType::kFloat64,
                     "sensitivity results");
    bool any_failed = false;
    for (int q = 0; q < world && first + q < points; ++q) {
      const double* record = &gathered[static_cast<size_t>(q * kRecordSize)];
      PointResult& out = results[static_cast<size_t>(first + q)];
      out = {record[0], record[1], record[2], static_cast<int>(record[3])};
      if (out.status == kUnchanged) {
        out.loss = results[0].loss;
        out.accuracy = results[0].accuracy;
      }
      any_failed = any_failed || out.status == kFailed;
      if (rank == 0 && first + q > 0 && out.status != kFailed) {
        const int64_t p = first + q - 1;
        std::printf("  %-28s %.3f: loss %.4f (%+.4f)  accuracy %.4f%s\n",
                    s.targets[static_cast<size_t>(p / grid)].name.c_str(),
                    s.grid[static_cast<size_t>(p % grid)], out.loss, out.loss - results[0].loss,
                    out.accuracy, out.status == kUnchanged ? "  (mask unchanged)" : "");
      } else if (rank == 0 && first + q == 0 && out.status != kFailed) {
        std::printf("  baseline: loss %.4f  accuracy %.4f\n", out.loss, out.accuracy);
      }
    }
    if (rank == 0) std::fflush(stdout);
    if (any_failed) return kExitInternalError;  // every rank saw the same records
  }
  if (rank != 0) return kExitOk;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  const std::string csv = (fs::path(s.output_dir) / "sensitivity.csv").string();
  write_text(csv, csv_text(s, results));
  std::printf("sweep: %lld points in %.1f s; wrote %s\n", static_cast<long long>(points), seconds,
              csv.c_str());
  const std::string png = (fs::path(s.output_dir) / "sensitivity.png").string();
  if (const std::string why = plot(csv, png); why.empty()) {
    std::printf("wrote %s\n", png.c_str());
  } else {
    std::fprintf(stderr, "topiary: warning: no plot: %s\n", why.c_str());
  }
  const std::string yaml = allocation_yaml(s, results);
  const std::string path = (fs::path(s.output_dir) / "allocation.yaml").string();
  write_text(path, yaml);
  std::printf("%swrote %s\n", yaml.c_str(), path.c_str());
  return kExitOk;
}

}  // namespace topiary::analysis
