# Acceptance (preemption): a 2-rank training job submitted with
# `sbatch --requeue --open-mode=append launch/slurm/one_node.sbatch ... --checkpoint-every` is
# interrupted twice by Slurm itself and still completes, equal to an uninterrupted run:
#   1. `scontrol requeue`: slurmstepd sends SIGCONT + SIGTERM to every task (SIGKILL KillWait
#      = 30 s later); the ranks checkpoint at the next step boundary and exit 3.
#   2. real preemption: a job in the higher-priority partition `urgent` (cluster.bash,
#      PreemptMode=REQUEUE) needs both CPUs, so slurmctld requeues ours the same way.
# Each time Slurm runs the script again with SLURM_RESTART_COUNT > 0 and the script adds
# --resume <output dir>. Slurm 22.05 makes a requeued job eligible only cred_expire + 1 s
# (121 s by default) after the requeue; `scontrol update StartTime=now` skips that wait here,
# but only once the old run has ended and a new second has begun: slurmd compares a launch
# credential's creation time with the job's revocation time in whole seconds, so a restart in
# the same second as the requeue is refused ("Job credential revoked") and the job FAILS.
# (srun gets SIGTERM too and prints "forcing job termination", but with the job already being
# requeued the ranks still had the KillWait grace: a task sleeping 5 s in its SIGTERM handler
# finished. mpirun instead kills its ranks 1 s after its own SIGTERM; see launch/README.md.)
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/cluster.bash"
prepare_sst2
cp "$SRC/tests/data/recipes/tiny_layer.yaml" "$WORK/recipe.yaml"
# 2000 steps, a checkpoint every 40. The run must outlast two interruptions: at 480 steps a
# resumed run (about 2 s) could finish before the urgent job preempted it.
args=(--recipe "$WORK/recipe.yaml" --set 'stages.1.for=1920it' --checkpoint-every 40it)
mpi 2 train "${args[@]}" --output "$WORK/full" >/dev/null
start_slurm
echo "$SECONDS s: uninterrupted run done, Slurm up"

out="$WORK/job.out"
job=$(sbatch --parsable --requeue --open-mode=append --chdir "$WORK" --output "$out" \
  --export "ALL,TOPIARY_BIN=$BIN" "$SRC/launch/slurm/one_node.sbatch" "${args[@]}" --output "$WORK/run")
show() { cat "$out" 2>/dev/null; scontrol show job "$job"; tail -n 20 "$SL/slurmctld.log"; }
# wait_until SECONDS WHAT CMD...: polls CMD every 0.2 s; fails naming WHAT after SECONDS.
wait_until() {
  local limit=$1 what=$2 i; shift 2
  for ((i = 0; i < limit * 5; ++i)); do
    "$@" && return 0
    sleep 0.2
  done
  show; fail "$what (not within $limit s)"
}
count() { grep -c -- "$1" "$out" 2>/dev/null || true; }
has_checkpoint() { compgen -G "$WORK/run/checkpoints/step-*.h5" >/dev/null; }
state_is() { [ "$(job_field "$job" JobState)" = "$1" ]; }
requeued_pending() { state_is PENDING && [ "$(job_field "$job" Restarts)" -ge "$1" ]; }
# training N: the Nth run of the job is in its training loop (a step line after its Nth start).
training() { awk -v n="$1" '/^topiary: ranks:/ {r++} /^step / && r >= n {s=1} END {exit !s}' "$out" 2>/dev/null; }
# release N: after the Nth requeue, once the interrupted run's ranks have checkpointed and
# exited, lets the job start again now rather than after the credential expiry wait.
release() {
  wait_until 60 "job not requeued (interruption $1)" requeued_pending "$1"
  wait_until 60 "interrupted run $1 did not checkpoint" at_least "$1" 'preempted (SIGTERM): checkpoint at step'
  wait_until 60 "interrupted run $1 did not exit" no_ranks
  sleep 2
  scontrol update JobId="$job" StartTime=now
}
at_least() { [ "$(count "$2")" -ge "$1" ]; }
no_ranks() { ! pgrep -f -- "--output $WORK/run" >/dev/null; }

# 1. scontrol requeue, once the first periodic checkpoint exists.
echo "$SECONDS s: submitted job $job"
wait_until 90 "no checkpoint from the first run" has_checkpoint
scontrol requeue "$job"
release 1
wait_until 60 "requeued job did not resume" grep -q "resumed from" "$out"
echo "$SECONDS s: requeued with scontrol requeue, running again"

# 2. preemption by an urgent-partition job, once the second run is training.
wait_until 60 "second run did not reach a training step" training 2
urgent=$(sbatch --parsable --partition urgent --ntasks 2 --output /dev/null --wrap 'sleep 1')
release 2
echo "$SECONDS s: preempted by urgent job $urgent"
wait_job_gone "$job" 120 || { show; fail "job did not finish within 120 s of the preemption"; }

echo "$SECONDS s: job left the queue"
state=$(job_field "$job" JobState) restarts=$(job_field "$job" Restarts) code=$(job_field "$job" ExitCode)
[ "$state" = COMPLETED ] && [ "$code" = 0:0 ] || { show; fail "JobState=$state ExitCode=$code"; }
[ "$restarts" -eq 2 ] || { show; fail "Restarts=$restarts, expected 2"; }
[ "$(job_field "$urgent" JobState)" = COMPLETED ] || { show; fail "urgent job $urgent did not complete"; }
[ "$(count 'preempted (SIGTERM): checkpoint at step')" -eq 2 ] || { show; fail "expected 2 preemption checkpoints"; }
# srun reports the ranks' exit codes ("task 1: ..." or "tasks 0-1: Exited with exit code 3").
[ "$(count 'Exited with exit code 3')" -ge 2 ] && [ "$(grep 'Exited with exit code' "$out" | grep -vc 'code 3$')" -eq 0 ] ||
  { show; fail "ranks did not exit 3 when preempted"; }
[ "$(count 'resumed from')" -eq 2 ] || { show; fail "expected 2 resumed runs"; }
grep -q "DUE TO JOB REQUEUE" "$out" && grep -q "DUE TO PREEMPTION" "$out" || { show; fail "Slurm's cancel reasons missing"; }
grep -q "^topiary: done" "$out" && [ -f "$WORK/run/final.h5" ] || { show; fail "job did not finish training"; }
grep -E 'preempted|resumed from|DUE TO' "$out"
"$PY" - "$WORK/full/final.h5" "$WORK/run/final.h5" <<'PY'
import sys, h5py
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
for group in ("weights", "masks", "optimizer"):
    assert set(a[group]) == set(b[group]), f"{group}: different datasets"
    for k in a[group]:
        assert a[group][k][()].tobytes() == b[group][k][()].tobytes(), f"{group}/{k} differs"
print("ok: twice requeued Slurm job equals the uninterrupted run")
PY
echo "ok: Slurm job $job: requeued, preempted by job $urgent, JobState=$state Restarts=$restarts"
