#include "train/evaluate.h"

#include <torch/torch.h>

#include <cmath>

#include "core/error.h"
#include "data/lm_tokenizer.h"
#include "train/batch.h"
#include "train/device_tensor.h"

namespace topiary::train {

// Note [Evaluation on the device]: the sums are kept where the model runs and read back once, at
// the end, so a GPU evaluation does not wait for the host after every batch. Counts are exact
// in float64, and each batch's loss is added in float64 in batch order, as a host sum would be.
namespace {

// counts[c] = number of c in `classes` (int64, any device; unlike bincount, no host read).
torch::Tensor class_counts(const torch::Tensor& classes, int64_t num_classes,
                           const torch::Tensor& weights) {
  return torch::zeros({num_classes}, weights.options()).scatter_add_(0, classes, weights);
}

// Brings the device-side sums (every entry but [2], the count, which the host keeps) back
// once, sums every entry over ranks, and fills what both tasks report: examples, mean loss,
// accuracy. `sums` is [loss sum, correct, count, ...task-specific].
EvalResult reduce_evaluation_sums(models::Model& model, const torch::Tensor& on_device,
                                  std::vector<double>& sums, comm::Communicator& comm) {
  const torch::Tensor host = on_device.cpu();
  const double* values = host.data_ptr<double>();
  for (size_t i = 0; i < static_cast<size_t>(host.numel()); ++i) {
    if (i != 2) sums[i] = values[i];
  }
  comm.all_reduce(sums.data(), static_cast<int64_t>(sums.size()), comm::DataType::kFloat64,
                  comm::ReduceOp::kSum, "evaluation sums");
  model.train();
  EvalResult result;
  result.examples = static_cast<int64_t>(sums[2]);
  if (sums[2] > 0) {
    result.loss = sums[0] / sums[2];
    result.accuracy = sums[1] / sums[2];
  }
  return result;
}

}  // namespace

EvalResult evaluate_classifier(models::Model& model, const data::TokenizedSplit& split,
                               int64_t num_classes, int64_t max_length, comm::Communicator& comm,
                               int64_t batch_size) {
  torch::NoGradGuard no_grad;
  model.eval();
  const torch::Device device = device_of(model);
  // [loss sum, correct, count, then per class: true positives, predicted, actual]
  std::vector<double> sums(3 + 3 * static_cast<size_t>(num_classes), 0.0);
  torch::Tensor on_device = torch::zeros({static_cast<int64_t>(sums.size())},
                                         torch::TensorOptions(torch::kFloat64).device(device));
  std::vector<int64_t> mine;
  for (int64_t i = comm.rank(); i < split.size(); i += comm.world_size()) mine.push_back(i);
  for (size_t begin = 0; begin < mine.size(); begin += static_cast<size_t>(batch_size)) {
    const size_t end = std::min(mine.size(), begin + static_cast<size_t>(batch_size));
    std::vector<int64_t> examples(mine.begin() + static_cast<std::ptrdiff_t>(begin),
                                  mine.begin() + static_cast<std::ptrdiff_t>(end));
    PaddedBatch batch = make_batch(split, examples, model.min_length(), max_length);
    const torch::Tensor ids = ids_on(batch.ids, {batch.rows, batch.length}, device);
    const torch::Tensor labels = ids_on(batch.labels, {batch.rows}, device);
    torch::Tensor logits = model.forward(ids).to(torch::kFloat32);
    const torch::Tensor loss = torch::nn::functional::cross_entropy(
        logits, labels, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum));
    const torch::Tensor predicted = logits.argmax(1);
    const torch::Tensor hit = (predicted == labels).to(torch::kInt64);
    const torch::Tensor ones = torch::ones_like(labels);
    const torch::Tensor per_class = torch::stack(
        {class_counts(labels, num_classes, hit), class_counts(predicted, num_classes, ones),
         class_counts(labels, num_classes, ones)},
        1);
    on_device.narrow(0, 0, 1).add_(loss.to(torch::kFloat64));
    on_device.narrow(0, 1, 1).add_(hit.sum().to(torch::kFloat64));
    on_device.narrow(0, 3, 3 * num_classes).add_(per_class.reshape({-1}).to(torch::kFloat64));
    sums[2] += static_cast<double>(batch.rows);
  }
  EvalResult result = reduce_evaluation_sums(model, on_device, sums, comm);
  // Classes absent from both labels and predictions are left out of the mean (sklearn would
  // warn and count them as 0, which punishes a validation split for lacking a class).
  double f1_sum = 0;
  int64_t classes = 0;
  for (int64_t c = 0; c < num_classes; ++c) {
    const double tp = sums[3 + 3 * c], predicted = sums[4 + 3 * c], actual = sums[5 + 3 * c];
    if (predicted + actual == 0) continue;
    f1_sum += 2 * tp / (predicted + actual);
    ++classes;
  }
  result.macro_f1 = classes > 0 ? f1_sum / static_cast<double>(classes) : 0;
  return result;
}

