// gpt_throughput: GPT language-model training throughput (tokens/s) of Topiary's own pieces --
// the registry GPT (framework/models/gpt.cpp), MaskSet (framework/train/mask_set.cpp) and the
// trainer's Adam (framework/train/optimizer.cpp) -- on one device, bf16 autocast of the forward
// pass like training.precision: bf16. The trainer itself has no device placement yet,
// so this binary runs the trainer's step order by hand: forward -> loss -> backward -> gradient
// masks -> Adam -> weight masks. bench/peers/gpt_peer.py is the PyTorch-eager counterpart and
// bench/gpu/run.sh runs both alternately.
//
//   gpt_throughput --device cuda --sparsity 0.9 [--layers 12 --width 768 ...] [--steps 30]
//
// Tokens are uniform random ids (throughput does not depend on their values). Prints one JSON
// line; MFU = 6 * parameters * tokens/s / peak (dense FLOPs: masks do not skip any work).
#include <ATen/Context.h>
#include <ATen/autocast_mode.h>
#include <torch/cuda.h>
#include <torch/optim/adam.h>
#include <torch/torch.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "models/model.h"
#include "recipe/recipe.h"
#include "train/mask_set.h"
#include "train/optimizer.h"

namespace {

using NamedParameters = std::vector<std::pair<std::string, torch::Tensor>>;

struct Options {
  std::string device = "cuda";
  double sparsity = 0.0;
  int64_t layers = 12, width = 768, heads = 12, ffn = 3072, vocab = 50304, context = 1024;
  int64_t batch = 8, steps = 30, warmup = 5, threads = 0;
  bool bf16 = true;
  std::string optimizer = "topiary";  // topiary (train/optimizer.cpp) | libtorch (torch::optim)
  double peak_tflops = 989.0;         // H100/H200 SXM dense bf16
  uint64_t seed = 1;
};

// Magnitude masks per tensor at `sparsity` over every 2-D weight inside the blocks (attention
// q/k/v/o, ffn up/down); the tied embedding / output matrix stays dense. Same targets in
// gpt_peer.py.
void prune_blocks(const NamedParameters& parameters, double sparsity,
                  topiary::train::MaskSet& masks) {
  torch::NoGradGuard no_grad;
  for (const auto& [name, p] : parameters) {
    if (name.rfind("layers.", 0) != 0 || p.dim() != 2) continue;
    const int64_t k = static_cast<int64_t>(sparsity * static_cast<double>(p.numel()));
    if (k <= 0) continue;
    const torch::Tensor magnitude = p.detach().abs().reshape({-1}).to(torch::kFloat32);
    const torch::Tensor threshold = std::get<0>(magnitude.kthvalue(k));
    masks.add(name, p);
    masks.at(name).copy_((p.detach().abs() > threshold).to(torch::kFloat32));
  }
  masks.apply_to_weights(parameters);
}

void synchronize(const torch::Device& device) {
  if (device.is_cuda()) torch::cuda::synchronize();
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"GPT LM training throughput of Topiary's model, masks and Adam on one device"};
  app.add_option("--device", o.device, "cpu | cuda")->check(CLI::IsMember({"cpu", "cuda"}));
  app.add_option("--sparsity", o.sparsity, "fraction of block weights masked")
      ->check(CLI::Range(0.0, 0.99));
  app.add_option("--layers", o.layers);
  app.add_option("--width", o.width, "embedding_dim");
  app.add_option("--heads", o.heads);
  app.add_option("--ffn", o.ffn);
  app.add_option("--vocab", o.vocab);
  app.add_option("--context", o.context, "tokens per sequence (= max_positions)");
  app.add_option("--batch", o.batch, "sequences per step");
  app.add_option("--steps", o.steps, "timed steps");
  app.add_option("--warmup", o.warmup, "untimed steps first");
  app.add_option("--threads", o.threads, "intra-op threads (0 = torch default)");
  app.add_option("--bf16", o.bf16, "bf16 autocast of the forward pass (default true)");
  app.add_option("--optimizer", o.optimizer,
                 "topiary (fused Adam of train/optimizer.cpp) | libtorch")
      ->check(CLI::IsMember({"topiary", "libtorch"}));
  app.add_option("--peak-tflops", o.peak_tflops, "peak for MFU (989 = H100/H200 dense bf16)");
  app.add_option("--seed", o.seed);
  CLI11_PARSE(app, argc, argv);

