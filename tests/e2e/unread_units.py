"""Test helper: makes hidden units of a bilstm / bigru checkpoint removable by `topiary thin`,
i.e. zeroes (in /masks where the parameter has one, and in /weights) every column that reads
their output: weight_hh of their layer and direction, the next layer's weight_ih (both
directions), or the last layer's fc columns (max and mean pooled). No recipe pattern couples
those tensors, so the e2e tests make such checkpoints here.

usage: unread_units.py CKPT LAYER{f,r}:J,J,... ...   e.g. 0f:1,3 0r:2 1r:0,4
Prints the number of parameters `topiary thin` must remove (both directions of a layer keep the
larger count of kept units)."""
import sys

import h5py


def main(path, specs):
    units = {}
    for spec in specs:
        where, indices = spec.split(":")
        units[(int(where[:-1]), where[-1])] = [int(j) for j in indices.split(",")]
    with h5py.File(path, "r+") as f:
        weights = f["weights"]
        layers = sum(1 for k in weights if k.startswith("rnn.weight_hh_l") and "reverse" not in k)
        hidden = [weights[f"rnn.weight_hh_l{l}"].shape[1] for l in range(layers)]
        gates = weights["rnn.weight_hh_l0"].shape[0] // hidden[0]

        def zero_column(name, column):
            for group in ("weights", "masks"):
                if name in f[group]:
                    data = f[group][name][()]
                    data[:, column] = 0
                    f[group][name][...] = data

        for (l, d), js in units.items():
            h, offset = hidden[l], (0 if d == "f" else hidden[l])
            for j in js:
                zero_column(f"rnn.weight_hh_l{l}" + ("" if d == "f" else "_reverse"), j)
                if l + 1 < layers:
                    for s in ("", "_reverse"):
                        zero_column(f"rnn.weight_ih_l{l + 1}{s}", offset + j)
                else:
                    zero_column("fc.weight", offset + j)
                    zero_column("fc.weight", 2 * h + offset + j)
        classes = weights["fc.weight"].shape[0]
        inputs = weights["rnn.weight_ih_l0"].shape[1]

        def size(kept, inputs):  # parameters of the recurrent layers and fc
            total = 0
            for h in kept:
                total += 2 * gates * h * (inputs + h + 2)
                inputs = 2 * h
            return total + classes * 4 * kept[-1]

        kept = [hidden[l] - min(len(units.get((l, "f"), [])), len(units.get((l, "r"), [])))
                for l in range(layers)]
        print(size(hidden, inputs) - size(kept, inputs))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
