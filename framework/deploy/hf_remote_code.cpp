// The Python module a thinned BERT export carries (see hf_export.h). Kept beside the exporter
// so that the binary alone can write a complete folder.
#include "deploy/hf_export.h"

namespace topiary::deploy {

const char* topiary_bert_modeling_source() {
  return R"PY("""BERT with per-layer attention-head counts and feed-forward widths (`topiary thin`).

config.json lists them as heads_per_layer and ffn_per_layer; the head width stays
hidden_size / num_attention_heads. Load with
AutoModelForSequenceClassification.from_pretrained(folder, trust_remote_code=True).
"""
from torch import nn
from transformers import BertConfig, BertForSequenceClassification


class TopiaryBertConfig(BertConfig):
    model_type = "topiary_bert"

    def __init__(self, heads_per_layer=None, ffn_per_layer=None, **kwargs):
        super().__init__(**kwargs)
        layers = self.num_hidden_layers
        self.heads_per_layer = list(heads_per_layer or [self.num_attention_heads] * layers)
        self.ffn_per_layer = list(ffn_per_layer or [self.intermediate_size] * layers)


class TopiaryBertForSequenceClassification(BertForSequenceClassification):
    config_class = TopiaryBertConfig

    def __init__(self, config):
        super().__init__(config)
        hidden = config.hidden_size
        head_size = hidden // config.num_attention_heads
        for layer, heads, ffn in zip(
            self.bert.encoder.layer, config.heads_per_layer, config.ffn_per_layer
        ):
            attention = layer.attention.self
            width = heads * head_size
            attention.num_attention_heads = heads
            attention.all_head_size = width
            attention.query = nn.Linear(hidden, width)
            attention.key = nn.Linear(hidden, width)
            attention.value = nn.Linear(hidden, width)
            layer.attention.output.dense = nn.Linear(width, hidden)
            layer.intermediate.dense = nn.Linear(hidden, ffn)
            layer.output.dense = nn.Linear(ffn, hidden)
        self.post_init()
)PY";
}

}  // namespace topiary::deploy
