# Storage faults and bad checkpoints: a checkpoint write that fails part-way (file-size
# limit, like a full disk) gives a clear error and leaves the previous checkpoint intact and
# loadable; truncated, newer-format and foreign checkpoints are each refused, saying which.
source "$(dirname "$0")/../lib.sh"
prepare_sst2
cp "$SRC/tests/data/recipes/tiny_layer.yaml" "$WORK/recipe.yaml"
mpi 2 train --recipe "$WORK/recipe.yaml" --output "$WORK/run" --checkpoint-every 20it --stop-at 20 >/dev/null
good="$WORK/run/checkpoints/step-00000020.h5"
sum_before=$(sha256sum "$good" | cut -d' ' -f1)
# Continue with a 256 KiB file-size limit: the next checkpoint (several MB) cannot be written.
set +e
# The limit applies to the ranks only (mpirun's own shared memory needs more).
mpirun --bind-to none -np 2 bash -c 'ulimit -f 256; exec "$0" "$@"' "$BIN" train --recipe "$WORK/recipe.yaml" --output "$WORK/run" \
   --resume "$WORK/run" --checkpoint-every 20it >"$WORK/out.txt" 2>"$WORK/err.txt"
code=$?
set -e
cat "$WORK/err.txt" | head -5
[ "$code" -ne 0 ] || fail "a failed checkpoint write did not fail the job"
grep -q "could not write checkpoint" "$WORK/err.txt" || fail "no clear write error"
[ "$(sha256sum "$good" | cut -d' ' -f1)" = "$sum_before" ] || fail "previous checkpoint changed"
ls "$WORK/run/checkpoints" | grep -q tmp && fail "temporary file left behind"
mpi 2 train --recipe "$WORK/recipe.yaml" --output "$WORK/run" --resume "$good" >/dev/null ||
  fail "previous checkpoint not loadable"
echo "ok: failed write left the previous checkpoint intact and loadable"
# Truncated.
head -c 100000 "$good" >"$WORK/truncated.h5"
expect_user_error "truncated.h5" "$BIN" train --recipe "$WORK/recipe.yaml" --output "$WORK/x" --stop-at 1 --resume "$WORK/truncated.h5"
cp "$WORK/run/checkpoints/step-00000020.h5" "$WORK/newer.h5" 2>/dev/null || cp "$WORK/run/final.h5" "$WORK/newer.h5"
# Newer format version.
"$PY" -c "import h5py,sys; f=h5py.File(sys.argv[1],'r+'); f.attrs['format_version']='99'; f.close()" "$WORK/newer.h5"
expect_user_error "format version '99'" mpi 1 train --recipe "$WORK/recipe.yaml" --output "$WORK/x" --resume "$WORK/newer.h5"
# A checkpoint of another model (different width) under the same recipe file name.
mpi 1 train --recipe "$WORK/recipe.yaml" --set model.filters=8 --output "$WORK/other" --stop-at 5 --checkpoint-every 5it >/dev/null
expect_user_error "different" mpi 1 train --recipe "$WORK/recipe.yaml" --output "$WORK/x" --resume "$WORK/other/checkpoints/step-00000005.h5"
# A dataset file is not a checkpoint.
expect_user_error "not a Topiary checkpoint" mpi 1 train --recipe "$WORK/recipe.yaml" --output "$WORK/x" --resume "$WORK/sst2.h5"
echo "ok: bad checkpoints refused"
