# Acceptance (rank loss): kill -9 one rank (0 or 1, picked at random) of a 2-rank job
# at a random step after its first periodic checkpoint; every rank exits non-zero within 30 s and
# nothing is left behind. Then --resume from the run directory (its latest checkpoint) finishes
# with weights, masks and optimizer state bitwise equal to an uninterrupted run.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/long_run.bash"
trap 'kill_tree; rm -rf "$WORK"' EXIT
prepare_sst2
cp "$SRC/tests/data/recipes/tiny_layer.yaml" "$WORK/recipe.yaml"
# 480 steps (~8 s on 2 cores), a checkpoint every 40: the kill lands between two of them.
args=(--recipe "$WORK/recipe.yaml" --set 'stages.1.for=400it' --checkpoint-every 40it)
mpi 2 train "${args[@]}" --output "$WORK/full" >/dev/null

mpirun --bind-to none -np 2 "$BIN" train "${args[@]}" --output "$WORK/cut" >"$WORK/cut.log" 2>&1 &
JOB=$!
# Only complete checkpoints count: a file being written is step-N.h5.tmp.<pid>.
for ((i = 0; i < 600; ++i)); do
  compgen -G "$WORK/cut/checkpoints/step-*.h5" >/dev/null && break
  kill -0 "$JOB" 2>/dev/null || { cat "$WORK/cut.log"; fail "job ended before its first checkpoint"; }
  sleep 0.1
done
compgen -G "$WORK/cut/checkpoints/step-*.h5" >/dev/null || fail "no checkpoint within 60 s"
# A random step: 0-2 s more (up to ~120 steps) after the first checkpoint.
delay_ms=$((RANDOM % 2000))
sleep "$((delay_ms / 1000)).$(printf %03d $((delay_ms % 1000)))"
ranks=($(pgrep -P "$JOB" -x topiary || true))
[ "${#ranks[@]}" -eq 2 ] || { cat "$WORK/cut.log"; fail "expected 2 rank processes under mpirun, found ${ranks[*]:-none}"; }
victim=${ranks[$((RANDOM % 2))]}
victim_rank=$(tr '\0' '\n' <"/proc/$victim/environ" | sed -n 's/^OMPI_COMM_WORLD_RANK=//p')
kill -9 "$victim"
wait_exit "$JOB" 30
code=$EXIT_CODE
last_step=$(grep -o '^step *[0-9]*' "$WORK/cut.log" | tail -1 | tr -s ' ')
[ "$code" != timeout ] || { tail -n 8 "$WORK/cut.log"; fail "job still running 30 s after a rank was killed"; }
[ "$code" -ne 0 ] || { tail -n 8 "$WORK/cut.log"; fail "job exited 0 after a rank was killed"; }
sleep 0.5
left=$(pgrep -f -- "$WORK/" || true)
[ -z "$left" ] || { ps -o pid,args -p $left; fail "processes left behind: $left"; }
echo "ok: rank $victim_rank killed ${delay_ms} ms after the first checkpoint (last logged: $last_step);" \
  "job exited $code after ${ELAPSED_MS} ms; nothing left behind"
ls "$WORK/cut/checkpoints"

mpi 2 train "${args[@]}" --output "$WORK/cut" --resume "$WORK/cut" >"$WORK/resume.log" 2>&1 ||
  { cat "$WORK/resume.log"; fail "--resume after the kill failed"; }
grep "resumed from" "$WORK/resume.log" || { cat "$WORK/resume.log"; fail "no 'resumed from' line"; }
"$PY" - "$WORK/full/final.h5" "$WORK/cut/final.h5" <<'PY'
import sys, h5py
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
for group in ("weights", "masks", "optimizer"):
    assert set(a[group]) == set(b[group]), f"{group}: different datasets"
    for k in a[group]:
        assert a[group][k][()].tobytes() == b[group][k][()].tobytes(), f"{group}/{k} differs"
print("ok: killed + resumed run equals the uninterrupted run")
PY
