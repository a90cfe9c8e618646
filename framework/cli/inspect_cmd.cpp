// `topiary inspect CKPT`: what a checkpoint holds, parameter by parameter.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "compress/export_file.h"
#include "io/checkpoint_file.h"
#include "io/hdf5_util.h"

namespace topiary::cli {
namespace {

// "128x64"
template <typename Dims>
std::string shape_text(const Dims& shape) {
  std::string text;
  for (const auto d : shape) {
    if (!text.empty()) text += 'x';
    text += std::to_string(d);
  }
  return text;
}

// Names the finest structure the zeros follow: whole rows, 2:4 groups, or none.
std::string detect_pattern(const io::NamedArray& mask) {
  if (mask.shape.empty() || mask.values.empty()) return "-";
  const int64_t rows = mask.shape[0];
  const int64_t row_length = static_cast<int64_t>(mask.values.size()) / rows;
  bool any_zero = false, rows_whole = true, two_of_four = row_length % 4 == 0;
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = mask.values.data() + r * row_length;
    bool zero = false, one = false;
    for (int64_t i = 0; i < row_length; ++i) (row[i] == 0.0f ? zero : one) = true;
    any_zero = any_zero || zero;
    rows_whole = rows_whole && !(zero && one);
    for (int64_t g = 0; two_of_four && g < row_length; g += 4) {
      int zeros = 0;
      for (int64_t i = 0; i < 4; ++i) zeros += row[g + i] == 0.0f ? 1 : 0;
      two_of_four = zeros == 2;
    }
  }
  if (!any_zero) return "dense";
  if (rows_whole) return "rows";
  if (two_of_four) return "2:4";
  return "unstructured";
}

void inspect(const std::string& path, bool show_recipe) {
  const io::CheckpointContents contents = io::read_checkpoint(path);
  std::printf(
      "%s: step %s, world size %s, model %s\n", path.c_str(),
      contents.attributes.count("step") ? contents.attributes.at("step").c_str() : "?",
      contents.attributes.count("world_size") ? contents.attributes.at("world_size").c_str() : "?",
      contents.attributes.count("model_type") ? contents.attributes.at("model_type").c_str() : "?");
  std::printf("%-28s %-18s %12s %9s %-13s %12s\n", "parameter", "shape", "elements", "sparsity",
              "pattern", "dense bytes");
  int64_t total = 0, zeros = 0;
  for (const auto& weight : contents.weights) {
    const std::string shape = shape_text(weight.shape);
    int64_t z = 0;
    for (float v : weight.values) z += v == 0.0f ? 1 : 0;
    std::string pattern = "-";
    for (const auto& mask : contents.masks) {
      if (mask.name == weight.name) pattern = detect_pattern(mask);
    }
    const auto n = static_cast<int64_t>(weight.values.size());
    std::printf("%-28s %-18s %12lld %8.2f%% %-13s %12lld\n", weight.name.c_str(), shape.c_str(),
                static_cast<long long>(n),
                n ? 100.0 * static_cast<double>(z) / static_cast<double>(n) : 0.0, pattern.c_str(),
                static_cast<long long>(n) * 4);
    total += n;
    zeros += z;
  }
  std::printf("total: %lld parameters, %lld zero (%.2f%%), %lld nonzero, %.2f MB dense fp32\n",
              static_cast<long long>(total), static_cast<long long>(zeros),
              total ? 100.0 * static_cast<double>(zeros) / static_cast<double>(total) : 0.0,
              static_cast<long long>(total - zeros), static_cast<double>(total) * 4 / 1e6);
  if (show_recipe && contents.attributes.count("recipe")) {
    std::printf("\nrecipe:\n%s", contents.attributes.at("recipe").c_str());
  }
}

// An export: per parameter its encoding and the bytes it takes in the file against dense fp32.
void inspect_export(const std::string& path, bool show_recipe) {
  const compress::ExportedModel model = compress::read_export(path);
  const auto bytes = compress::stored_bytes(path);
  std::printf("%s: model export, format %s, dtype %s, task %s\n", path.c_str(),
              model.format.c_str(), model.dtype.c_str(),
              model.attributes.count("task") ? model.attributes.at("task").c_str() : "?");
  std::printf("%-28s %-18s %-8s %12s %12s %8s\n", "parameter", "shape", "encoding", "stored",
              "dense fp32", "ratio");
  int64_t stored_total = 0, dense_total = 0;
  for (const auto& [name, tensor] : model.weights) {
    const std::string shape = shape_text(tensor.shape);
    const int64_t dense = 4 * compress::element_count(tensor.shape);
    const int64_t stored = bytes.at(name);
    stored_total += stored;
    dense_total += dense;
    std::printf("%-28s %-18s %-8s %12lld %12lld %8.4f\n", name.c_str(), shape.c_str(),
                compress::encoding_name(tensor.encoding).c_str(), static_cast<long long>(stored),
                static_cast<long long>(dense),
                dense ? static_cast<double>(stored) / static_cast<double>(dense) : 0.0);
  }
  int64_t vocabulary_bytes = 0;
  for (const auto& token : model.vocabulary) vocabulary_bytes += static_cast<int64_t>(token.size());
  std::printf(
      "total weights: %lld bytes stored, %lld dense fp32 (%.4f); vocabulary %zu tokens "
      "(%lld bytes of text); file %lld bytes\n",
      static_cast<long long>(stored_total), static_cast<long long>(dense_total),
      dense_total ? static_cast<double>(stored_total) / static_cast<double>(dense_total) : 0.0,
      model.vocabulary.size(), static_cast<long long>(vocabulary_bytes),
      static_cast<long long>(std::filesystem::file_size(path)));
  if (show_recipe && model.attributes.count("recipe")) {
    std::printf("\nrecipe:\n%s", model.attributes.at("recipe").c_str());
  }
}

bool is_export(const std::string& path) {
  if (!std::filesystem::exists(path) || !H5::H5File::isHdf5(path)) return false;
  return io::checked_hdf5(path, [&] {
    H5::H5File file(path, H5F_ACC_RDONLY);
    return io::read_string_attribute(file.openGroup("/"), "topiary_kind") ==
           std::string(compress::kExportKind);
  });
}

}  // namespace

void add_inspect_command(CLI::App& app) {
  auto path = std::make_shared<std::string>();
  auto show_recipe = std::make_shared<bool>(false);
  CLI::App* command = app.add_subcommand("inspect",
                                         "Show a checkpoint's parameters (shape, sparsity, "
                                         "pattern, size) or an export's (encoding, bytes)");
  command->add_option("checkpoint", *path, "Checkpoint file (.h5)")->required();
  command->add_flag("--recipe", *show_recipe,
                    "Also print the effective recipe it was trained with");
  command->callback([path, show_recipe] {
    H5::Exception::dontPrint();
    if (is_export(*path)) {
      inspect_export(*path, *show_recipe);
    } else {
      inspect(*path, *show_recipe);
    }
  });
}

}  // namespace topiary::cli
