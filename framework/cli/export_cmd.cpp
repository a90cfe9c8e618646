// `topiary export CKPT -o model.h5`: inference-only model file, dense or compressed.
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "compress/export_file.h"
#include "deploy/exporter.h"
#include "deploy/hf_export.h"

namespace topiary::cli {

void add_export_command(CLI::App& app) {
  auto options = std::make_shared<deploy::ExportOptions>();
  CLI::App* command = app.add_subcommand(
      "export", "Write an inference-only model file (dense, bitmask, CSR or N:M packed weights)");
  command->add_option("checkpoint", options->checkpoint, "Checkpoint (.h5) written by train")
      ->required();
  command->add_option("-o,--output", options->output, "Export file (.h5); a folder for --format hf")
      ->required();
  command
      ->add_option("--format", options->format,
                   "dense, bitmask, csr, nm, or hf (a BERT model as a Hugging Face folder)")
      ->check(CLI::IsMember({"dense", "bitmask", "csr", "nm", "hf"}));
  command->add_option("--dtype", options->dtype, "Stored value type: fp32, fp16 or bf16")
      ->check(CLI::IsMember({"fp32", "fp16", "bf16"}));
  command->add_option("--nm", options->nm, "N:M for --format nm (default 2:4)");
  command->add_option("--data", options->data,
                      "Dataset for vocabulary and labels (default: the recipe's data.path)");
  command->callback([options] {
    if (options->format == "hf") {
      const deploy::HfExportResult result =
          deploy::export_hf(options->checkpoint, options->output, options->data);
      std::printf(
          "wrote %s: config.json, model.safetensors (%lld tensors, %lld parameters), "
          "tokenizer%s\n",
          options->output.c_str(), static_cast<long long>(result.tensors),
          static_cast<long long>(result.parameters),
          result.remote_code ? ", modeling_topiary_bert.py (load with trust_remote_code=True)"
                             : "");
      return;
    }
    const compress::ExportedModel written = deploy::export_checkpoint(*options);
    const auto bytes = compress::stored_bytes(options->output);
    int64_t total = 0, dense = 0;
    std::map<std::string, int> encodings;
    for (const auto& [name, tensor] : written.weights) {
      total += bytes.at(name);
      dense += 4 * compress::element_count(tensor.shape);
      ++encodings[compress::encoding_name(tensor.encoding)];
    }
    std::string used;
    for (const auto& [name, count] : encodings)
      used += (used.empty() ? "" : ", ") + std::to_string(count) + " " + name;
    std::printf(
        "wrote %s: %s %s; weights %lld bytes = %.4f of dense fp32 (%s)\n", options->output.c_str(),
        options->format.c_str(), options->dtype.c_str(), static_cast<long long>(total),
        dense ? static_cast<double>(total) / static_cast<double>(dense) : 0.0, used.c_str());
  });
}

}  // namespace topiary::cli
