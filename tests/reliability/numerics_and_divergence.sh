# Numerics and mask divergence, with test-only fault injection:
#  - a NaN loss on the last rank: policy `stop` ends every rank with exit 2 naming the step and the
#    first parameter; policy `skip` drops that step on every rank and the run completes;
#  - a mask entry flipped on one rank is caught at the next verification, naming the parameter.
source "$(dirname "$0")/../lib.sh"
"$BIN" prepare --format tsv --input "$DATA/sst2/dev.tsv" --valid "$DATA/sst2/dev.tsv" --output "$WORK/dev.h5" >/dev/null
cp "$SRC/tests/data/recipes/tiny_layer.yaml" "$WORK/recipe.yaml"
base=(--recipe "$WORK/recipe.yaml" --set data.path="$WORK/dev.h5" --set training.batch_size=16)
export TOPIARY_FAULT_NAN_LOSS_AT=7
expect_user_error "step 7: non-finite gradient of 'embedding.weight' (loss on rank 1)" \
  mpi 2 train "${base[@]}" --output "$WORK/stop"
mpi 2 train "${base[@]}" --set training.on_nonfinite=skip --output "$WORK/skip" >"$WORK/skip.log"
grep -q "step 7: non-finite .* skipped on every rank" "$WORK/skip.log" || fail "skip not reported"
"$PY" - "$WORK/skip" <<'PY'
import json, sys, h5py, numpy as np
run = sys.argv[1]
s = json.load(open(f"{run}/summary.json"))
assert s["skipped_steps"] == 1, s["skipped_steps"]
with h5py.File(f"{run}/final.h5", "r") as f:
    assert all(np.isfinite(f["weights"][k][()]).all() for k in f["weights"]), "non-finite weights"
print("ok: skipped one step, weights finite")
PY
unset TOPIARY_FAULT_NAN_LOSS_AT
# tiny_layer updates masks every 5 steps from step 10: a flip after step 12 is seen at step 15.
set +e
TOPIARY_FAULT_FLIP_MASK_AT=12 mpi 2 train "${base[@]}" --output "$WORK/flip" >"$WORK/flip.out" 2>"$WORK/flip.err"
code=$?
set -e
[ "$code" -ne 0 ] || fail "mask divergence not detected"
grep -q "masks differ between ranks for parameter 'convs.0.weight'" "$WORK/flip.err" || { cat "$WORK/flip.err"; fail "no message naming the parameter"; }
grep -q "^step " "$WORK/flip.out" && grep -q "step     40" "$WORK/flip.out" && fail "job went on after divergence"
echo "ok: injected mask divergence stopped the job naming the parameter"