  if (o.threads > 0) torch::set_num_threads(static_cast<int>(o.threads));
  const torch::Device device(o.device == "cuda" ? torch::kCUDA : torch::kCPU);
  if (device.is_cuda() && !torch::cuda::is_available()) {
    std::fprintf(stderr, "gpt_throughput: --device cuda but torch sees no CUDA device\n");
    return 2;
  }
  torch::manual_seed(o.seed);
  topiary::models::ModelSpec spec;
  spec.type = "gpt";
  spec.vocab_size = o.vocab;
  spec.embedding_dim = o.width;
  spec.heads = o.heads;
  spec.ffn = o.ffn;
  spec.layers = o.layers;
  spec.max_positions = o.context;
  spec.dropout = 0.0;  // like most LM pre-training recipes; also keeps both sides' work equal
  auto model = topiary::models::make_model(spec);
  model->to(device);
  model->train();
  NamedParameters parameters;
  std::vector<torch::Tensor> tensors;
  int64_t parameter_count = 0;
  for (const auto& item : model->named_parameters()) {
    parameters.emplace_back(item.key(), item.value());
    tensors.push_back(item.value());
    parameter_count += item.value().numel();
  }
  topiary::train::MaskSet masks;
  if (o.sparsity > 0) prune_blocks(parameters, o.sparsity, masks);

  std::unique_ptr<torch::optim::Optimizer> optimizer;
  if (o.optimizer == "topiary") {
    topiary::recipe::TrainingConfig config;
    config.optimizer = "adam";
    config.lr = 1e-4;
    optimizer = topiary::train::make_optimizer(config, tensors);
  } else {
    optimizer = std::make_unique<torch::optim::Adam>(tensors, torch::optim::AdamOptions(1e-4));
  }

  const auto at_device = device.is_cuda() ? at::kCUDA : at::kCPU;
  double last_loss = 0;
  auto step = [&] {
    const torch::Tensor block = torch::randint(0, o.vocab, {o.batch, o.context + 1},
                                               torch::TensorOptions(torch::kInt64).device(device));
    const torch::Tensor tokens = block.narrow(1, 0, o.context);
    const torch::Tensor targets = block.narrow(1, 1, o.context);
    optimizer->zero_grad();
    torch::Tensor loss;
    {
      if (o.bf16) {
        at::autocast::set_autocast_dtype(at_device, at::kBFloat16);
        at::autocast::set_autocast_enabled(at_device, true);
        at::autocast::increment_nesting();
      }
      const torch::Tensor logits = model->forward(tokens);
      loss = torch::nn::functional::cross_entropy(logits.reshape({-1, o.vocab}).to(torch::kFloat32),
                                                  targets.reshape({-1}));
      if (o.bf16) {
        if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
        at::autocast::set_autocast_enabled(at_device, false);
      }
    }
    loss.backward();
    masks.apply_to_grads(parameters);
    optimizer->step();
    masks.apply_to_weights(parameters);
    return loss;
  };
  for (int64_t i = 0; i < o.warmup; ++i) step();
  synchronize(device);
  const auto start = std::chrono::steady_clock::now();
  torch::Tensor loss;
  for (int64_t i = 0; i < o.steps; ++i) loss = step();
  synchronize(device);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  last_loss = loss.defined() ? loss.item<double>() : 0.0;

  const double tokens_per_step = static_cast<double>(o.batch * o.context);
  const double tokens_per_s = tokens_per_step * static_cast<double>(o.steps) / seconds;
  const double tflops = 6.0 * static_cast<double>(parameter_count) * tokens_per_s / 1e12;
  std::printf(
      "{\"impl\": \"topiary\", \"device\": \"%s\", \"optimizer\": \"%s\", \"bf16\": %s, "
      "\"sparsity\": %.4f, \"params\": %lld, \"layers\": %lld, \"width\": %lld, \"batch\": %lld, "
      "\"context\": %lld, \"steps\": %lld, \"seconds\": %.6f, \"step_ms\": %.3f, "
      "\"tokens_per_s\": %.1f, \"model_tflops\": %.3f, \"mfu\": %.5f, \"loss\": %.5f}\n",
      o.device.c_str(), o.optimizer.c_str(), o.bf16 ? "true" : "false", masks.sparsity(),
      static_cast<long long>(parameter_count), static_cast<long long>(o.layers),
      static_cast<long long>(o.width), static_cast<long long>(o.batch),
      static_cast<long long>(o.context), static_cast<long long>(o.steps), seconds,
      1e3 * seconds / static_cast<double>(o.steps), tokens_per_s, tflops, tflops / o.peak_tflops,
      last_loss);
  return 0;
}
