# Acceptance: masks are identical on every rank after each pruning step and at the end, with 2
# and 4 (oversubscribed) ranks. Every rank writes its own masks at the end (--write-rank-masks);
# the trainer also all-reduces mask fingerprints after every update and would abort on mismatch.
source "$(dirname "$0")/../lib.sh"
prepare_sst2
cp "$SRC/tests/data/recipes/tiny_layer.yaml" "$WORK/recipe.yaml"
for n in 2 4; do
  mpi "$n" train --recipe "$WORK/recipe.yaml" --output "$WORK/run$n" --write-rank-masks >"$WORK/log$n.txt"
  "$PY" - "$WORK/run$n" "$n" <<'PY'
import json, sys, h5py, numpy as np
run, n = sys.argv[1], int(sys.argv[2])
masks = []
for r in range(n):
    with h5py.File(f"{run}/masks.rank{r}.h5", "r") as f:
        masks.append({k: f["masks"][k][()] for k in f["masks"]})
for r in range(1, n):
    assert masks[r].keys() == masks[0].keys()
    for k in masks[0]:
        assert np.array_equal(masks[r][k], masks[0][k]), f"rank {r} mask {k} differs from rank 0"
s = json.load(open(f"{run}/summary.json"))
assert s["mask_verifications"] >= 11, s["mask_verifications"]  # one per update step + final
# Layer-wise: every targeted tensor is at 70% on its own.
for k, m in masks[0].items():
    assert abs((m == 0).mean() - 0.7) < 0.01, (k, (m == 0).mean())
print(f"ok: {n} ranks hold identical masks ({s['mask_verifications']} verifications)")
PY
done
