#include "core/error.h"
#include "models/gpt.h"
#include "models/model.h"
#include "models/recurrent.h"
#include "models/textcnn.h"
#include "models/transformer.h"

namespace topiary::models {

std::vector<std::string> known_models() {
  return {"textcnn", "bilstm", "bigru", "transformer", "gpt"};
}

std::shared_ptr<Model> make_model(const ModelSpec& spec) {
  if (spec.type == "textcnn") return std::make_shared<TextCnn>(spec);
  if (spec.type == "bilstm" || spec.type == "bigru")
    return std::make_shared<RecurrentClassifier>(spec);
  if (spec.type == "transformer") return std::make_shared<TransformerClassifier>(spec);
  if (spec.type == "gpt") return std::make_shared<GptLanguageModel>(spec);
  std::string known;
  for (const auto& name : known_models()) known += (known.empty() ? "" : ", ") + name;
  throw UserError("unknown model type '" + spec.type + "'; known: " + known);
}

}  // namespace topiary::models
