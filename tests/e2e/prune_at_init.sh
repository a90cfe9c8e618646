# A prune update planned at step 0 (oneshot at `start: 0it`: pruning at initialisation) happens
# before the first step, identically on every rank; gradient methods cannot start at step 0.
source "$(dirname "$0")/../lib.sh"
"$BIN" prepare --format tsv --input "$DATA/sst2/dev.tsv" --valid "$DATA/sst2/dev.tsv" --output "$WORK/dev.h5" >/dev/null
cat >"$WORK/init.yaml" <<YAML
name: prune_at_init
data: {path: $WORK/dev.h5}
model: {type: textcnn, embedding_dim: 16, filters: 8, widths: [2, 3], max_length: 30}
training: {batch_size: 16, eval_every: 20it}
stages:
  - name: s
    until: 20it
    modifiers:
      - prune: {method: magnitude, scope: global, targets: ["convs.*.weight", "fc.weight"], final_sparsity: 0.9, start: 0it, end: 0it, every: 1it, schedule: oneshot}
YAML
mpi 2 train --recipe "$WORK/init.yaml" --output "$WORK/run" --write-rank-masks >/dev/null
"$PY" - "$WORK/run" <<'PY'
import json, sys, h5py, numpy as np
run = sys.argv[1]
m = [dict((k, f["masks"][k][()]) for k in f["masks"]) for f in (h5py.File(f"{run}/masks.rank{r}.h5", "r") for r in (0, 1))]
assert all(np.array_equal(m[0][k], m[1][k]) for k in m[0]), "ranks disagree"
zeros = sum((v == 0).sum() for v in m[0].values()) / sum(v.size for v in m[0].values())
assert abs(zeros - 0.9) < 0.002, zeros
evals = [e for e in map(json.loads, open(f"{run}/metrics.jsonl")) if e["event"] == "eval"]
assert evals[0]["sparsity"] > 0.89, evals[0]  # pruned before the first step, not at the end
summary = json.load(open(f"{run}/summary.json"))
assert summary["dense_accuracy"] is None, summary["dense_accuracy"]  # never evaluated dense
print(f"ok: pruned to {zeros:.4f} at step 0, ranks agree")
PY
expect_user_error "cannot be at step 0" "$BIN" train --recipe "$WORK/init.yaml" \
  --set stages.0.modifiers.0.prune.method=taylor --output "$WORK/bad"
