#include "core/error.h"
#include "models/classifier.h"
#include "models/textcnn.h"

namespace topiary::models {

std::vector<std::string> known_classifiers() { return {"textcnn"}; }

std::shared_ptr<Classifier> make_classifier(const ClassifierSpec& spec) {
  if (spec.type == "textcnn") return std::make_shared<TextCnn>(spec);
  std::string known;
  for (const auto& name : known_classifiers()) known += (known.empty() ? "" : ", ") + name;
  throw UserError("unknown model type '" + spec.type + "'; known: " + known);
}

}  // namespace topiary::models
