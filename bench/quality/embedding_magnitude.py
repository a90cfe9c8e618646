#!/usr/bin/env python3
"""Where magnitude pruning cuts a trained embedding table: rows grouped by how often their word
occurs in the training split, with each group's mean |w|, the share of its entries above the
table's own 90% magnitude threshold (what `scope: layer` magnitude keeps at 90%), and the share
of its rows that lose every entry. Reads a checkpoint written by `topiary train` and the
prepared dataset it was trained on.

    bench/quality/embedding_magnitude.py CHECKPOINT.h5 DATASET.h5 [SPARSITY [WORD,WORD,...]]

With words, also each word's training count and the entries of its row that are kept.
"""
import sys

import h5py
import numpy as np


def main():
    checkpoint, dataset = sys.argv[1], sys.argv[2]
    sparsity = float(sys.argv[3]) if len(sys.argv) > 3 else 0.9
    with h5py.File(checkpoint, "r") as f:
        table = np.abs(f["weights/embedding.weight"][:])
    with h5py.File(dataset, "r") as f:
        counts = np.bincount(f["train/tokens"][:], minlength=table.shape[0])
        vocabulary = [w.decode() if isinstance(w, bytes) else w for w in f["vocabulary"][:]]
    threshold = np.quantile(table[1:], sparsity)  # row 0 is <pad>, always zero
    kept = table > threshold
    print(f"{checkpoint}: |w| above {threshold:.4f} is kept at {100 * sparsity:.0f}% "
          f"(mean |w| {table[1:].mean():.4f})")
    print("| training occurrences | rows | mean abs(w) | entries kept (%) | rows losing every entry (%) |")
    print("|---|---|---|---|---|")
    bounds = [(1, 1), (2, 4), (5, 19), (20, 99), (100, 999), (1000, None)]
    for low, high in bounds:
        rows = (counts >= low) & (counts <= (high if high is not None else counts.max()))
        rows[0] = False
        if not rows.any():
            continue
        label = f"{low}" if low == high else (f"{low}-{high}" if high is not None else f">= {low}")
        print(f"| {label} | {rows.sum()} | {table[rows].mean():.4f} | "
              f"{100 * kept[rows].mean():.1f} | {100 * (kept[rows].sum(1) == 0).mean():.1f} |")
    unseen = counts == 0
    unseen[0] = False
    if unseen.any():
        print(f"| 0 (valid/test only) | {unseen.sum()} | {table[unseen].mean():.4f} | "
              f"{100 * kept[unseen].mean():.1f} | {100 * (kept[unseen].sum(1) == 0).mean():.1f} |")
    if len(sys.argv) > 4:
        print(f"\n| word | training occurrences | entries kept (of {table.shape[1]}) |")
        print("|---|---|---|")
        for word in sys.argv[4].split(","):
            if word not in vocabulary:
                print(f"| {word} | not in the vocabulary | - |")
                continue
            row = vocabulary.index(word)
            print(f"| {word} | {counts[row]} | {kept[row].sum()} |")


if __name__ == "__main__":
    main()
