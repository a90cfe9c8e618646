#include "core/error.h"
#include "models/bert.h"
#include "models/gpt.h"
#include "models/model.h"
#include "models/recurrent.h"
#include "models/textcnn.h"
#include "models/transformer.h"

namespace topiary::models {

std::shared_ptr<Model> make_model(const ModelSpec& spec) {
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

}  // namespace topiary::models
