#!/usr/bin/env python3
"""Mean +- std tables of the bench/quality runs: WORK/<config>/s<seed>/{summary.json,inspect.txt}.

  aggregate.py WORK [--plot frontier.png]

For each config: the number of seeds, the selected checkpoint's metric (summary.json
selected_checkpoint: the best evaluation at the final sparsity, training.selection's default
at_final_sparsity), the last step's metric, the target sparsity of the pruned weights and the
range of per-layer sparsities of the prune targets (from `topiary inspect final.h5`).
Classification reports dev accuracy in %, the language model validation loss in nats/char.
std is the sample standard deviation (n - 1); one seed prints no std.
"""
import json
import re
import statistics
import sys
from pathlib import Path

# Prune targets whose per-layer sparsity range is shown (the embedding is pruned on its own).
TARGETS = {"classification": re.compile(r"^(convs\.\d+\.weight|fc\.weight)$"),
           "language_model": re.compile(r"^layers\.\d+\.(attention|ffn)\..*weight$")}


def selected_value(summary):
    sel = summary.get("selected_checkpoint")
    for kept in summary.get("selection", {}).get("kept", []):
        if kept["checkpoint"] == sel:
            return kept["value"], kept["step"]
    raise SystemExit(f"aggregate.py: selected_checkpoint {sel} not among selection.kept")


def layer_range(inspect_file, task):
    pattern = TARGETS.get(task)
    values = []
    if pattern is None or not inspect_file.exists():
        return None
    for line in inspect_file.read_text().splitlines():
        cols = line.split()
        if len(cols) >= 4 and pattern.match(cols[0]) and cols[3].endswith("%"):
            values.append(float(cols[3][:-1]) / 100)
    return (min(values), max(values)) if values else None


def fmt(values, digits, scale=1.0):
    if not values:
        return "-"
    mean = statistics.mean(values) * scale
    if len(values) == 1:
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} ± {statistics.stdev(values) * scale:.{digits}f}"


def collect(work):
    rows = {}
    for summary_file in sorted(work.glob("*/s*/summary.json")):
        run = summary_file.parent
        summary = json.loads(summary_file.read_text())
        value, step = selected_value(summary)
        lm = summary["task"] != "classification"
        rows.setdefault(run.parent.name, []).append({
            "seed": run.name[1:], "task": summary["task"], "lm": lm,
            "selected": value, "selected_step": step,
            "last": summary["final_loss"] if lm else summary["final_accuracy"],
            "target": summary.get("target_sparsity", 0.0),
            "overall": summary.get("overall_sparsity", 0.0),
            "layers": layer_range(run / "inspect.txt", summary["task"]),
        })
    return rows


def table(rows, lm):
    unit = "valid loss (nats/char)" if lm else "dev accuracy (%)"
    scale, digits = (1.0, 3) if lm else (100.0, 2)
    out = [f"| config | seeds | {unit}, selected | {unit}, last step | target sparsity | "
           "per-layer sparsity of targets (min - max) | per seed (selected) |", "|---" * 7 + "|"]
    for name, runs in rows.items():
        if runs[0]["lm"] != lm:
            continue
        runs.sort(key=lambda r: int(r["seed"]))
        lows = [r["layers"][0] for r in runs if r["layers"]]
        highs = [r["layers"][1] for r in runs if r["layers"]]
        layers = f"{min(lows):.3f} - {max(highs):.3f}" if lows else "-"
        per_seed = ", ".join(f"s{r['seed']} {r['selected'] * scale:.{digits}f} @{r['selected_step']}"
                             for r in runs)
        out.append(f"| {name} | {len(runs)} | {fmt([r['selected'] for r in runs], digits, scale)} | "
                   f"{fmt([r['last'] for r in runs], digits, scale)} | "
                   f"{statistics.mean(r['target'] for r in runs):.3f} | {layers} | {per_seed} |")
    return "\n".join(out)


