# Gradient accumulation gives the same training as one big micro-batch (up to float
# rounding: the same examples, the loss weighted by each part's share), also with uneven parts,
# and really runs the micro-batches it is asked for; bf16 autocast is in effect (its weights
# differ from those of an fp32 run that is bitwise reproducible, and stay fp32) and trains to the
# same quality as fp32.
source "$(dirname "$0")/../lib.sh"
prepare_sst2
# No dropout: its random masks would be drawn per micro-batch. SGD, unlike Adam, is not
# invariant to the gradient's scale, so a wrongly weighted micro-batch loss would show.
run=(--recipe "$SRC/tests/data/recipes/tiny_layer.yaml" --set data.path="$WORK/sst2.h5" --set model.dropout=0
     --set training.optimizer=sgd --set training.lr=0.05)
mpi 2 train "${run[@]}" --output "$WORK/one" >/dev/null
mpi 2 train "${run[@]}" --set training.accumulate=4 --output "$WORK/four" >/dev/null
mpi 2 train "${run[@]}" --set training.accumulate=3 --output "$WORK/three" >/dev/null
# max_tokens: each rank's 32 rows (model.max_length 40) cut into micro-batches of <= 160 padded
# tokens; with accumulate 2 on top, each half is cut again.
mpi 2 train "${run[@]}" --set training.max_tokens=160 --output "$WORK/tokens" >/dev/null
mpi 2 train "${run[@]}" --set training.max_tokens=160 --set training.accumulate=2 \
  --output "$WORK/tokens_two" >/dev/null
expect_user_error "training.max_tokens 30 is below the longest training example" \
  "$BIN" train "${run[@]}" --set training.max_tokens=30 --output "$WORK/too_few"
"$BIN" train "${run[@]}" --set training.precision=bf16 --output "$WORK/bf16" >/dev/null
"$BIN" train "${run[@]}" --output "$WORK/fp32" >/dev/null
# The same fp32 run again: fp32 must be bitwise reproducible for "bf16 differs" to mean anything.
"$BIN" train "${run[@]}" --output "$WORK/fp32_again" >/dev/null
"$PY" - "$WORK" <<'PY'
import json, sys
import h5py, numpy as np
work = sys.argv[1]
def weights(run):
    with h5py.File(f"{work}/{run}/final.h5", "r") as f:
        return {k: f["weights"][k][()] for k in f["weights"]}
def bitwise_equal(a, b):
    return a.keys() == b.keys() and all(a[k].tobytes() == b[k].tobytes() for k in a)
one = weights("one")
# Each rank's 32 rows: one micro-batch per step, or `accumulate` of them (3: 11 + 11 + 10 rows).
for run, parts in (("one", 1), ("four", 4), ("three", 3)):
    summary = json.load(open(f"{work}/{run}/summary.json"))
    steps, micro = summary["steps"], summary["micro_batches_rank0"]
    assert steps > 0 and micro == parts * steps, f"{run}: expected {parts} micro-batches per step, got {micro} over {steps} steps"
    print(f"ok: {run}: {micro} micro-batches over {steps} steps on rank 0")
for run in ("tokens", "tokens_two"):
    summary = json.load(open(f"{work}/{run}/summary.json"))
    steps, micro = summary["steps"], summary["micro_batches_rank0"]
    assert micro >= 3 * steps, f"{run}: max_tokens 160 should cut 32 rows into >= 3 micro-batches, got {micro} over {steps} steps"
    print(f"ok: {run}: {micro} micro-batches over {steps} steps on rank 0")
for run in ("four", "three", "tokens", "tokens_two"):
    other = weights(run)
    diff = max(np.abs(one[k] - other[k]).max() for k in one)
    scale = max(np.abs(one[k]).max() for k in one)
    assert diff <= 1e-3 * scale, f"accumulate ({run}) drifts from one micro-batch: {diff} (scale {scale})"
    print(f"ok: accumulate ({run}) matches one micro-batch within {diff:.2e} (weights up to {scale:.2f})")
bf16, fp32 = weights("bf16"), weights("fp32")
assert bitwise_equal(fp32, weights("fp32_again")), "two fp32 runs of the same recipe differ"
assert bf16.keys() == fp32.keys()
# Were training.precision bf16 ignored, this run would be the fp32 run, bit for bit.
assert not bitwise_equal(bf16, fp32), "precision bf16 trained exactly as fp32: autocast not in effect"
diff = max(np.abs(bf16[k] - fp32[k]).max() for k in fp32)
bad = [f"{k}: {v.dtype}" for k, v in bf16.items() if v.dtype != np.float32]
assert not bad, f"bf16 autocast must keep weights fp32: {bad}"
with h5py.File(f"{work}/bf16/final.h5", "r") as f:
    recipe = f.attrs["recipe"]
recipe = recipe.decode() if isinstance(recipe, bytes) else recipe
assert "precision: bf16" in recipe, "bf16 checkpoint does not record precision: bf16"
print(f"ok: bf16 weights differ from fp32 by up to {diff:.2e} (fp32 reruns bitwise equal); stored as float32")
summary = {r: json.load(open(f"{work}/{r}/summary.json")) for r in ("bf16", "fp32")}
a, b = summary["bf16"]["final_loss"], summary["fp32"]["final_loss"]
assert np.isfinite(a) and abs(a - b) <= 0.02, f"bf16 final loss {a} vs fp32 {b}"
print(f"ok: bf16 autocast final loss {a:.4f} vs fp32 {b:.4f}")
PY
