#include "core/error.h"
#include "models/bert.h"
#include "models/gpt.h"
#include "models/model.h"
#include "models/recurrent.h"
#include "models/textcnn.h"
#include "models/transformer.h"

#include <torch/utils.h>

namespace topiary::models {

namespace {

std::shared_ptr<Model> construct(const ModelSpec& spec) {
  switch (spec.type) {
    case ModelType::kTextCnn:
      return std::make_shared<TextCnn>(spec);
    case ModelType::kBiLstm:
    case ModelType::kBiGru:
      return std::make_shared<RecurrentClassifier>(spec);
    case ModelType::kTransformer:
      return std::make_shared<TransformerClassifier>(spec);
    case ModelType::kGpt:
      return std::make_shared<GptLanguageModel>(spec);
    case ModelType::kBert:
      return std::make_shared<BertClassifier>(spec);
  }
  TOPIARY_ASSERT(false, "a model type without a model class");
  return nullptr;
}

// Redraws embedding.weight from the recipe's distribution with the global generator (seeded by
// the recipe), so it is as deterministic as the default draw. A row that was all zeros is the
// padding row and stays so.
void draw_embedding(Model& model, const ModelSpec& spec) {
  if (spec.embedding_init == EmbeddingInit::kNormal) return;  // the modules' own N(0, 1)
  const auto parameters = model.named_parameters();
  const torch::Tensor* found = parameters.find("embedding.weight");
  TOPIARY_ASSERT(found != nullptr, "embedding_init on a model without embedding.weight");
  torch::Tensor weight = *found;  // shares storage with the parameter
  torch::NoGradGuard no_grad;
  const torch::Tensor padding = weight.abs().sum(1) == 0;
  weight.uniform_(-spec.embedding_init_range, spec.embedding_init_range);
  weight.masked_fill_(padding.unsqueeze(1), 0.0);
}

}  // namespace

std::shared_ptr<Model> make_model(const ModelSpec& spec) {
  std::shared_ptr<Model> model = construct(spec);
  draw_embedding(*model, spec);
  return model;
}

}  // namespace topiary::models
