# training.comm_dtype: the gradient exchange in bf16 / fp16 on 2 ranks. Three SGD steps from the
# same start: the weights move, the compressed runs differ from the fp32 one (the option takes
# effect) by at most a small fraction of the update, repeat runs are bit-identical, one rank is
# unaffected (nothing travels), the checkpoint records the setting, and resuming with another
# setting is refused.
source "$(dirname "$0")/../lib.sh"
prepare_sst2
cp "$SRC/tests/data/recipes/tiny_layer.yaml" "$WORK/recipe.yaml"
common=(--recipe "$WORK/recipe.yaml" --set model.dropout=0 --set training.optimizer=sgd
        --set training.momentum=0 --set training.lr=0.5 --set 'stages=[{name: three, until: 3it}]')
mpi 2 train "${common[@]}" --output "$WORK/init" --set training.lr=1e-12 >/dev/null
mpi 2 train "${common[@]}" --output "$WORK/fp32" >/dev/null
for wire in bf16 fp16; do
  mpi 2 train "${common[@]}" --set training.comm_dtype=$wire --output "$WORK/$wire" >/dev/null
done
mpi 2 train "${common[@]}" --set training.comm_dtype=bf16 --output "$WORK/bf16-again" >/dev/null
mpi 1 train "${common[@]}" --output "$WORK/one-fp32" >/dev/null
mpi 1 train "${common[@]}" --set training.comm_dtype=bf16 --output "$WORK/one-bf16" >/dev/null
"$PY" - "$WORK" <<'PY'
import sys, h5py, numpy as np
work = sys.argv[1]
def weights(run):
    with h5py.File(f"{work}/{run}/final.h5", "r") as f:
        return {k: f["weights"][k][()] for k in f["weights"]}
def norm(d):
    return float(np.sqrt(sum(float((v.astype(np.float64) ** 2).sum()) for v in d.values())))
init, fp32 = weights("init"), weights("fp32")
update = norm({k: fp32[k] - init[k] for k in fp32})
assert update > 1e-3, f"three steps barely moved the weights ({update})"
for wire, limit in (("bf16", 2 ** -5), ("fp16", 2 ** -8)):
    w = weights(wire)
    gap = norm({k: w[k] - fp32[k] for k in fp32}) / update
    assert 0 < gap <= limit, f"{wire}: distance to fp32 is {gap:.3g} of the update (want (0, {limit}])"
    print(f"ok: {wire} exchange: weights within {gap:.2e} of the fp32 run, relative to the update")
again = weights("bf16-again")
assert all(np.array_equal(again[k], weights("bf16")[k]) for k in again), "bf16 rerun differs"
one, one_bf16 = weights("one-fp32"), weights("one-bf16")
assert all(np.array_equal(one[k], one_bf16[k]) for k in one), "comm_dtype changed a 1-rank run"
for run, recorded in (("bf16", True), ("fp32", False)):
    with h5py.File(f"{work}/{run}/final.h5", "r") as f:
        recipe = f.attrs["recipe"]
        recipe = recipe.decode() if isinstance(recipe, bytes) else recipe
    assert ("comm_dtype: bf16" in recipe) == recorded, f"{run}: checkpoint recipe:\n{recipe}"
print("ok: reruns bit-identical; one rank unaffected; the checkpoint records comm_dtype")
PY
# A different comm_dtype changes results: resuming with it is refused like any other recipe change.
expect_user_error "different effective recipe" mpi 2 train "${common[@]}" \
  --resume "$WORK/bf16/final.h5" --output "$WORK/resumed"
