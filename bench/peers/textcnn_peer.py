#!/usr/bin/env python3
"""Python/PyTorch reference ("peer") for Topiary's TextCNN training step.

Same model as framework/models/textcnn.cpp, same prepared HDF5 dataset (written by
`topiary prepare`), same batch padding as framework/train/batch.cpp, Adam, one intra-op thread.

  textcnn_peer.py --data sst2.h5 --steps 100 [--masked] [--style prune|strong]
                  [--mask-embedding yes|no] [--embedding dense|sparse]

Under torch.distributed (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT in the environment, as
torchrun or bench/peers/scaling.sh set them) it trains with DistributedDataParallel over gloo:
each rank takes its own --batch-size examples per step (weak scaling, like Topiary with
training.batch_size = ranks x 64), and rank 0 prints the JSON line after a final barrier.

--masked prunes 90% of the convolutions and the classifier and 90% of the embedding table (the
masked set of recipes/gmp_global90.yaml) once, before any step, in one of two styles:
  --style prune   (what many users run) torch.nn.utils.prune.l1_unstructured per layer, so each
                  step pays prune's forward pre-hook (weight = weight_orig * mask), and
                  torch.optim.Adam with its default (foreach) implementation;
  --style strong  (the strongest reasonable PyTorch set-up) one global magnitude threshold over
                  the convolutions and the classifier and one over the embedding, as Topiary's
                  recipe; masks applied in place after each optimizer step (no hook, no weight
                  rebuilt per step); torch.optim.Adam(fused=True). Dense runs use fused Adam too.
--mask-embedding no leaves the embedding table unmasked (bench/peers/scaling.sh, whose Topiary
recipe masks the convolutions and the classifier only).

--embedding sparse makes the table nn.Embedding(sparse=True): its gradient holds only the rows
the batch read, DDP all-reduces it as a sparse tensor (gloo gathers every rank's rows), and
torch.optim.SparseAdam updates those rows (lazy Adam: untouched rows keep their moments), the
other parameters Adam. This is PyTorch's counterpart of Topiary's row-sparse exchange of the
embedding gradient; it needs --mask-embedding no (prune's hook and SparseAdam do not mix).

Prints one JSON line: steps, timed_seconds / steps_per_second (the timed steps only, after
--warmup untimed steps), and wall_seconds (data load + model build + warm-up + timed steps), the
counterpart of Topiary's summary.json wall_seconds; run.sh differences two runs of wall_seconds.
"""
import argparse
import json
import os
import time

T0 = time.perf_counter()

import h5py
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.nn.utils.prune as prune


class TextCnn(nn.Module):
    def __init__(self, vocab_size, embedding_dim, filters, widths, dropout, num_classes, sparse=False):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=0, sparse=sparse)
        self.widths = list(widths)
        self.convs = nn.ModuleList(nn.Conv1d(embedding_dim, filters, w) for w in widths)
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(filters * len(widths), num_classes)

    def forward(self, tokens):
        lengths = (tokens != 0).sum(1, keepdim=True)
        embedded = self.embedding(tokens).transpose(1, 2)
        pooled = []
        for width, conv in zip(self.widths, self.convs):
            features = conv(embedded)
            windows = features.size(2)
            valid = (lengths - width + 1).clamp_min(1)
            positions = torch.arange(windows, dtype=tokens.dtype).unsqueeze(0)
            features = features.masked_fill((positions >= valid).unsqueeze(1), float("-inf"))
            pooled.append(torch.relu(features.max(dim=2).values))
        return self.fc(self.dropout(torch.cat(pooled, 1)))


def make_batch(tokens, offsets, labels, examples, min_length, max_length):
    """Pad with id 0 to the longest example (truncated to max_length), at least min_length."""
    lengths = [min(int(offsets[e + 1] - offsets[e]), max_length) for e in examples]
    length = max(max(lengths), min_length)
    ids = np.zeros((len(examples), length), dtype=np.int64)
    for row, (e, n) in enumerate(zip(examples, lengths)):
        start = int(offsets[e])
        ids[row, :n] = tokens[start:start + n]
    return torch.from_numpy(ids), torch.from_numpy(labels[examples].astype(np.int64))


def global_masks(weights, sparsity):
    """One magnitude threshold over all `weights`: the round(sparsity * total) smallest go."""
    scores = torch.cat([w.detach().abs().flatten() for w in weights])
    k = int(round(sparsity * scores.numel()))
    threshold = scores.kthvalue(k).values if k > 0 else scores.min() - 1
    return [(w, (w.detach().abs() > threshold).to(w.dtype)) for w in weights]


