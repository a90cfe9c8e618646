"""Reference outputs of Hugging Face transformers for the BERT parity test.

Usage: bert_reference.py MODEL_DIR OUT.safetensors
Writes input_ids (I64, a padded batch of sentences of different lengths, tokenized by the
model's own tokenizer), last_hidden_state (F32) of BertModel in eval mode and every layer's
output as hidden_state.1 .. hidden_state.L (hidden_states[0] is the embeddings).
"""
import sys

import torch
from safetensors.torch import save_file
from transformers import AutoModel, AutoTokenizer

SENTENCES = [
    "a gorgeous , witty , seductive movie .",
    "the movie is n't terrible , it 's just bland .",
    "ok",
    "It's a charming and often affecting journey, with an ending that lands; café naïve Ångström.",
]


def main(model_dir: str, out_path: str) -> None:
    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModel.from_pretrained(model_dir).eval()
    batch = tokenizer(SENTENCES, padding=True, return_tensors="pt")
    with torch.no_grad():
        hidden = model(
            input_ids=batch["input_ids"],
            attention_mask=batch["attention_mask"],
            output_hidden_states=True,
        )
    tensors = {
        "input_ids": batch["input_ids"].contiguous(),
        "last_hidden_state": hidden.last_hidden_state.contiguous(),
    }
    for layer in range(1, len(hidden.hidden_states)):
        tensors[f"hidden_state.{layer}"] = hidden.hidden_states[layer].clone().contiguous()
    save_file(tensors, out_path)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
