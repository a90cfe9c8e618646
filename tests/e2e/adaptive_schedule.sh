# An adaptive sparsity ramp (prune modifier key `adaptive`). A tiny TextCNN on SST-2 dev
# (split into train/valid), pruned hard with a small tolerance, so that the validation loss rises
# and the ramp pauses. Checks (a) the sparsity froze from the pausing evaluation to the resuming
# one, the decisions follow the documented rule, and the rest of the ramp ran later by the
# paused steps; (b) both ranks hold the same masks; (c) a run stopped mid-pause and resumed is
# bitwise equal to the uninterrupted run, with the same adaptive timeline.
source "$(dirname "$0")/../lib.sh"
"$BIN" prepare --format tsv --input "$DATA/sst2/dev.tsv" --text-column sentence --label-column label \
  --valid-fraction 0.25 --output "$WORK/dev.h5" >/dev/null
cat >"$WORK/adaptive.yaml" <<YAML
name: adaptive
seed: 5
data: {path: $WORK/dev.h5}
model: {type: textcnn, embedding_dim: 32, filters: 16, widths: [2, 3], dropout: 0.2, max_length: 32}
training: {batch_size: 32, optimizer: adam, lr: 0.003, eval_every: 4it, selection: {keep_best: 0}}
stages:
  - name: prune
    until: 160it
    modifiers:
      - prune: {method: magnitude, targets: ["convs.*.weight"], final_sparsity: 0.95,
                start: 40it, end: 100it, every: 4it, schedule: linear, adaptive: {tolerance: 0.003}}
YAML
"$BIN" recipe plan "$WORK/adaptive.yaml" --dataset-size 654 | grep -q "adaptive (loss, tolerance 0.003)" \
  || fail "recipe plan does not mark the ramp adaptive"
mpi 2 train --recipe "$WORK/adaptive.yaml" --output "$WORK/full" --write-rank-masks >"$WORK/full.log"
grep "adaptive ramp" "$WORK/full.log" | head -4
stop=$("$PY" - "$WORK/full/metrics.jsonl" <<'PY'
import json, sys
evals = [e for e in map(json.loads, open(sys.argv[1])) if e["event"] == "eval"]
tol, end, final = 0.003, 100, 0.95
pause = resume = None
delay = 0
for e in evals:
    for a in e.get("adaptive", []):
        limit = a["reference"] * (1 + tol)
        if a["event"] in ("paused", "still_paused"):
            assert a["value"] > limit and a["paused"], e
        if a["event"] in ("running", "resumed"):
            assert a["value"] <= limit and not a["paused"], e
        if a["event"] == "paused" and pause is None:
            pause = e["step"]
        if a["event"] == "resumed" and pause is not None and resume is None:
            resume = e["step"]
            assert a["delay"] == resume - pause, (a, pause, resume)
        delay = a["delay"]
assert pause is not None and resume is not None, "the ramp never paused and resumed"
sparsity = {e["step"]: e["sparsity"] for e in evals}
# (a) frozen from the pausing evaluation to the resuming one, growing again afterwards.
frozen = [sparsity[s] for s in sparsity if pause <= s <= resume]
assert len(frozen) >= 2 and max(frozen) == min(frozen), frozen
later = [sparsity[s] for s in sparsity if s > resume]
assert later and max(later) > frozen[0] + 1e-3, (frozen[0], later)
assert frozen[0] < final - 0.05, "paused too late to show a freeze"
# The ramp ended later than planned (at end + delay, or at the stage end at the latest).
reached = min(s for s in sparsity if sparsity[s] >= final - 1e-3)
assert reached > end, f"final sparsity reached at {reached}, not after the planned end {end}"
print(f"ok: paused at step {pause}, resumed at {resume} (sparsity {frozen[0]:.4f} held),"
      f" final sparsity from step {reached}, {delay} steps behind", file=sys.stderr)
print(pause + 2)  # a step inside the pause, between evaluations, for the resume test
PY
)
"$PY" - "$WORK/full" <<'PY'
import sys, h5py, numpy as np
run = sys.argv[1]
a, b = (h5py.File(f"{run}/masks.rank{r}.h5", "r")["masks"] for r in (0, 1))
assert sorted(a) == sorted(b) and all(np.array_equal(a[k][()], b[k][()]) for k in a), "ranks differ"
print("ok: both ranks hold the same masks")
PY
# (c) stop inside the pause, resume, compare with the uninterrupted run.
mpi 2 train --recipe "$WORK/adaptive.yaml" --output "$WORK/split" --stop-at "$stop" >/dev/null
mpi 2 train --recipe "$WORK/adaptive.yaml" --output "$WORK/split" --resume "$WORK/split" >"$WORK/resume.log"
grep -q "resumed from .* at step $stop" "$WORK/resume.log" || fail "did not resume at step $stop"
"$PY" - "$WORK/full" "$WORK/split" <<'PY'
import json, sys, h5py
full, split = sys.argv[1], sys.argv[2]
a, b = h5py.File(f"{full}/final.h5", "r"), h5py.File(f"{split}/final.h5", "r")
for group in ("weights", "masks", "optimizer"):
    assert sorted(a[group]) == sorted(b[group]), group
    for k in a[group]:
        assert a[group][k][()].tobytes() == b[group][k][()].tobytes(), f"{group}/{k} differs"
clocks = [k for k in a["state"] if k.startswith("adaptive:")]
assert clocks and all(a["state"][k][()].tobytes() == b["state"][k][()].tobytes() for k in clocks)
def timeline(run):
    return [(e["step"], e["sparsity"], e["loss"], e.get("adaptive"))
            for e in map(json.loads, open(f"{run}/metrics.jsonl")) if e["event"] == "eval"]
assert timeline(full) == timeline(split), "the adaptive timeline differs after resume"
print("ok: resumed mid-pause, bitwise equal to the uninterrupted run, same timeline")
PY
