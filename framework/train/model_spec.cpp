#include "train/model_spec.h"

#include "core/error.h"
#include "hf/pretrained.h"

namespace topiary::train {
namespace {

// The pretrained architecture, with the recipe's dropout and the dataset's labels. The dataset
// must have been tokenized with the model's own vocabulary (ids index its embedding table).
models::ModelSpec pretrained_model_spec(const recipe::ModelConfig& model,
                                        const data::Dataset& data) {
  models::ModelSpec spec = hf::pretrained_spec(model.from);
  if (static_cast<int64_t>(data.vocabulary.size()) != spec.vocab_size) {
    throw UserError(model.from_key_location + ": model.from: the pretrained model has a " +
                    std::to_string(spec.vocab_size) + "-token vocabulary, the dataset " +
                    std::to_string(data.vocabulary.size()) +
                    "; prepare it with `--tokenizer wordpiece --vocab " + model.from + "`");
  }
  spec.num_classes = static_cast<int64_t>(data.label_names.size());
  spec.dropout = model.dropout;
  return spec;
}

}  // namespace

models::ModelSpec model_spec(const recipe::ModelConfig& model, const data::Dataset& data) {
  if (model.type == ModelType::kBert) return pretrained_model_spec(model, data);
  models::ModelSpec spec;
  spec.type = model.type;
  spec.vocab_size = static_cast<int64_t>(data.vocabulary.size());
  spec.num_classes = static_cast<int64_t>(data.label_names.size());
  spec.embedding_dim = model.embedding_dim;
  spec.embedding_init = model.embedding_init;
  spec.embedding_init_range = model.embedding_init_range;
  spec.filters = model.filters;
  spec.widths = model.widths;
  spec.dropout = model.dropout;
  spec.hidden = model.hidden;
  spec.layers = model.layers;
  spec.heads = model.heads;
  spec.ffn = model.ffn;
  spec.max_positions = model.max_positions;
  spec.tie_embeddings = model.tie_embeddings;
  return spec;
}

}  // namespace topiary::train
