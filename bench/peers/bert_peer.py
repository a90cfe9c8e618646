#!/usr/bin/env python3
"""Python/PyTorch reference ("peer") for Topiary's BERT fine-tuning step.

transformers' BertForSequenceClassification loaded from the same Hugging Face folder Topiary
imports (dropout 0.1 everywhere, as in the model's config.json; the attention implementation
transformers picks by default, recorded in the output), trained on the same prepared HDF5
dataset (`topiary prepare --tokenizer wordpiece`: ids already hold [CLS] ... [SEP]), each batch
padded with id 0 to its longest example and masked by attention_mask. AdamW with ATen's fused
kernel (fused=True), weight decay 0.01 except biases and LayerNorm, as the shipped recipes.

  bert_peer.py --model DIR --data sst2.h5 --steps 20 [--masked]

--masked applies torch.nn.utils.prune.global_unstructured (L1, 90%) to the encoder's linear
weights (query, key, value, attention output, intermediate, output: the targets of Topiary's
masked run) once, before any step, so each step pays prune's forward pre-hooks
(weight = weight_orig * mask).

Prints one JSON line: steps, timed_seconds / steps_per_second (after --warmup untimed steps) and
wall_seconds (imports + data load + model load + warm-up + timed steps), the counterpart of
Topiary's summary.json wall_seconds; bench/peers/bert.sh differences two runs of wall_seconds.
"""
import argparse
import json
import time

T0 = time.perf_counter()

import h5py
import numpy as np
import torch
import torch.nn.functional as F
import torch.nn.utils.prune as prune
from transformers import BertForSequenceClassification


def make_batch(tokens, offsets, labels, examples):
    lengths = [int(offsets[e + 1] - offsets[e]) for e in examples]
    ids = np.zeros((len(examples), max(lengths)), dtype=np.int64)
    for row, (e, n) in enumerate(zip(examples, lengths)):
        ids[row, :n] = tokens[int(offsets[e]):int(offsets[e]) + n]
    ids = torch.from_numpy(ids)
    return ids, (ids != 0).long(), torch.from_numpy(labels[examples].astype(np.int64))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True, help="Hugging Face folder (config.json, model.safetensors)")
    p.add_argument("--data", required=True)
    p.add_argument("--steps", type=int, default=20, help="timed steps")
    p.add_argument("--warmup", type=int, default=3, help="untimed steps before the timed ones")
    p.add_argument("--masked", action="store_true")
    p.add_argument("--sparsity", type=float, default=0.9)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=5e-5)
    p.add_argument("--weight-decay", type=float, default=0.01)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    with h5py.File(a.data, "r") as f:
        tokens = f["/train/tokens"][...]
        offsets = f["/train/offsets"][...]
        labels = f["/train/labels"][...]
    n = len(offsets) - 1

    model = BertForSequenceClassification.from_pretrained(a.model, num_labels=int(labels.max()) + 1)
    if a.masked:
        targets = []
        for layer in model.bert.encoder.layer:
            attention = layer.attention
            targets += [attention.self.query, attention.self.key, attention.self.value,
                        attention.output.dense, layer.intermediate.dense, layer.output.dense]
        prune.global_unstructured([(m, "weight") for m in targets],
                                  pruning_method=prune.L1Unstructured, amount=a.sparsity)
    decay, no_decay = [], []
    for name, parameter in model.named_parameters():
        (no_decay if name.endswith("bias") or "LayerNorm" in name else decay).append(parameter)
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": a.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=a.lr, fused=True)
    model.train()

    gen = torch.Generator().manual_seed(a.seed)
    order, cursor = torch.randperm(n, generator=gen).numpy(), 0

    def step():
        nonlocal order, cursor
        if cursor + a.batch_size > n:
            order, cursor = torch.randperm(n, generator=gen).numpy(), 0
        ids, mask, y = make_batch(tokens, offsets, labels, order[cursor:cursor + a.batch_size])
        cursor += a.batch_size
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(input_ids=ids, attention_mask=mask).logits, y)
        loss.backward()
        opt.step()
        return loss

    for _ in range(a.warmup):
        step()
    t = time.perf_counter()
    for _ in range(a.steps):
        loss = step()
    timed = time.perf_counter() - t
    print(json.dumps({
        "mode": "masked" if a.masked else "dense",
        "torch": torch.__version__,
        "attention": model.config._attn_implementation,
        "threads": torch.get_num_threads(),
        "steps": a.steps,
        "warmup": a.warmup,
        "timed_seconds": timed,
        "steps_per_second": a.steps / timed,
        "wall_seconds": time.perf_counter() - T0,
        "final_loss": loss.item(),
    }))


if __name__ == "__main__":
    main()