def imp_levels(work):
    """The eval events of the IMP runs: one row per level end (before its prune) and the ticket."""
    out = []
    for metrics in sorted(work.glob("*imp*/s*/metrics.jsonl")):
        evals = [json.loads(line) for line in metrics.read_text().splitlines() if '"eval"' in line]
        out.append(f"\n{metrics.parent.parent.name} seed {metrics.parent.name[1:]}\n")
        out.append("| step | sparsity (all weights) | dev accuracy (%) | valid loss |\n|---|---|---|---|")
        out += [f"| {e['step']} | {e['sparsity']:.3f} | {e['accuracy'] * 100:.2f} | {e['loss']:.4f} |"
                for e in evals if e.get("event") == "eval"]
    return "\n".join(out)


def plot(rows, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8.0, 4.2), dpi=100)
    # (label, name prefix, name suffix): <prefix><percent><suffix>; "_ed" arms leave the
    # embedding dense, so their x is the sparsity of the convolutions + classifier.
    families = [("GMP global", "cnn_gmp_global_", ""), ("GMP layer-wise", "cnn_gmp_layer_", ""),
                ("random", "cnn_random_", ""),
                ("GMP global, embedding dense", "cnn_gmp_global_", "_ed"),
                ("random, embedding dense", "cnn_random_", "_ed")]
    def percent(name, prefix, suffix):
        middle = name[len(prefix):len(name) - len(suffix)] if name.endswith(suffix) else ""
        return int(middle) if name.startswith(prefix) and middle.isdigit() else None
    # Families share x values: a small horizontal offset each keeps their error bars apart.
    for k, (label, prefix, suffix) in enumerate(families):
        pts = sorted((percent(n, prefix, suffix) / 100 + 0.004 * (k - 2), [r["selected"] * 100 for r in rs])
                     for n, rs in rows.items() if percent(n, prefix, suffix) is not None)
        if pts:
            ax.errorbar([p[0] for p in pts], [statistics.mean(p[1]) for p in pts],
                        yerr=[statistics.stdev(p[1]) if len(p[1]) > 1 else 0 for p in pts],
                        marker="o", capsize=3, label=label)
    singles = {"cnn_sens_90": ("sensitivity allocation", "s"), "cnn_movement_90": ("movement", "^"),
               "cnn_imp_rewind": ("IMP + rewinding", "D")}
    for k, (name, (label, marker)) in enumerate(singles.items()):
        if name in rows:
            vals = [r["selected"] * 100 for r in rows[name]]
            ax.errorbar([rows[name][0]["target"] + 0.004 * (len(families) - 2 + k)], [statistics.mean(vals)],
                        yerr=[statistics.stdev(vals) if len(vals) > 1 else 0], marker=marker,
                        linestyle="none", capsize=3, label=label)
    if "cnn_dense" in rows:
        dense = statistics.mean(r["selected"] * 100 for r in rows["cnn_dense"])
        ax.axhline(dense, color="gray", linestyle="--", label=f"dense ({dense:.1f})")
    ax.axhline(82.7, color="black", linestyle=":", label="Kim 2014 CNN-rand (82.7)")
    ax.set_xlabel("sparsity of the pruned weights")
    ax.set_ylabel("SST-2 dev accuracy (%), selected checkpoint")
    ax.set_title("TextCNN on SST-2: accuracy vs sparsity (mean ± std over seeds)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.tight_layout()
    fig.savefig(path)
    print(f"wrote {path}")


def main():
    args = sys.argv[1:]
    if not args or args[0].startswith("-"):
        raise SystemExit(__doc__)
    rows = collect(Path(args[0]))
    if not rows:
        raise SystemExit(f"aggregate.py: no WORK/<config>/s<seed>/summary.json under {args[0]}")
    print("SST-2 TextCNN\n\n" + table(rows, lm=False) + "\n")
    print("Tiny Shakespeare char GPT\n\n" + table(rows, lm=True))
    print(imp_levels(Path(args[0])))
    if "--plot" in args:
        plot(rows, args[args.index("--plot") + 1])


if __name__ == "__main__":
    main()
