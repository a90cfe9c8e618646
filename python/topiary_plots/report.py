"""Write an HTML report of one or more `topiary train` runs: `topiary report` runs this script.

Usage: python report.py RUN_DIR [RUN_DIR...] -o OUT_DIR

Per run, from RUN_DIR/metrics.jsonl (the JSON lines rank 0 logs while training): loss curves
(train_loss and validation loss against step), validation accuracy (perplexity for a language
model), and the sparsity schedule (the sparsity of each eval event); from RUN_DIR/final.h5 the
sparsity of each masked layer (/masks/<name>, 0 = pruned); from RUN_DIR/summary.json a table.
Across several runs, the accuracy-sparsity frontier: final accuracy against the run's overall
target sparsity, labelled by recipe name, plus a table of its points. Runs laid out as
<config>/s<seed> are one point per config (mean, with a bar of +- one standard deviation over the
seeds); runs are named by the shortest trailing part of their paths that tells them apart.

Writes OUT_DIR/index.html and PNGs beside it. A run without metrics.jsonl, or a metrics file with
no eval event, is an error: one line on stderr and exit status 2. A missing final.h5 or
summary.json only leaves that part out (the page says so).
"""
import argparse
import html
import json
import os
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


class ReportError(Exception):
    pass


def read_metrics(path):
    """Events by kind; lines that are not JSON objects (a run killed mid-write) are counted."""
    events, bad = {}, 0
    with open(path) as f:
        for line in f:
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError:
                bad += 1
                continue
            if not isinstance(record, dict):
                bad += 1
                continue
            events.setdefault(record.get("event", ""), []).append(record)
    return events, bad


def read_layer_sparsity(path):
    import h5py
    import numpy as np

    layers = {}
    with h5py.File(path, "r") as f:
        if "masks" not in f:
            return layers
        for name in sorted(f["masks"]):
            mask = np.asarray(f["masks"][name][()])
            layers[name] = float((mask == 0).mean()) if mask.size else 0.0
    return layers


def series(events, key):
    points = [(e["step"], e[key]) for e in events
              if isinstance(e.get("step"), (int, float)) and isinstance(e.get(key), (int, float))]
    return [p[0] for p in points], [p[1] for p in points]


def save(fig, out_dir, name):
    fig.tight_layout()
    fig.savefig(os.path.join(out_dir, name), dpi=100)
    plt.close(fig)
    return name


def plot_curves(run, out_dir):
    evals = run["events"].get("eval", [])
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
    for key, label in (("train_loss", "train loss"), ("loss", "validation loss")):
        x, y = series(evals, key)
        if x:
            left.plot(x, y, marker="o", markersize=3, label=label)
    left.set_xlabel("step")
    left.set_ylabel("loss")
    left.set_title("Loss")
    left.legend()
    left.grid(alpha=0.3)
    x, y = series(evals, run["metric"])
    right.plot(x, y, marker="o", markersize=3, color="tab:green", label="validation")
    dense_x, dense_y = series(run["events"].get("dense_eval", []), run["metric"])
    if dense_x:
        right.scatter(dense_x, dense_y, color="black", marker="x", zorder=3,
                      label="dense (before pruning)")
    right.set_xlabel("step")
    right.set_ylabel(run["metric"])
    right.set_title(run["metric"].capitalize())
    right.legend()
    right.grid(alpha=0.3)
    return save(fig, out_dir, run["slug"] + "_curves.png")


def plot_schedule(run, out_dir):
    x, y = series(run["events"].get("eval", []), "sparsity")
    fig, ax = plt.subplots(figsize=(5, 3.2))
    ax.step(x, y, where="post", marker="o", markersize=3)
    ax.set_xlabel("step")
    ax.set_ylabel("sparsity of the targets")
    ax.set_ylim(0, 1)
    ax.set_title("Sparsity schedule (at each eval)")
    ax.grid(alpha=0.3)
    return save(fig, out_dir, run["slug"] + "_sparsity.png")


def plot_layers(run, out_dir):
    layers = run["layers"]
    names = list(layers)
    fig, ax = plt.subplots(figsize=(max(5, 0.6 * len(names) + 2), 3.6))
    ax.bar(range(len(names)), [layers[n] for n in names], color="tab:orange")
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels(names, rotation=45, ha="right", fontsize=8)
    ax.set_ylim(0, 1)
    ax.set_ylabel("fraction pruned")
    ax.set_title("Per-layer sparsity (final.h5)")
    ax.grid(axis="y", alpha=0.3)
    return save(fig, out_dir, run["slug"] + "_layers.png")


