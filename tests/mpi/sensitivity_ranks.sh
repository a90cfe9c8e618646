# Acceptance: the sensitivity sweep gives the same bytes on 1, 2 and 4 (oversubscribed)
# ranks; every (target, sparsity) appears once; the plot is written; the suggested allocation
# meets its global target. A tiny TextCNN is trained to 70% layer-wise sparsity first, so grid
# points at or below 0.7 leave masks unchanged and must equal the baseline.
source "$(dirname "$0")/../lib.sh"
prepare_sst2
recipe="$SRC/tests/data/recipes/tiny_layer.yaml"
"$BIN" train --recipe "$recipe" --set data.path="$WORK/sst2.h5" --output "$WORK/run" >/dev/null
ckpt="$WORK/run/final.h5"
for n in 1 2 4; do
  start=$(date +%s%N)
  mpi "$n" sensitivity "$ckpt" --recipe "$recipe" --set data.path="$WORK/sst2.h5" \
    --grid 0.25,0.5,0.75,0.9 --target 0.8 --output "$WORK/sens$n" >"$WORK/log$n.txt"
  echo "ok: $n rank(s) in $((($(date +%s%N) - start) / 1000000)) ms"
  grep -q "13 points on $n rank" "$WORK/log$n.txt" || { cat "$WORK/log$n.txt"; fail "no point count"; }
done
for n in 2 4; do
  cmp "$WORK/sens1/sensitivity.csv" "$WORK/sens$n/sensitivity.csv" || fail "CSV on $n ranks differs"
  cmp "$WORK/sens1/allocation.yaml" "$WORK/sens$n/allocation.yaml" || fail "allocation on $n ranks differs"
done
echo "ok: CSV and allocation byte-identical on 1, 2 and 4 ranks"

"$PY" - "$WORK" "$ckpt" <<'PY'
import csv, re, sys, h5py
work, ckpt = sys.argv[1], sys.argv[2]
rows = list(csv.DictReader(open(f"{work}/sens1/sensitivity.csv")))
targets = ["convs.0.weight", "convs.1.weight", "fc.weight"]
keys = [(r["target"], r["sparsity"]) for r in rows]
assert len(keys) == len(set(keys)), f"a (target, sparsity) appears twice: {keys}"
assert sorted({r["target"] for r in rows}) == targets, keys
with h5py.File(ckpt, "r") as f:
    numel = {t: f["weights"][t].size for t in targets}
    current = {t: float((f["masks"][t][()] == 0).mean()) for t in targets}
baseline_loss = None
for t in targets:
    mine = {float(r["sparsity"]): r for r in rows if r["target"] == t}
    assert sorted(mine) == sorted([current[t], 0.25, 0.5, 0.75, 0.9]), (t, sorted(mine))
    base = mine[current[t]]
    assert float(base["loss_increase"]) == 0.0 and abs(current[t] - 0.7) < 0.01, base
    baseline_loss = baseline_loss or base["loss"]
    assert base["loss"] == baseline_loss, "one baseline for every target"
    for s in (0.25, 0.5):  # already pruned further: the mask does not change
        assert mine[s]["loss"] == baseline_loss and float(mine[s]["achieved_sparsity"]) == current[t], mine[s]
    for s in (0.75, 0.9):
        assert float(mine[s]["achieved_sparsity"]) == round(s * numel[t]) / numel[t], mine[s]
    assert float(mine[0.9]["loss_increase"]) != 0.0, mine[0.9]
print(f"ok: {len(rows)} rows, each (target, sparsity) once, baseline loss {baseline_loss}")

png = open(f"{work}/sens1/sensitivity.png", "rb").read()
assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 1000, len(png)
print(f"ok: plot is a {len(png)}-byte PNG")

text = open(f"{work}/sens1/allocation.yaml").read()
alloc = dict(re.findall(r'targets: \["([^"]+)"\], final_sparsity: ([0-9.e-]+)', text))
assert sorted(alloc) == targets and text.count("overrides:") == 1, text
pruned = sum(round(float(alloc[t]) * numel[t]) for t in targets)
total = sum(numel.values())
assert pruned == round(0.8 * total), (pruned, 0.8 * total, alloc)
for t in targets:
    assert current[t] - 1e-9 <= float(alloc[t]) <= round(0.9 * numel[t]) / numel[t], (t, alloc[t])
print(f"ok: allocation prunes {pruned} of {total} weights (target 0.8):", alloc)
PY

# Defaults: the checkpoint's own recipe, the default grid (9 rows and a baseline row per target),
# DIR next to the checkpoint; the allocation target is the recipe's largest final_sparsity (0.7,
# already reached).
"$BIN" sensitivity "$ckpt" >"$WORK/default.txt"
[ "$(wc -l <"$WORK/run/sensitivity/sensitivity.csv")" -eq $((1 + 3 * 10)) ] || fail "default grid"
grep -q "final_sparsity: 0.7" "$WORK/run/sensitivity/allocation.yaml" || fail "default target"
# A plotting failure keeps the CSV and the allocation, with a warning.
TOPIARY_PYTHON=/nonexistent "$BIN" sensitivity "$ckpt" --grid 0.9 --output "$WORK/noplot" \
  >/dev/null 2>"$WORK/noplot.err"
grep -q "warning: no plot" "$WORK/noplot.err" || fail "no plot warning"
[ -s "$WORK/noplot/sensitivity.csv" ] && [ -s "$WORK/noplot/allocation.yaml" ] || fail "outputs lost"
echo "ok: defaults and plot failure"
expect_user_error "--grid" "$BIN" sensitivity "$ckpt" --grid 0.5,1.0
expect_user_error "--target" "$BIN" sensitivity "$ckpt" --target 1.5
