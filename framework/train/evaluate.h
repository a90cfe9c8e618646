#pragma once
#include <torch/types.h>

#include <nlohmann/json.hpp>

#include "comm/communicator.h"
#include "data/dataset.h"
#include "models/model.h"
#include "recipe/choices.h"

namespace topiary::train {

struct EvalResult {
  double loss = 0;        // mean cross-entropy per example (classification) or per token (LM)
  double accuracy = 0;    // classification accuracy, or next-token accuracy for a language model
  int64_t examples = 0;   // examples, or predicted tokens for a language model
  double macro_f1 = 0;    // classification: unweighted mean of per-class F1 (0 for a class that
                          // is never predicted nor present counts as absent, not as 0)
  double perplexity = 0;  // language model: exp(loss)
};

// Rank r evaluates examples r, r+W, r+2W, ...; sums are all-reduced, so every example is
// counted exactly once and every rank returns the same result.
EvalResult evaluate_classifier(models::Model& model, const data::TokenizedSplit& split,
                               int64_t num_classes, int64_t max_length, comm::Communicator& comm,
                               int64_t batch_size = 256);

// The split's documents, each followed by <eos>, as one token stream (how a language model
// reads a split).
std::vector<int64_t> token_stream(const data::TokenizedSplit& split);

// Next-token loss over the whole stream: blocks of `context` predictions (context + 1 tokens,
// stride `context`, the last block shorter), block b on rank b % W; every predicted token is
// counted once.
EvalResult evaluate_language_model(models::Model& model, const std::vector<int64_t>& stream,
                                   int64_t context, comm::Communicator& comm,
                                   int64_t batch_size = 32);

// loss and accuracy, plus perplexity (language model) or macro_f1 (classifier): what
// metrics.jsonl, summary.json and `topiary eval --json` report.
nlohmann::json eval_fields(const EvalResult& result, bool language_model);

// Higher is better for accuracy and macro_f1; lower for loss and perplexity.
double metric_value(const EvalResult& result, recipe::Metric metric);  // not kAuto
bool metric_higher_is_better(recipe::Metric metric);

}  // namespace topiary::train