def frontier_point(run):
    """(target sparsity, final metric) or None."""
    summary, evals = run["summary"], run["events"].get("eval", [])
    sparsity = summary.get("target_sparsity")
    if not isinstance(sparsity, (int, float)):
        sparsity = evals[-1].get("sparsity") if evals else None
    value = (summary.get("final") or {}).get(run["metric"])
    if run["metric"] == "accuracy" and "final_accuracy" in summary:
        value = summary["final_accuracy"]
    if not isinstance(value, (int, float)):
        value = evals[-1].get(run["metric"]) if evals else None
    if isinstance(sparsity, (int, float)) and isinstance(value, (int, float)):
        return float(sparsity), float(value)
    return None


def seed_group(run):
    """Runs laid out as <config>/s<seed> (or seed<N>) belong to <config>; any other run is its own."""
    parent, last = os.path.split(run["name"])
    return parent if parent and re.fullmatch(r"s(eed)?\d+", last) else run["name"]


def plot_frontier(runs, out_dir):
    """One point per run; runs of several seeds of one config (<config>/s<seed>) become one point,
    their mean, with a bar of +- one standard deviation."""
    metrics = {run["metric"] for run in runs}
    metric = metrics.pop() if len(metrics) == 1 else "accuracy"
    groups = {}  # label -> [(sparsity, value)], in the order runs were given
    for run in runs:
        point = frontier_point(run) if run["metric"] == metric else None
        if point is not None:
            groups.setdefault(seed_group(run), []).append((run["recipe"], point))
    recipes = [recipe for members in groups.values() for recipe, _ in members[:1]]
    fig, ax = plt.subplots(figsize=(6, 4))
    plotted, table = [], []
    for group, members in groups.items():
        xs = [p[0] for _, p in members]
        ys = [p[1] for _, p in members]
        x, y = sum(xs) / len(xs), sum(ys) / len(ys)
        recipe = members[0][0]
        label = recipe if recipes.count(recipe) == 1 else f"{recipe} ({group})"
        std = None
        if len(members) > 1:
            std = (sum((v - y) ** 2 for v in ys) / (len(ys) - 1)) ** 0.5
            ax.errorbar([x], [y], yerr=[std], marker="o", capsize=3, zorder=3)
            label += f", {len(members)} seeds"
        else:
            ax.scatter([x], [y], zorder=3)
        table.append((group, recipe, len(members), x, y, std))
        plotted.append((x, y))
        ax.annotate(label, (x, y), textcoords="offset points", xytext=(5, 5), fontsize=8)
    if len(plotted) > 1:
        ax.plot(*zip(*sorted(plotted)), color="gray", alpha=0.5, zorder=2)
    ax.set_xlabel("overall target sparsity")
    ax.set_ylabel(f"final {metric}")
    title = f"{metric.capitalize()}-sparsity frontier"
    if any(len(m) > 1 for m in groups.values()):
        title += " (mean ± std over seeds)"
    ax.set_title(title)
    ax.grid(alpha=0.3)
    return save(fig, out_dir, "frontier.png"), metric, table


def frontier_table(metric, table):
    head = ("<tr><th>runs</th><th>recipe</th><th>seeds</th><th>overall target sparsity</th>"
            f"<th>final {html.escape(metric)} (mean)</th><th>std</th></tr>")
    rows = [f"<tr><td>{html.escape(group)}</td><td>{html.escape(recipe)}</td><td>{n}</td>"
            f"<td>{fmt(x)}</td><td>{fmt(y)}</td><td>{'' if std is None else fmt(std)}</td></tr>"
            for group, recipe, n, x, y, std in table]
    return '<table class="frontier">' + head + "".join(rows) + "</table>"


def summary_rows(summary):
    rows = []
    for key in sorted(summary):
        value = summary[key]
        if isinstance(value, dict):
            rows += [(f"{key}.{k}", v) for k, v in sorted(value.items())
                     if not isinstance(v, (dict, list))]
        elif not isinstance(value, list):
            rows.append((key, value))
    return rows


def fmt(value):
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def distinct_names(paths):
    """The shortest trailing part of each run's path that tells the runs apart: runs laid out as
    <config>/s<seed> are named "cnn_dense/s1", not "s1" (which every config has)."""
    parts = [os.path.normpath(os.path.abspath(p)).strip(os.sep).split(os.sep) for p in paths]
    depth = 1
    while True:
        names = ["/".join(p[-depth:]) for p in parts]
        if len(set(names)) == len(names) or depth >= max(len(p) for p in parts):
            return names
        depth += 1