std::vector<int64_t> token_stream(const data::TokenizedSplit& split) {
  std::vector<int64_t> stream;
  stream.reserve(split.tokens.size() + static_cast<size_t>(split.size()));
  for (int64_t d = 0; d < split.size(); ++d) {
    for (int64_t t = split.offsets[d]; t < split.offsets[d + 1]; ++t)
      stream.push_back(split.tokens[static_cast<size_t>(t)]);
    stream.push_back(data::kEosId);
  }
  return stream;
}

EvalResult evaluate_language_model(models::Model& model, const std::vector<int64_t>& stream,
                                   int64_t context, comm::Communicator& comm, int64_t batch_size) {
  torch::NoGradGuard no_grad;
  model.eval();
  const torch::Device device = device_of(model);
  std::vector<double> sums(3, 0.0);  // loss sum, correct, predicted tokens
  // Note [Evaluation on the device]: loss sum and correct predictions.
  torch::Tensor on_device = torch::zeros({2}, torch::TensorOptions(torch::kFloat64).device(device));
  const int64_t predictions = static_cast<int64_t>(stream.size()) - 1;
  const int64_t blocks = predictions > 0 ? (predictions + context - 1) / context : 0;
  std::vector<int64_t> mine;
  for (int64_t b = comm.rank(); b < blocks; b += comm.world_size()) mine.push_back(b);
  auto run = [&](const std::vector<int64_t>& batch_blocks, int64_t length) {
    std::vector<int64_t> inputs, targets;
    for (int64_t b : batch_blocks) {
      const auto begin = stream.begin() + b * context;
      inputs.insert(inputs.end(), begin, begin + length);
      targets.insert(targets.end(), begin + 1, begin + length + 1);
    }
    const auto rows = static_cast<int64_t>(batch_blocks.size());
    const torch::Tensor x = ids_on(inputs, {rows, length}, device);
    const torch::Tensor y = ids_on(targets, {rows * length}, device);
    torch::Tensor logits = model.forward(x).to(torch::kFloat32).reshape({rows * length, -1});
    const torch::Tensor loss = torch::nn::functional::cross_entropy(
        logits, y, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum));
    on_device.narrow(0, 0, 1).add_(loss.to(torch::kFloat64));
    on_device.narrow(0, 1, 1).add_((logits.argmax(1) == y).sum().to(torch::kFloat64));
    sums[2] += static_cast<double>(rows * length);
  };
  std::vector<int64_t> full;
  for (int64_t b : mine) {
    const int64_t length = std::min(context, predictions - b * context);
    if (length < context) {
      run({b}, length);  // the stream's tail
      continue;
    }
    full.push_back(b);
    if (static_cast<int64_t>(full.size()) == batch_size) {
      run(full, context);
      full.clear();
    }
  }
  if (!full.empty()) run(full, context);
  EvalResult result = reduce_evaluation_sums(model, on_device, sums, comm);
  if (result.examples > 0) result.perplexity = std::exp(result.loss);
  return result;
}

nlohmann::json eval_fields(const EvalResult& result, bool language_model) {
  nlohmann::json fields = {{"loss", result.loss}, {"accuracy", result.accuracy}};
  if (language_model) {
    fields["perplexity"] = result.perplexity;
  } else {
    fields["macro_f1"] = result.macro_f1;
  }
  return fields;
}

double metric_value(const EvalResult& result, recipe::Metric metric) {
  switch (metric) {
    case recipe::Metric::kAccuracy:
      return result.accuracy;
    case recipe::Metric::kMacroF1:
      return result.macro_f1;
    case recipe::Metric::kLoss:
      return result.loss;
    case recipe::Metric::kPerplexity:
      return result.perplexity;
    case recipe::Metric::kAuto:
      break;
  }
  TOPIARY_ASSERT(false, "selection metric auto was not resolved to the task's default");
  return 0;
}

bool metric_higher_is_better(recipe::Metric metric) {
  return metric == recipe::Metric::kAccuracy || metric == recipe::Metric::kMacroF1;
}

}  // namespace topiary::train
