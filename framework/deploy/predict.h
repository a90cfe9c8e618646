#pragma once
// `topiary predict`: labels with probabilities for texts (classification), or text generated
// from a prompt (language model), from a checkpoint or an export.
#include <string>

namespace topiary::deploy {

struct PredictOptions {
  std::string model;
  std::string data;  // checkpoints only: dataset for vocabulary and labels
  // Classification input: one text per line (format text), or tsv/csv/jsonl with columns.
  std::string input;
  std::string format = "text";
  std::string text_column = "sentence";
  std::string label_column;  // gold labels: accuracy is reported when given
  bool logits = false;       // also print raw logits
  // Language model generation.
  std::string prompt;
  int64_t tokens = 200;
  double temperature = 0.8;  // 0 = greedy
  uint64_t seed = 1;
};

int predict(const PredictOptions& options);

}  // namespace topiary::deploy