def load_run(path, index):
    metrics_path = os.path.join(path, "metrics.jsonl")
    if not os.path.isdir(path):
        raise ReportError(f"{path}: not a directory (expected a run directory written by train)")
    if not os.path.isfile(metrics_path):
        raise ReportError(f"{metrics_path}: missing (is {path} a run directory written by train?)")
    events, bad = read_metrics(metrics_path)
    if not events.get("eval"):
        raise ReportError(f"{metrics_path}: no eval event to plot")
    summary = {}
    summary_path = os.path.join(path, "summary.json")
    if os.path.isfile(summary_path):
        try:
            with open(summary_path) as f:
                summary = json.load(f)
        except ValueError as e:
            raise ReportError(f"{summary_path}: not valid JSON ({e})")
    language_model = summary.get("task") == "language_model" or any(
        "perplexity" in e for e in events["eval"])
    layers, final = None, os.path.join(path, "final.h5")
    if os.path.isfile(final):
        try:
            layers = read_layer_sparsity(final)
        except OSError as e:
            raise ReportError(f"{final}: cannot read masks ({e})")
    name = os.path.basename(os.path.normpath(os.path.abspath(path)))
    return {
        "path": path, "name": name, "events": events, "bad_lines": bad, "summary": summary,
        "layers": layers, "metric": "perplexity" if language_model else "accuracy",
        "recipe": str(summary.get("recipe") or name),
        "slug": f"run{index}_" + re.sub(r"[^A-Za-z0-9_.-]", "_", name),
    }


def run_section(run, out_dir):
    parts = [f"<h2>{html.escape(run['name'])} <small>({html.escape(run['recipe'])}, "
             f"{html.escape(os.path.abspath(run['path']))})</small></h2>"]
    notes = []
    if run["bad_lines"]:
        notes.append(f"{run['bad_lines']} line(s) of metrics.jsonl were not JSON and were skipped.")
    skipped = run["events"].get("skipped_step", [])
    if skipped:
        notes.append(f"{len(skipped)} step(s) skipped (non-finite gradients).")
    images = [plot_curves(run, out_dir), plot_schedule(run, out_dir)]
    if run["layers"]:
        images.append(plot_layers(run, out_dir))
    elif run["layers"] is None:
        notes.append("No final.h5: per-layer sparsity left out.")
    else:
        notes.append("final.h5 holds no masks: per-layer sparsity left out.")
    parts += [f"<p class=note>{html.escape(n)}</p>" for n in notes]
    parts += [f'<img src="{html.escape(i)}" alt="{html.escape(i)}">' for i in images]
    if run["summary"]:
        rows = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(fmt(v))}</td></tr>"
                       for k, v in summary_rows(run["summary"]))
        parts.append(f"<table>{rows}</table>")
    else:
        parts.append("<p class=note>No summary.json (training did not finish?).</p>")
    return "\n".join(parts)


PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Topiary report</title>
<style>
body {{ font-family: sans-serif; margin: 2em; max-width: 1100px; }}
img {{ max-width: 100%; display: block; margin: 1em 0; }}
table {{ border-collapse: collapse; font-size: 0.9em; }}
th, td {{ border: 1px solid #ccc; padding: 2px 8px; text-align: left; }}
.note {{ color: #a60; }}
</style></head><body>
<h1>Topiary report</h1>
{body}
</body></html>
"""


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("runs", nargs="+", help="run directories written by topiary train")
    parser.add_argument("-o", "--output", required=True, help="output directory")
    args = parser.parse_args(argv)
    try:
        runs = [load_run(path, i + 1) for i, path in enumerate(args.runs)]
        for run, name in zip(runs, distinct_names(args.runs)):
            run["name"] = name
        os.makedirs(args.output, exist_ok=True)
        sections = []
        if len(runs) > 1:
            name, metric, table = plot_frontier(runs, args.output)
            sections.append(f'<h2>Frontier</h2>\n<img src="{name}" alt="{name}">\n'
                            + frontier_table(metric, table))
        sections += [run_section(run, args.output) for run in runs]
        index = os.path.join(args.output, "index.html")
        with open(index, "w") as f:
            f.write(PAGE.format(body="\n".join(sections)))
    except (ReportError, OSError) as e:
        print(f"report: {e}", file=sys.stderr)
        return 2
    print(f"wrote {index}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
