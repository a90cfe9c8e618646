#!/usr/bin/env python3
"""Mean and std over seeds of what bench/quality/test_split.sh left in OUT: GLUE dev (test split)
accuracy of the checkpoint selected on the validation split, that checkpoint's validation
accuracy, the model's sparsity (all parameters) and the embedding table's, its nonzero weights
(mean over seeds), and the test accuracy minus the `dense` configuration's, paired by seed (the
same seed draws the same initial weights and batch order, so the paired difference varies less
than either accuracy). One Markdown table.
NAME:REFERENCE pairs NAME with REFERENCE instead of `dense` (a variant with its own dense run);
--dense NAME makes NAME the reference of every row that does not name its own.

    bench/quality/test_split_table.py OUT [--dense NAME] [NAME[:REFERENCE] ...]
"""
import json
import statistics
import sys
from pathlib import Path


def mean_std(values):
    mean = statistics.mean(values)
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{100 * mean:.2f} ± {100 * std:.2f}"


def inspect_figures(inspect_text):
    """The embedding table's sparsity (nan without one) and the model's nonzero weights, from
    `topiary inspect`'s per-parameter lines and its total line."""
    embedding, nonzero = float("nan"), None
    for line in inspect_text.splitlines():
        if line.startswith("embedding.weight "):
            embedding = float(line.split()[3].rstrip("%")) / 100
        elif line.startswith("total: "):
            nonzero = int(line.split(", ")[2].split()[0])
    if nonzero is None:
        raise ValueError("inspect.txt has no 'total:' line")
    return embedding, nonzero


def test_by_seed(out, name):
    return {path.parent.name: json.loads(path.read_text())["accuracy"]
            for path in (out / name).glob("s*/eval_test.json")}


def paired_gap(out, name, reference, default_reference):
    dense, runs = test_by_seed(out, reference), test_by_seed(out, name)
    seeds = sorted(set(dense) & set(runs))
    if name == reference or not seeds:
        return "-"
    against = "" if reference == default_reference else f", vs {reference}"
    return f"{mean_std([runs[s] - dense[s] for s in seeds])} ({len(seeds)}{against})"


def main():
    out, args, default_reference = Path(sys.argv[1]), sys.argv[2:], "dense"
    if args[:1] == ["--dense"]:
        default_reference, args = args[1], args[2:]
    names = args or sorted(p.name for p in out.iterdir() if p.is_dir() and p.name != "data")
    print("| configuration | seeds | test accuracy (%) | valid accuracy (%), selected "
          "| sparsity (%) | embedding sparsity (%) | nonzero weights | test - dense, paired (pp, seeds) "
          "| test per seed (selected step) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for entry in names:
        name, _, reference = entry.partition(":")
        runs = sorted((out / name).glob("s*/eval_test.json"))
        if not runs:
            continue
        test, valid, sparsity, embedding, nonzero, per_seed = [], [], [], [], [], []
        for path in runs:
            result = json.loads(path.read_text())
            summary = json.loads((path.parent / "summary.json").read_text())
            kept = summary["selection"]["kept"][0]
            test.append(result["accuracy"])
            valid.append(kept["value"])
            sparsity.append(result["sparsity"])
            embedding_fraction, nonzero_count = inspect_figures((path.parent / "inspect.txt").read_text())
            embedding.append(embedding_fraction)
            nonzero.append(nonzero_count)
            per_seed.append(f"{path.parent.name} {100 * result['accuracy']:.2f} @{kept['step']}")
        print(f"| {name} | {len(runs)} | {mean_std(test)} | {mean_std(valid)} | "
              f"{100 * statistics.mean(sparsity):.1f} | {100 * statistics.mean(embedding):.1f} | "
              f"{round(statistics.mean(nonzero)):,} | "
              f"{paired_gap(out, name, reference or default_reference, default_reference)} | {', '.join(per_seed)} |")


if __name__ == "__main__":
    main()
