// `topiary import hf DIR -o MODEL.h5`: a Hugging Face BERT-family model (config.json +
// model.safetensors + tokenizer.json) as one checked HDF5 file that `model.from` accepts.
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "hf/pretrained.h"

namespace topiary::cli {

void add_import_command(CLI::App& app) {
  CLI::App* command = app.add_subcommand("import", "Import a pretrained model from another format");
  command->require_subcommand(1);
  auto input = std::make_shared<std::string>();
  auto output = std::make_shared<std::string>();
  CLI::App* hf = command->add_subcommand(
      "hf",
      "A Hugging Face BERT-family folder (config.json, model.safetensors, tokenizer.json): every "
      "tensor checked against config.json, written as one file for a recipe's model.from");
  hf->add_option("folder", *input, "The model folder")->required();
  hf->add_option("-o,--output", *output, "Imported model (.h5)")->required();
  hf->callback([input, output] {
    const hf::PretrainedModel model = hf::load_pretrained(*input);
    hf::write_imported_model(model, *output);
    const models::ModelSpec& s = model.spec;
    std::printf(
        "wrote %s: bert, %lld layers, hidden %lld, %lld heads, ffn %lld, vocabulary %lld, "
        "%zu tensors%s\n",
        output->c_str(), static_cast<long long>(s.layers), static_cast<long long>(s.embedding_dim),
        static_cast<long long>(s.heads), static_cast<long long>(s.ffn),
        static_cast<long long>(s.vocab_size), model.weights.size(),
        model.tokenizer_json.empty() ? " (no tokenizer.json)" : "");
  });
}

}  // namespace topiary::cli
