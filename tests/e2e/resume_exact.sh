# Acceptance: a 2-rank run stopped mid-epoch in the middle of the pruning ramp and
# resumed ends bitwise equal (weights, masks, optimizer state) to an uninterrupted run; a
# periodic checkpoint with a flipped byte is refused with a checksum error.
source "$(dirname "$0")/../lib.sh"
prepare_sst2
cp "$SRC/tests/data/recipes/tiny_layer.yaml" "$WORK/recipe.yaml"
mpi 2 train --recipe "$WORK/recipe.yaml" --output "$WORK/full" >/dev/null
# Stop at step 37 (between mask updates at 35 and 40), keep periodic checkpoints every 10 steps.
mpi 2 train --recipe "$WORK/recipe.yaml" --output "$WORK/split" --checkpoint-every 10it --keep-last 2 --stop-at 37 >/dev/null
ls "$WORK/split/checkpoints" | tr '\n' ' '; echo
[ "$(ls "$WORK/split/checkpoints" | wc -l)" -eq 2 ] || fail "keep-last 2 not honoured"
[ -f "$WORK/split/checkpoints/step-00000037.h5" ] || fail "no checkpoint at the stop step"
mpi 2 train --recipe "$WORK/recipe.yaml" --output "$WORK/split" --resume "$WORK/split" | tee "$WORK/resume.log"
grep -q "resumed from .*step-00000037.h5 at step 37" "$WORK/resume.log" || fail "did not resume at step 37"
"$PY" - "$WORK/full/final.h5" "$WORK/split/final.h5" <<'PY'
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
for group in ("weights", "masks"):
    assert sorted(a[group]) == sorted(b[group]), group
    for k in a[group]:
        x, y = a[group][k][()], b[group][k][()]
        assert x.tobytes() == y.tobytes(), f"{group}/{k} differs after resume (max {np.abs(x - y).max()})"
assert sorted(a["optimizer"]) == sorted(b["optimizer"]) and len(a["optimizer"]) > 0
for k in a["optimizer"]:
    assert a["optimizer"][k][()].tobytes() == b["optimizer"][k][()].tobytes(), f"optimizer {k} differs"
assert a["state/optimizer_steps"][()].tobytes() == b["state/optimizer_steps"][()].tobytes()
for r in (0, 1):
    assert a[f"state/rng.rank{r}"][()].tobytes() == b[f"state/rng.rank{r}"][()].tobytes(), f"rng {r}"
print("ok: resumed run is bitwise equal to the uninterrupted run")
PY
# A flipped byte inside a weight's data must be refused (Fletcher32), naming the file.
ck="$WORK/split/checkpoints/step-00000037.h5"
"$PY" - "$ck" <<'PY'
import sys, h5py
path = sys.argv[1]
with h5py.File(path, "r") as f:
    offset = f["weights/fc.weight"].id.get_chunk_info(0).byte_offset
with open(path, "r+b") as raw:
    raw.seek(offset + 5); byte = raw.read(1); raw.seek(offset + 5)
    raw.write(bytes([byte[0] ^ 0x40]))
PY
expect_user_error "step-00000037.h5" mpirun --bind-to none -np 2 "$BIN" train --recipe "$WORK/recipe.yaml" \
  --output "$WORK/split" --resume "$ck"
grep -qi "checksum\|corrupt" "$WORK/err.txt" || fail "corruption not reported as such"
echo "ok: corrupted checkpoint refused"
# Across a level rewind (lottery ticket): IMP on SST-2 dev, stopped in level 2 after its rewind
# and after a mask update, then resumed; snapshot, masks and weights must match exactly.
"$BIN" prepare --format tsv --input "$DATA/sst2/dev.tsv" --valid "$DATA/sst2/dev.tsv" --output "$WORK/dev.h5" >/dev/null
imp=(--recipe "$SRC/recipes/imp_rewind.yaml" --set data.path="$WORK/dev.h5" --set training.batch_size=16
     --set model.embedding_dim=32 --set model.filters=16)
mpi 2 train "${imp[@]}" --output "$WORK/imp_full" >/dev/null
mpi 2 train "${imp[@]}" --output "$WORK/imp_split" --stop-at 150 >/dev/null
mpi 2 train "${imp[@]}" --output "$WORK/imp_split" --resume "$WORK/imp_split" >"$WORK/imp_resume.log"
grep -c "rewound" "$WORK/imp_resume.log" | grep -qx 4 || fail "resumed IMP run should perform the 4 remaining rewinds (3 levels + ticket)"
"$PY" - "$WORK/imp_full/final.h5" "$WORK/imp_split/final.h5" <<'PY'
import sys, h5py
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
for group in ("weights", "masks", "optimizer"):
    for k in a[group]:
        assert a[group][k][()].tobytes() == b[group][k][()].tobytes(), f"{group}/{k} differs"
snaps = [k for k in a["state"] if k.startswith("snap:early")]
assert snaps and all(a["state"][k][()].tobytes() == b["state"][k][()].tobytes() for k in snaps)
print("ok: IMP run resumed across a level rewind is bitwise equal")
PY
