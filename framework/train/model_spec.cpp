#include "train/model_spec.h"

namespace topiary::train {

models::ModelSpec model_spec(const recipe::ModelConfig& model, const data::Dataset& data) {
  models::ModelSpec spec;
  spec.type = model.type;
  spec.vocab_size = static_cast<int64_t>(data.vocabulary.size());
  spec.num_classes = static_cast<int64_t>(data.label_names.size());
  spec.embedding_dim = model.embedding_dim;
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
