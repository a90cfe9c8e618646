#pragma once
// `topiary export CKPT --format hf -o DIR`: a fine-tuned BERT checkpoint back to the Python
// ecosystem, loadable with transformers' AutoModelForSequenceClassification.from_pretrained(DIR):
// config.json (BertForSequenceClassification, the dataset's label names), model.safetensors
// (pruned weights stored as zeros) and the pretrained model's tokenizer files.
//
// A thinned checkpoint (fewer heads / FFN neurons in some layers) keeps its smaller shapes: the
// folder then also holds modeling_topiary_bert.py, a BertForSequenceClassification whose layers
// take their sizes from config.json, loaded with trust_remote_code=True (transformers itself has
// one head count and one FFN width for all layers).
#include <string>

namespace topiary::deploy {

struct HfExportResult {
  int64_t tensors = 0;
  int64_t parameters = 0;
  bool remote_code = false;  // a thinned model: modeling_topiary_bert.py written
};

HfExportResult export_hf(const std::string& checkpoint, const std::string& dir,
                         const std::string& data_override);

// The source of modeling_topiary_bert.py.
const char* topiary_bert_modeling_source();

}  // namespace topiary::deploy
