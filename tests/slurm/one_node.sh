# Acceptance: a real one-node Slurm cluster (slurmctld + slurmd on localhost, RUNBOOK), running
# launch/slurm/one_node.sbatch for a 2-rank training job, once with srun --mpi=pmix and once
# with mpirun inside the allocation. Checks JobState, ExitCode and the job's output; the daemons
# are always stopped (cluster.bash).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/cluster.bash"
prepare_sst2
start_slurm

for launcher in srun mpirun; do
  out="$WORK/job-$launcher.out"
  job=$(sbatch --parsable --chdir "$WORK" --output "$out" \
    --export "ALL,TOPIARY_LAUNCHER=$launcher,TOPIARY_BIN=$BIN" \
    "$SRC/launch/slurm/one_node.sbatch" --recipe "$SRC/tests/data/recipes/tiny_layer.yaml" \
    --set "data.path=$WORK/sst2.h5" --set training.eval_every=40it --output "$WORK/run-$launcher")
  wait_job_gone "$job" 90 || true
  info="$(scontrol show job "$job")"
  state=$(sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' <<<"$info")
  exit_code=$(sed -n 's/.* ExitCode=\([0-9:]*\).*/\1/p' <<<"$info")
  if [ "$state" != COMPLETED ] || [ "$exit_code" != 0:0 ]; then
    cat "$out" 2>/dev/null; tail -n 20 "$SL/slurmd.log"
    fail "$launcher job $job: JobState=$state ExitCode=$exit_code"
  fi
  grep -q "tiny_layer on 2 rank(s)" "$out" || { cat "$out"; fail "$launcher job did not run 2 ranks"; }
  grep -q "^topiary: done" "$out" || { cat "$out"; fail "$launcher job did not finish training"; }
  [ -f "$WORK/run-$launcher/final.h5" ] || fail "$launcher job wrote no checkpoint"
  echo "ok: Slurm job $job ($launcher): JobState=$state ExitCode=$exit_code, 2 ranks trained"
done
