#!/usr/bin/env python3
"""The weak-scaling ceiling that padding alone sets, from a prepared classification dataset.

Each rank pads its batch to its own longest example, and a synchronous step lasts as long as the
slowest rank. If a step's compute grows with the padded length (embedding, convolutions and
pooling do), 2-rank efficiency can be at most E[longest of B] / E[longest of 2B]: the second
rank's batch makes the expected slowest batch longer. This prints that ratio for random batches
drawn as the trainer draws them (uniformly, without replacement).

  padding_ceiling.py DATASET.h5 [--batch 64] [--max-length 60] [--min-length 5] [--ranks 2]
"""
import argparse

import h5py
import numpy as np


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("dataset")
    p.add_argument("--batch", type=int, default=64, help="examples per rank per step")
    p.add_argument("--max-length", type=int, default=60, help="model.max_length (clip)")
    p.add_argument("--min-length", type=int, default=5, help="shortest padded length (widest filter)")
    p.add_argument("--ranks", type=int, default=2)
    p.add_argument("--samples", type=int, default=20000, help="random steps drawn")
    a = p.parse_args()
    with h5py.File(a.dataset, "r") as f:
        lengths = np.diff(f["train/offsets"][:])
    lengths = np.clip(lengths, a.min_length, a.max_length)
    rng = np.random.default_rng(1)

    def expected_longest(batch):
        return np.mean([lengths[rng.choice(len(lengths), batch, replace=False)].max()
                        for _ in range(a.samples)])

    one = expected_longest(a.batch)
    many = expected_longest(a.batch * a.ranks)
    print(f"{len(lengths)} training examples, lengths clipped to [{a.min_length}, {a.max_length}], "
          f"mean {lengths.mean():.1f}")
    print(f"expected longest example of {a.batch} (1 rank's batch): {one:.1f}")
    print(f"expected longest example of {a.batch * a.ranks} (slowest of {a.ranks} ranks): {many:.1f}")
    print(f"{a.ranks}-rank efficiency ceiling from padding alone: {one / many:.3f}")


if __name__ == "__main__":
    main()
