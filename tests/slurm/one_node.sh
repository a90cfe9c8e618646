# Acceptance: a real one-node Slurm cluster (slurmctld + slurmd on localhost, RUNBOOK), running
# launch/slurm/one_node.sbatch for a 2-rank training job, once with srun --mpi=pmix and once
# with mpirun inside the allocation. Checks JobState, ExitCode and the job's output; the daemons
# are always stopped. Installs nothing: launch/setup.sh installs slurm-wlm.
source "$(dirname "$0")/../lib.sh"
command -v slurmctld >/dev/null && command -v slurmd >/dev/null ||
  fail "slurm-wlm is not installed (launch/setup.sh installs it)"

SL="$WORK/slurm"
mkdir -p "$SL/state" "$SL/spool"
node="$(hostname -s)"
# Ports picked per run so that two test runs on one machine do not meet.
port=$((20000 + ($$ % 20000) * 2))
cat >"$SL/slurm.conf" <<CONF
ClusterName=topiarytest
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/none
CredType=cred/none
StateSaveLocation=$SL/state
SlurmdSpoolDir=$SL/spool
SlurmctldPidFile=$SL/slurmctld.pid
SlurmdPidFile=$SL/slurmd.pid
SlurmctldLogFile=$SL/slurmctld.log
SlurmdLogFile=$SL/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
MailProg=/bin/true
NodeName=$node NodeAddr=127.0.0.1 CPUs=2 RealMemory=4000 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$SL/slurm.conf"

stop_slurm() {
  local pids="" pid i
  for f in "$SL/slurmd.pid" "$SL/slurmctld.pid"; do
    [ -f "$f" ] && pids="$pids $(cat "$f")"
  done
  for pid in $pids; do kill "$pid" 2>/dev/null || true; done
  for ((i = 0; i < 100; ++i)); do
    local alive=""
    for pid in $pids; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ -z "$alive" ] && return 0
    sleep 0.1
  done
  for pid in $pids; do kill -9 "$pid" 2>/dev/null || true; done
}
trap 'stop_slurm; rm -rf "$WORK"' EXIT

prepare_sst2
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for ((i = 0; i < 100; ++i)); do
  [ "$(sinfo -h -o %T 2>/dev/null)" = idle ] && break
  sleep 0.2
done
[ "$(sinfo -h -o %T)" = idle ] || { cat "$SL"/*.log; fail "node did not become idle"; }

for launcher in srun mpirun; do
  out="$WORK/job-$launcher.out"
  job=$(sbatch --parsable --chdir "$WORK" --output "$out" \
    --export "ALL,TOPIARY_LAUNCHER=$launcher,TOPIARY_BIN=$BIN" \
    "$SRC/launch/slurm/one_node.sbatch" --recipe "$SRC/tests/data/recipes/tiny_layer.yaml" \
    --set "data.path=$WORK/sst2.h5" --set training.eval_every=40it --output "$WORK/run-$launcher")
  for ((i = 0; i < 900; ++i)); do
    [ -z "$(squeue -h -j "$job" 2>/dev/null)" ] && break
    sleep 0.1
  done
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
