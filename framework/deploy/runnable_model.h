#pragma once
// A model ready for inference, from a training checkpoint (weights and masks applied; the
// architecture from the checkpoint's effective recipe, or its "model" description after
// `topiary thin`) or from an export (`topiary export`, decoded to dense tensors).
#include <memory>
#include <string>
#include <vector>

#include "data/text_encoder.h"
#include "models/model.h"

namespace topiary::deploy {

struct RunnableModel {
  std::shared_ptr<models::Model> model;
  models::ModelSpec spec;
  int64_t max_length = 0;          // classifier input truncation (recipe model.max_length)
  int64_t prepare_max_length = 0;  // truncation `topiary prepare` applied (dataset attribute)
  std::vector<std::string> vocabulary;
  std::vector<std::string> label_names;  // empty for a language model
  std::string tokenizer;                 // the dataset's tokenizer description
  std::unique_ptr<data::TextEncoder> encoder;
};

// `data` overrides the dataset a checkpoint's recipe names (for its vocabulary and labels);
// exports carry their own. The model is in eval mode.
RunnableModel load_runnable(const std::string& path, const std::string& data = "");

// Logits for token-id sequences (classification: [N, C], padded per batch like training).
std::vector<std::vector<float>> classify(RunnableModel& runnable,
                                         const std::vector<std::vector<int64_t>>& inputs,
                                         int64_t batch_size = 64);

}  // namespace topiary::deploy
