#include "deploy/exporter.h"

#include "core/error.h"
#include "data/dataset.h"
#include "train/model_description.h"
#include "train/model_spec.h"
#include "train/open_checkpoint.h"

namespace topiary::deploy {
namespace {

std::pair<int64_t, int64_t> parse_nm(const std::string& text) {
  const auto colon = text.find(':');
  try {
    if (colon != std::string::npos) {
      const int64_t n = std::stoll(text.substr(0, colon));
      const int64_t m = std::stoll(text.substr(colon + 1));
      if (n >= 0 && m > 0 && n <= m && m <= 255) return {n, m};
    }
  } catch (const std::exception&) {
  }
  throw UserError("--nm must be N:M with 0 <= N <= M <= 255, e.g. 2:4; got '" + text + "'");
}

// The dataset attributes that define how text becomes ids.
std::map<std::string, std::string> tokenizer_attributes(const data::Dataset& dataset) {
  std::map<std::string, std::string> out;
  for (const char* key : {"tokenizer", "max_length", "separator_token", "document_unit"}) {
    const auto it = dataset.attributes.find(key);
    if (it != dataset.attributes.end()) out[key] = it->second;
  }
  out["topiary_kind"] = dataset.kind;
  return out;
}

}  // namespace

compress::ExportedModel export_checkpoint(const ExportOptions& options) {
  const compress::Encoding encoding = compress::parse_encoding(options.format);
  const auto [n, m] = parse_nm(options.nm);
  const train::TrainingCheckpoint checkpoint = train::read_training_checkpoint(options.checkpoint);
  const io::CheckpointContents& contents = checkpoint.contents;
  const recipe::Recipe& recipe = checkpoint.recipe;
  const data::Dataset dataset = data::read_dataset(train::dataset_path(recipe, options.data));

  compress::ExportedModel out;
  out.format = options.format;
  out.dtype = options.dtype;
  // A thinned checkpoint's own description is copied as it is written.
  const std::string* description = checkpoint.model_description();
  out.attributes["model"] =
      description != nullptr
          ? *description
          : train::describe_model(train::model_spec(recipe.model, dataset), recipe.model.max_length)
                .dump();
  out.attributes["recipe"] = contents.attributes.at("recipe");
  out.attributes["source_checkpoint"] = options.checkpoint;
  out.attributes["task"] = dataset.kind;
  if (encoding == compress::Encoding::kNm) out.attributes["nm"] = options.nm;
  out.vocabulary = dataset.vocabulary;
  out.label_names = dataset.label_names;
  out.tokenizer = tokenizer_attributes(dataset);

  std::map<std::string, const io::NamedArray*> masks;
  for (const auto& mask : contents.masks) masks[mask.name] = &mask;
  for (const auto& weight : contents.weights) {
    const auto mask = masks.find(weight.name);
    if (mask == masks.end()) {
      out.weights.emplace_back(weight.name, compress::encode(weight.values, {}, weight.shape,
                                                             compress::Encoding::kDense));
      continue;
    }
    compress::Encoding chosen = encoding;
    if (chosen == compress::Encoding::kNm &&
        !compress::is_n_of_m(mask->second->values, weight.shape, n, m)) {
      chosen = compress::Encoding::kBitmask;
    }
    out.weights.emplace_back(weight.name, compress::encode(weight.values, mask->second->values,
                                                           weight.shape, chosen, n, m));
  }
  compress::write_export(options.output, out);
  return out;
}

}  // namespace topiary::deploy
