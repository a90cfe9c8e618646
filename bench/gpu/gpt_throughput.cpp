// gpt_throughput: GPT language-model training throughput (tokens/s) of the trainer itself --
// train::Trainer::step(), the step `topiary train` runs: batches staged to the device, forward
// with bf16 autocast (training.precision: bf16), backward, the gradient exchange, the one host
// read per step, fused Adam, masks -- on one device. A generated recipe drives it (GPT shape,
// training.device, a one-shot magnitude prune of the blocks' matrices at step 0 for
// --sparsity); set_up() runs untimed, then --warmup steps, then --steps timed steps between
// device synchronisations. bench/peers/gpt_peer.py is the PyTorch-eager counterpart and
// bench/gpu/run.sh runs both alternately.
//
//   gpt_throughput --data shakespeare.h5 --device cuda --sparsity 0.9 [--layers 12 ...]
//   gpt_throughput ... --profile   # also "phases_ms": the timed steps' mean per step phase, the
//                                  # device synchronised at every phase boundary (slower steps)
//
// --data is a language-model dataset (`topiary prepare --tokenizer char`): its vocabulary sizes
// the model, so give the peer the same --vocab (printed in the JSON line). Prints one JSON line;
// MFU = 6 * parameters * tokens/s / peak (dense FLOPs: masks do not skip any work).
#include <torch/cuda.h>
#include <torch/torch.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "comm/communicator.h"
#include "data/dataset.h"
#include "train/trainer.h"

