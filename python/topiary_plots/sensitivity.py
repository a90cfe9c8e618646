"""Plot a `topiary sensitivity` sweep: one curve per target.

Usage: python sensitivity.py DIR/sensitivity.csv DIR/sensitivity.png

Top: validation loss increase over the checkpoint as each target alone is pruned further;
bottom: validation accuracy. The x axis is the sparsity each point actually reached
(achieved_sparsity): grid values below a target's current sparsity leave its mask unchanged and
collapse onto its baseline point. Exits non-zero on failure; topiary then only warns.
"""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def read_curves(path):
    curves = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            x = float(row.get("achieved_sparsity") or row["sparsity"])
            curves.setdefault(row["target"], []).append(
                (x, float(row["loss_increase"]), float(row["accuracy"])))
    return {name: sorted(points) for name, points in curves.items()}


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    curves = read_curves(argv[1])
    if not curves:
        print(f"{argv[1]}: no rows", file=sys.stderr)
        return 1
    fig, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(8, 7))
    for name, points in curves.items():
        xs = [p[0] for p in points]
        top.plot(xs, [p[1] for p in points], marker="o", markersize=3, label=name)
        bottom.plot(xs, [p[2] for p in points], marker="o", markersize=3, label=name)
    top.axhline(0.0, color="gray", linewidth=0.8)
    top.set_ylabel("validation loss increase")
    top.set_title("Sensitivity: each target pruned alone (magnitude)")
    bottom.set_ylabel("validation accuracy")
    bottom.set_xlabel("sparsity of the target")
    bottom.set_xlim(0.0, 1.0)
    for axis in (top, bottom):
        axis.grid(True, alpha=0.3)
    top.legend(fontsize="small", ncol=2 if len(curves) > 8 else 1)
    fig.tight_layout()
    fig.savefig(argv[2], dpi=120)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
