# Preemption: SIGTERM to ONE rank of a 2-rank job (as Slurm signals tasks) makes every
# rank stop at the same step boundary, write a checkpoint and exit with code 3; --resume then
# finishes with weights and masks bitwise equal to an uninterrupted run.
source "$(dirname "$0")/../lib.sh"
prepare_sst2
cp "$SRC/tests/data/recipes/tiny_layer.yaml" "$WORK/recipe.yaml"
# Long enough to be signalled mid-run; evaluations every 40 steps mark progress.
long=(--recipe "$WORK/recipe.yaml" --set 'stages.1.for=400it')
mpi 2 train "${long[@]}" --output "$WORK/full" >/dev/null
set +e
mpi 2 train "${long[@]}" --output "$WORK/pre" >"$WORK/pre.log" 2>&1 &
job=$!
set -e
for _ in $(seq 300); do
  [ -s "$WORK/pre/metrics.jsonl" ] && [ "$(wc -l <"$WORK/pre/metrics.jsonl")" -ge 2 ] && break
  sleep 0.1
done
rank1=$(pgrep -f "topiary train ${long[*]:0:2}.*--output $WORK/pre" | sort -n | tail -1)
[ -n "$rank1" ] || fail "rank process not found"
kill -TERM "$rank1"
set +e
wait "$job"
code=$?
set -e
cat "$WORK/pre.log"
[ "$code" -eq 3 ] || fail "expected exit code 3 after SIGTERM, got $code"
grep -q "preempted (SIGTERM): checkpoint at step" "$WORK/pre.log" || fail "no preemption message"
ls "$WORK/pre/checkpoints"
mpi 2 train "${long[@]}" --output "$WORK/pre" --resume "$WORK/pre" >"$WORK/resume.log"
grep "resumed from" "$WORK/resume.log"
"$PY" - "$WORK/full/final.h5" "$WORK/pre/final.h5" <<'PY'
import sys, h5py
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
for group in ("weights", "masks", "optimizer"):
    for k in a[group]:
        assert a[group][k][()].tobytes() == b[group][k][()].tobytes(), f"{group}/{k} differs"
print("ok: preempted + resumed run equals the uninterrupted run")
PY