namespace {

struct Options {
  std::string data;
  std::string device = "cuda";
  double sparsity = 0.0;
  int64_t layers = 12, width = 768, heads = 12, ffn = 3072, context = 1024;
  int64_t batch = 8, steps = 30, warmup = 5, threads = 1;
  bool bf16 = true;
  double peak_tflops = 989.0;  // H100/H200 SXM dense bf16
  uint64_t seed = 1;
  bool profile = false;
};

std::string recipe_text(const Options& o) {
  std::string text = "name: gpt_throughput\nseed: " + std::to_string(o.seed) + "\n";
  text += "data: {path: '" + o.data + "'}\n";
  text += "model: {type: gpt, embedding_dim: " + std::to_string(o.width) +
          ", heads: " + std::to_string(o.heads) + ", layers: " + std::to_string(o.layers) +
          ", ffn: " + std::to_string(o.ffn) + ", max_positions: " + std::to_string(o.context) +
          ", dropout: 0.0, tie_embeddings: true}\n";
  // No evaluation inside the measured steps: the first one is due after the last step.
  text += "training: {batch_size: " + std::to_string(o.batch) +
          ", optimizer: adam, lr: 0.0001, precision: " + (o.bf16 ? "bf16" : "fp32") +
          ", device: " + o.device + ", threads: " + std::to_string(o.threads) +
          ", eval_every: 1000000it}\n";
  text += "stages:\n  - name: run\n    until: " + std::to_string(o.warmup + o.steps + 1) + "it\n";
  if (o.sparsity > 0) {
    // The blocks' matrices, per tensor; the tied embedding stays dense (as in gpt_peer.py).
    text +=
        "    modifiers:\n      - prune: {method: magnitude, scope: layer, targets: "
        "[\"layers.*.attention.*.weight\", \"layers.*.ffn.*.weight\"], final_sparsity: " +
        std::to_string(o.sparsity) + ", start: 0it, end: 0it, every: 1it, schedule: oneshot}\n";
  }
  return text;
}

void synchronize(const std::string& device) {
  if (device == "cuda") torch::cuda::synchronize();
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"GPT LM training throughput of Topiary's trainer step on one device"};
  app.add_option("--data", o.data, "language-model dataset (topiary prepare --tokenizer char)")
      ->required();
  app.add_option("--device", o.device, "cpu | cuda")->check(CLI::IsMember({"cpu", "cuda"}));
  app.add_option("--sparsity", o.sparsity, "fraction of block matrices masked")
      ->check(CLI::Range(0.0, 0.99));
  app.add_option("--layers", o.layers);
  app.add_option("--width", o.width, "embedding_dim");
  app.add_option("--heads", o.heads);
  app.add_option("--ffn", o.ffn);
  app.add_option("--context", o.context, "tokens per sequence (= max_positions)");
  app.add_option("--batch", o.batch, "sequences per step");
  app.add_option("--steps", o.steps, "timed steps");
  app.add_option("--warmup", o.warmup, "untimed steps first");
  app.add_option("--threads", o.threads, "intra-op threads");
  app.add_option("--bf16", o.bf16, "bf16 autocast of the forward pass (default true)");
  app.add_option("--peak-tflops", o.peak_tflops, "peak for MFU (989 = H100/H200 dense bf16)");
  app.add_option("--seed", o.seed);
  app.add_flag("--profile", o.profile, "time each step phase (synchronises the device)");
  CLI11_PARSE(app, argc, argv);

  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("topiary-gpt-throughput-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream((dir / "recipe.yaml").string()) << recipe_text(o);
  auto comm = topiary::comm::make_loopback_communicator();
  topiary::train::TrainOptions options;
  options.recipe_path = (dir / "recipe.yaml").string();
  options.output_dir = (dir / "run").string();
  options.profile = o.profile;
  topiary::train::Trainer trainer(options, *comm);
  if (const int code = trainer.set_up(); code != 0) {
    std::filesystem::remove_all(dir);
    return code;
  }
  if (trainer.device().rfind(o.device, 0) != 0) {
    std::fprintf(stderr, "gpt_throughput: asked for %s, the trainer runs on %s\n", o.device.c_str(),
                 trainer.device().c_str());
    return 2;
  }
  int64_t step = 0;
  for (; step < o.warmup; ++step) trainer.step(step);
  synchronize(o.device);
  const topiary::train::Trainer::PhaseTotals before = trainer.phase_totals();
  const auto start = std::chrono::steady_clock::now();
  for (; step < o.warmup + o.steps; ++step) {
    if (trainer.step(step) != topiary::train::Trainer::StepStatus::kApplied) {
      std::fprintf(stderr, "gpt_throughput: step %lld was not applied\n",
                   static_cast<long long>(step));
      return 1;
    }
  }
  synchronize(o.device);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::filesystem::remove_all(dir);
  // The timed steps' share only: the warm-up steps (allocator growth, library handles) differ.
  const topiary::train::Trainer::PhaseTotals after = trainer.phase_totals();
  std::string phases;
  if (o.profile) {
    const double timed = static_cast<double>(after.steps - before.steps);
    phases = ", \"phases_ms\": {";
    for (size_t i = 0; i < after.seconds.size(); ++i) {
      const double ms = 1e3 * (after.seconds[i].second - before.seconds[i].second) / timed;
      phases += (i ? ", \"" : "\"") + after.seconds[i].first + "\": " + std::to_string(ms);
    }
    phases += "}";
  }
  const topiary::data::Dataset dataset = topiary::data::read_dataset(o.data);
  const int64_t vocab = static_cast<int64_t>(dataset.vocabulary.size());
  const int64_t parameter_count = trainer.parameter_count();
  const double tokens_per_s =
      static_cast<double>(o.batch * o.context) * static_cast<double>(o.steps) / seconds;
  const double tflops = 6.0 * static_cast<double>(parameter_count) * tokens_per_s / 1e12;
  std::printf(
      "{\"impl\": \"topiary\", \"device\": \"%s\", \"optimizer\": \"fused adam (trainer)\", "
      "\"bf16\": %s, \"sparsity\": %.4f, \"params\": %lld, \"vocab\": %lld, \"layers\": %lld, "
      "\"width\": %lld, \"batch\": %lld, \"context\": %lld, \"steps\": %lld, \"seconds\": %.6f, "
      "\"step_ms\": %.3f, \"tokens_per_s\": %.1f, \"model_tflops\": %.3f, \"mfu\": %.5f, "
      "\"profile\": %s%s}\n",
      trainer.device().c_str(), o.bf16 ? "true" : "false", o.sparsity,
      static_cast<long long>(parameter_count), static_cast<long long>(vocab),
      static_cast<long long>(o.layers), static_cast<long long>(o.width),
      static_cast<long long>(o.batch), static_cast<long long>(o.context),
      static_cast<long long>(o.steps), seconds, 1e3 * seconds / static_cast<double>(o.steps),
      tokens_per_s, tflops, tflops / o.peak_tflops, o.profile ? "true" : "false", phases.c_str());
  return 0;
}
