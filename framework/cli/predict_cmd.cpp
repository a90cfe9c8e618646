// `topiary predict MODEL --input FILE` / `--prompt TEXT`: inference from a checkpoint or export.
#include <cstdlib>
#include <memory>

#include "cli/commands.h"
#include "deploy/predict.h"

namespace topiary::cli {

void add_predict_command(CLI::App& app) {
  auto options = std::make_shared<deploy::PredictOptions>();
  CLI::App* command = app.add_subcommand(
      "predict", "Classify texts (JSON lines with label and probabilities) or generate text");
  command->add_option("model", options->model, "Export (.h5) or checkpoint (.h5)")->required();
  command->add_option("--input", options->input, "Texts to classify");
  command->add_option("--format", options->format, "text (one per line), tsv, csv or jsonl")
      ->check(CLI::IsMember({"text", "tsv", "csv", "jsonl"}));
  command->add_option("--text-column", options->text_column, "Text column / JSON field");
  command->add_option("--label-column", options->label_column,
                      "Gold label column: adds it to each line and reports accuracy");
  command->add_flag("--logits", options->logits, "Also print the raw logits");
  command->add_option("--data", options->data, "Checkpoints: dataset for vocabulary and labels");
  command->add_option("--prompt", options->prompt, "Language model: text to continue");
  command->add_option("--tokens", options->tokens, "Language model: tokens to generate")
      ->check(CLI::NonNegativeNumber);
  command
      ->add_option("--temperature", options->temperature,
                   "Language model: sampling temperature; 0 = greedy")
      ->check(CLI::NonNegativeNumber);
  command->add_option("--seed", options->seed, "Language model: sampling seed");
  command->callback([options] {
    const int code = deploy::predict(*options);
    if (code != 0) std::exit(code);
  });
}

}  // namespace topiary::cli