@torch.no_grad()
def apply_masks(masks):
    for weight, mask in masks:
        weight.mul_(mask)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True)
    p.add_argument("--steps", type=int, default=100, help="timed steps")
    p.add_argument("--warmup", type=int, default=10, help="untimed steps before the timed ones")
    p.add_argument("--masked", action="store_true")
    p.add_argument("--style", choices=("prune", "strong"), default="prune")
    p.add_argument("--mask-embedding", choices=("yes", "no"), default="yes")
    p.add_argument("--embedding", choices=("dense", "sparse"), default="dense")
    p.add_argument("--sparsity", type=float, default=0.9)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--embedding-dim", type=int, default=128)
    p.add_argument("--filters", type=int, default=100)
    p.add_argument("--widths", default="3,4,5")
    p.add_argument("--dropout", type=float, default=0.5)
    p.add_argument("--max-length", type=int, default=60)
    p.add_argument("--lr", type=float, default=0.001)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    if a.embedding == "sparse" and a.masked and a.mask_embedding == "yes":
        p.error("--embedding sparse needs --mask-embedding no")

    torch.set_num_threads(a.threads)
    world, rank = int(os.environ.get("WORLD_SIZE", "1")), int(os.environ.get("RANK", "0"))
    if world > 1:
        import torch.distributed as dist
        dist.init_process_group("gloo", rank=rank, world_size=world)
    torch.manual_seed(a.seed)
    widths = [int(w) for w in a.widths.split(",")]

    with h5py.File(a.data, "r") as f:
        vocab_size = f["/vocabulary"].shape[0]
        tokens = f["/train/tokens"][...]
        offsets = f["/train/offsets"][...]
        labels = f["/train/labels"][...]
    num_classes = int(labels.max()) + 1
    n = len(offsets) - 1

    model = TextCnn(vocab_size, a.embedding_dim, a.filters, widths, a.dropout, num_classes,
                    sparse=a.embedding == "sparse")
    pruned = [*model.convs, model.fc]
    mask_embedding = a.mask_embedding == "yes"
    masks = []  # (weight, mask) pairs of --style strong
    if a.masked and a.style == "prune":
        for module in [*pruned, model.embedding] if mask_embedding else pruned:
            prune.l1_unstructured(module, "weight", amount=a.sparsity)
    elif a.masked:
        masks = global_masks([m.weight for m in pruned], a.sparsity)
        if mask_embedding:
            masks += global_masks([model.embedding.weight], a.sparsity)
        apply_masks(masks)
    trained = model
    if world > 1:  # after prune, so that DDP sees weight_orig as the parameter
        trained = nn.parallel.DistributedDataParallel(model)
    fused = a.style == "strong"
    if a.embedding == "sparse":
        table = model.embedding.weight
        rest = [q for q in trained.parameters() if q is not table]
        opts = [torch.optim.SparseAdam([table], lr=a.lr), torch.optim.Adam(rest, lr=a.lr, fused=fused)]
    else:
        opts = [torch.optim.Adam(trained.parameters(), lr=a.lr, fused=fused)]
    trained.train()

    gen = torch.Generator().manual_seed(a.seed)
    order, cursor = torch.randperm(n, generator=gen).numpy(), 0

    def step():
        nonlocal order, cursor
        if cursor + world * a.batch_size > n:
            order, cursor = torch.randperm(n, generator=gen).numpy(), 0
        begin = cursor + rank * a.batch_size
        examples = order[begin:begin + a.batch_size]
        cursor += world * a.batch_size
        ids, y = make_batch(tokens, offsets, labels, examples, max(widths), a.max_length)
        for opt in opts:
            opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(trained(ids), y)
        loss.backward()
        for opt in opts:
            opt.step()
        apply_masks(masks)
        return loss

    for _ in range(a.warmup):
        step()
    t = time.perf_counter()
    for _ in range(a.steps):
        loss = step()
    if world > 1:
        dist.barrier()
    timed = time.perf_counter() - t
    wall = time.perf_counter() - T0
    if rank != 0:
        return
    print(json.dumps({
        "world_size": world,
        "mode": "masked" if a.masked else "dense",
        "style": a.style,
        "embedding": a.embedding,
        "mask_embedding": mask_embedding,
        "fused_adam": fused,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "steps": a.steps,
        "warmup": a.warmup,
        "timed_seconds": timed,
        "steps_per_second": a.steps / timed,
        "wall_seconds": wall,
        "final_loss": loss.item(),
    }))


if __name__ == "__main__":
    main()
