#include "core/error.h"
#include "models/classifier.h"
#include "models/recurrent.h"
#include "models/textcnn.h"
#include "models/transformer.h"

namespace topiary::models {

std::vector<std::string> known_classifiers() {
  return {"textcnn", "bilstm", "bigru", "transformer"};
}

std::shared_ptr<Classifier> make_classifier(const ClassifierSpec& spec) {
  if (spec.type == "textcnn") return std::make_shared<TextCnn>(spec);
  if (spec.type == "bilstm" || spec.type == "bigru")
    return std::make_shared<RecurrentClassifier>(spec);
  if (spec.type == "transformer") return std::make_shared<TransformerClassifier>(spec);
  std::string known;
  for (const auto& name : known_classifiers()) known += (known.empty() ? "" : ", ") + name;
  throw UserError("unknown model type '" + spec.type + "'; known: " + known);
}

}  // namespace topiary::models
