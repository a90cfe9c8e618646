#include "train/evaluate.h"

#include <torch/torch.h>

#include "train/batch.h"

namespace topiary::train {

EvalResult evaluate(models::Classifier& model, const data::TokenizedSplit& split,
                    int64_t max_length, comm::Communicator& comm, int64_t batch_size) {
  torch::NoGradGuard no_grad;
  model.eval();
  double sums[3] = {0, 0, 0};  // loss sum, correct, count
  std::vector<int64_t> mine;
  for (int64_t i = comm.rank(); i < split.size(); i += comm.world_size()) mine.push_back(i);
  for (size_t begin = 0; begin < mine.size(); begin += static_cast<size_t>(batch_size)) {
    const size_t end = std::min(mine.size(), begin + static_cast<size_t>(batch_size));
    std::vector<int64_t> examples(mine.begin() + static_cast<std::ptrdiff_t>(begin),
                                  mine.begin() + static_cast<std::ptrdiff_t>(end));
    PaddedBatch batch = make_batch(split, examples, model.min_length(), max_length);
    torch::Tensor ids =
        torch::from_blob(batch.ids.data(), {batch.rows, batch.length}, torch::kInt64);
    torch::Tensor labels = torch::from_blob(batch.labels.data(), {batch.rows}, torch::kInt64);
    torch::Tensor logits = model.forward(ids);
    sums[0] +=
        torch::nn::functional::cross_entropy(
            logits, labels, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
            .item<double>();
    sums[1] += (logits.argmax(1) == labels).sum().item<double>();
    sums[2] += static_cast<double>(batch.rows);
  }
  comm.all_reduce(sums, 3, comm::DataType::kFloat64, comm::ReduceOp::kSum, "evaluation sums");
  model.train();
  EvalResult result;
  result.examples = static_cast<int64_t>(sums[2]);
  if (sums[2] > 0) {
    result.loss = sums[0] / sums[2];
    result.accuracy = sums[1] / sums[2];
  }
  return result;
}

}  // namespace topiary::train
