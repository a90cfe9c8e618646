#include "deploy/runnable_model.h"

#include <torch/torch.h>

#include <charconv>

#include "compress/export_file.h"
#include "core/error.h"
#include "io/hdf5_util.h"
#include "train/model_description.h"
#include "train/open_checkpoint.h"

namespace topiary::deploy {
namespace {

std::string file_kind(const std::string& path) {
  return io::checked_hdf5(path, [&] {
    H5::Exception::dontPrint();
    if (!H5::H5File::isHdf5(path)) throw UserError(path + ": not an HDF5 file");
    H5::H5File file(path, H5F_ACC_RDONLY);
    return io::read_string_attribute(file.openGroup("/"), "topiary_kind").value_or("");
  });
}

void finish(RunnableModel& r, const std::map<std::string, std::string>& tokenizer_attributes,
            const std::string& path) {
  const auto tokenizer = tokenizer_attributes.find("tokenizer");
  r.tokenizer = tokenizer == tokenizer_attributes.end() ? "" : tokenizer->second;
  const auto max_length = tokenizer_attributes.find("max_length");
  if (max_length != tokenizer_attributes.end() && !r.model->is_language_model()) {
    const std::string& text = max_length->second;
    int64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || value < 0) {
      throw UserError(path + ": tokenizer attribute max_length is not a length: '" + text + "'");
    }
    r.prepare_max_length = value;
  }
  r.encoder = std::make_unique<data::TextEncoder>(r.vocabulary, r.tokenizer);
  r.model->eval();
}

RunnableModel from_checkpoint(const std::string& path, const std::string& data_override) {
  train::OpenOptions open;
  open.data = data_override;
  train::OpenedCheckpoint opened = train::open_checkpoint(path, open);
  RunnableModel r;
  r.spec = std::move(opened.spec);
  r.max_length = opened.max_length;
  r.model = std::move(opened.model);
  r.vocabulary = std::move(opened.dataset.vocabulary);
  r.label_names = std::move(opened.dataset.label_names);
  finish(r, opened.dataset.attributes, path);
  return r;
}

RunnableModel from_export(const std::string& path) {
  RunnableModel r;
  const compress::ExportedModel exported = compress::read_export(path);
  const auto description = exported.attributes.find("model");
  if (description == exported.attributes.end()) throw UserError(path + ": export has no model");
  r.spec = train::spec_from_description(description->second, path, &r.max_length);
  r.model = models::make_model(r.spec);
  std::map<std::string, const compress::EncodedTensor*> stored;
  for (const auto& [name, tensor] : exported.weights) stored[name] = &tensor;
  torch::NoGradGuard no_grad;
  for (auto& item : r.model->named_parameters()) {
    const auto it = stored.find(item.key());
    if (it == stored.end()) throw UserError(path + ": export lacks parameter '" + item.key() + "'");
    const std::string where = path + ": /weights/" + item.key();
    std::vector<float> values = compress::decode(*it->second, where);
    const std::vector<int64_t>& shape = it->second->shape;
    if (shape != item.value().sizes().vec())
      throw UserError(where + ": shape does not match the model description");
    item.value().copy_(torch::from_blob(values.data(), shape, torch::kFloat32));
    stored.erase(it);
  }
  if (!stored.empty())
    throw UserError(path + ": export has a parameter the model lacks: '" + stored.begin()->first +
                    "'");
  r.vocabulary = exported.vocabulary;
  r.label_names = exported.label_names;
  finish(r, exported.tokenizer, path);
  return r;
}

}  // namespace

RunnableModel load_runnable(const std::string& path, const std::string& data) {
  const std::string kind = file_kind(path);
  if (kind == "checkpoint") return from_checkpoint(path, data);
  if (kind == compress::kExportKind) return from_export(path);
  throw UserError(path + ": neither a checkpoint nor a model export (topiary_kind '" + kind + "')");
}

std::vector<std::vector<float>> classify(RunnableModel& runnable,
                                         const std::vector<std::vector<int64_t>>& inputs,
                                         int64_t batch_size) {
  torch::NoGradGuard no_grad;
  std::vector<std::vector<float>> out;
  const int64_t min_length = runnable.model->min_length();
  for (size_t begin = 0; begin < inputs.size(); begin += static_cast<size_t>(batch_size)) {
    const size_t end = std::min(inputs.size(), begin + static_cast<size_t>(batch_size));
    int64_t length = min_length;
    auto clipped = [&](size_t i) {
      const auto n = static_cast<int64_t>(inputs[i].size());
      return runnable.max_length > 0 ? std::min(n, runnable.max_length) : n;
    };
    for (size_t i = begin; i < end; ++i) length = std::max(length, clipped(i));
    const auto rows = static_cast<int64_t>(end - begin);
    std::vector<int64_t> ids(static_cast<size_t>(rows * length), 0);
    for (size_t i = begin; i < end; ++i) {
      std::copy(
          inputs[i].begin(), inputs[i].begin() + clipped(i),
          ids.begin() + static_cast<std::ptrdiff_t>((i - begin) * static_cast<size_t>(length)));
    }
    const torch::Tensor logits =
        runnable.model->forward(torch::from_blob(ids.data(), {rows, length}, torch::kInt64))
            .to(torch::kFloat32)
            .contiguous();
    const float* data = logits.data_ptr<float>();
    const int64_t classes = logits.size(1);
    for (int64_t r = 0; r < rows; ++r)
      out.emplace_back(data + r * classes, data + (r + 1) * classes);
  }
  return out;
}

}  // namespace topiary::deploy
