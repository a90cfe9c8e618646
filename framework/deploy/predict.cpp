#include "deploy/predict.h"

#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "data/corpus_reader.h"
#include "deploy/runnable_model.h"

namespace topiary::deploy {
namespace {

data::RawCorpus read_inputs(const PredictOptions& options) {
  data::InputOptions input;
  input.format = data::parse_input_format(options.format);
  const std::string label = options.label_column;
  switch (input.format) {
    case data::InputFormat::kTsv:
    case data::InputFormat::kCsv:
      input.delimited.text_column = options.text_column;
      // The reader needs a label column; without gold labels any column name that exists works,
      // so reuse the text column.
      input.delimited.label_column = label.empty() ? options.text_column : label;
      break;
    case data::InputFormat::kJsonl:
      input.jsonl.text_column = options.text_column;
      input.jsonl.label_column = label;
      break;
    case data::InputFormat::kText:
      break;
    case data::InputFormat::kDir:
      throw UserError("predict reads --format text, tsv, csv or jsonl, not dir");
  }
  return data::read_corpus(options.input, input);
}

int classify_file(RunnableModel& runnable, const PredictOptions& options) {
  const data::RawCorpus corpus = read_inputs(options);
  std::vector<std::vector<int64_t>> inputs;
  for (const auto& example : corpus.examples) {
    std::vector<int64_t> ids = runnable.encoder->encode(example.text);
    if (runnable.prepare_max_length > 0 &&
        static_cast<int64_t>(ids.size()) > runnable.prepare_max_length)
      ids.resize(static_cast<size_t>(runnable.prepare_max_length));
    inputs.push_back(std::move(ids));
  }
  const auto logits = classify(runnable, inputs);
  int64_t correct = 0, labelled = 0;
  for (size_t i = 0; i < logits.size(); ++i) {
    const std::vector<float>& row = logits[i];
    const float top = *std::max_element(row.begin(), row.end());
    double total = 0;
    for (float v : row) total += std::exp(static_cast<double>(v - top));
    nlohmann::json probabilities = nlohmann::json::object();
    size_t best = 0;
    for (size_t c = 0; c < row.size(); ++c) {
      probabilities[runnable.label_names.at(c)] =
          std::exp(static_cast<double>(row[c] - top)) / total;
      if (row[c] > row[best]) best = c;
    }
    nlohmann::json line = {{"line", corpus.examples[i].line},
                           {"label", runnable.label_names.at(best)},
                           {"probabilities", probabilities}};
    if (options.logits) line["logits"] = row;
    if (!options.label_column.empty()) {
      line["gold"] = corpus.examples[i].label;
      ++labelled;
      correct += corpus.examples[i].label == runnable.label_names[best] ? 1 : 0;
    }
    std::printf("%s\n", line.dump().c_str());
  }
  if (labelled > 0) {
    std::fprintf(stderr, "topiary: %lld examples, accuracy %.4f\n",
                 static_cast<long long>(labelled),
                 static_cast<double>(correct) / static_cast<double>(labelled));
  }
  return kExitOk;
}

int generate(RunnableModel& runnable, const PredictOptions& options) {
  torch::NoGradGuard no_grad;
  std::vector<int64_t> ids = runnable.encoder->encode(options.prompt);
  if (ids.empty()) ids.push_back(2);  // start after a document boundary
  const int64_t context = runnable.spec.max_positions;
  torch::Generator generator = at::detail::createCPUGenerator(options.seed);
  std::vector<int64_t> generated;
  for (int64_t t = 0; t < options.tokens; ++t) {
    const int64_t start = std::max<int64_t>(0, static_cast<int64_t>(ids.size()) - context);
    std::vector<int64_t> window(ids.begin() + start, ids.end());
    const torch::Tensor logits =
        runnable.model
            ->forward(torch::from_blob(window.data(), {1, static_cast<int64_t>(window.size())},
                                       torch::kInt64))
            .select(1, static_cast<int64_t>(window.size()) - 1)
            .squeeze(0)
            .to(torch::kFloat32);
    int64_t next = 0;
    if (options.temperature <= 0) {
      next = logits.argmax().item<int64_t>();
    } else {
      const torch::Tensor p = torch::softmax(logits / options.temperature, 0);
      next = torch::multinomial(p, 1, false, generator).item<int64_t>();
    }
    ids.push_back(next);
    generated.push_back(next);
  }
  std::printf("%s%s\n", options.prompt.c_str(), runnable.encoder->decode(generated).c_str());
  return kExitOk;
}

}  // namespace

int predict(const PredictOptions& options) {
  RunnableModel runnable = load_runnable(options.model, options.data);
  if (runnable.model->is_language_model()) {
    if (!options.input.empty())
      throw UserError(options.model + ": a language model: use --prompt TEXT, not --input");
    return generate(runnable, options);
  }
  if (options.input.empty())
    throw UserError(options.model + ": a classifier: give --input FILE (one text per line)");
  return classify_file(runnable, options);
}

}  // namespace topiary::deploy
