# Acceptance: one SGD step on 2 ranks (per-rank batch b) equals one step on 1 rank with batch 2b
# on the same examples (<= 1e-6 relative). Dropout off so the step is deterministic.
source "$(dirname "$0")/../lib.sh"
prepare_sst2
cp "$SRC/tests/data/recipes/tiny_layer.yaml" "$WORK/recipe.yaml"
common=(--recipe "$WORK/recipe.yaml" --set model.dropout=0 --set training.optimizer=sgd
        --set training.momentum=0 --set training.lr=0.5 --set 'stages=[{name: one, until: 1it}]')
mpi 1 train "${common[@]}" --output "$WORK/one" >/dev/null
mpi 2 train "${common[@]}" --output "$WORK/two" >/dev/null
mpi 4 train "${common[@]}" --output "$WORK/four" >/dev/null
mpi 1 train "${common[@]}" --set training.lr=1e-12 --output "$WORK/init" >/dev/null
"$PY" - "$WORK" <<'PY'
import sys, h5py, numpy as np
work = sys.argv[1]
def weights(run):
    with h5py.File(f"{work}/{run}/final.h5", "r") as f:
        return {k: f["weights"][k][()] for k in f["weights"]}
one, two, four, init = (weights(r) for r in ("one", "two", "four", "init"))
# The step must have moved the weights, or the comparison proves nothing.
moved = max(np.abs(one[k] - init[k]).max() for k in one)
assert moved > 1e-4, f"one step barely moved the weights ({moved})"
for name in one:
    for other, label in ((two, "2 ranks"), (four, "4 ranks")):
        a, b = one[name], other[name]
        rel = np.abs(a - b).max() / max(np.abs(a).max(), 1e-12)
        assert rel <= 1e-6, f"{name}: {label} differs from 1 rank by {rel:.3g} (relative)"
print("ok: 1, 2 and 4 ranks give the same weights after one step")
PY
