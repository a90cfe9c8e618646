# Sourced by tests/slurm/*.sh after tests/lib.sh: a real one-node Slurm cluster (slurmctld +
# slurmd on localhost, auth none, state under $WORK/slurm). Jobs go to partition debug; a job in
# partition urgent preempts them (requeued if submitted with --requeue, as on a shared cluster).
# start_slurm starts it and waits for the node to be idle; the EXIT trap set here always stops
# the daemons. Installs nothing: launch/setup.sh installs slurm-wlm.
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
PreemptType=preempt/partition_prio
PreemptMode=REQUEUE
NodeName=$node NodeAddr=127.0.0.1 CPUs=2 RealMemory=4000 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP PriorityTier=1
PartitionName=urgent Nodes=ALL MaxTime=INFINITE State=UP PriorityTier=2
CONF
export SLURM_CONF="$SL/slurm.conf"

stop_slurm() {
  local pids="" pid i f left alive=""
  # A test that failed mid-job: cancel what is left first, so that no rank outlives the daemons.
  if [ -f "$SL/slurmctld.pid" ] && kill -0 "$(cat "$SL/slurmctld.pid")" 2>/dev/null &&
     [ -n "$(squeue -h 2>/dev/null)" ]; then
    scancel --user "$(id -un)" 2>/dev/null || true
    for ((i = 0; i < 150; ++i)); do
      [ -z "$(squeue -h 2>/dev/null)" ] && break
      sleep 0.1
    done
  fi
  for f in "$SL/slurmd.pid" "$SL/slurmctld.pid"; do
    [ -f "$f" ] && pids="$pids $(cat "$f")"
  done
  for pid in $pids; do kill "$pid" 2>/dev/null || true; done
  for ((i = 0; i < 100; ++i)); do
    alive=""
    for pid in $pids; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ -z "$alive" ] && break
    sleep 0.1
  done
  [ -z "$alive" ] || for pid in $pids; do kill -9 "$pid" 2>/dev/null || true; done
  # Anything still naming this test's directory (ranks of a job that could not be cancelled),
  # and this cluster's slurmstepd (they run in $SL and outlive slurmd).
  left=$(pgrep -f -- "$WORK/" || true)
  for pid in $(pgrep -x slurmstepd || true); do
    [ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$SL" ] && left="$left $pid"
  done
  [ -z "${left// /}" ] || kill -9 $left 2>/dev/null || true
}
trap 'stop_slurm; rm -rf "$WORK"' EXIT

start_slurm() {
  local i
  slurmctld -f "$SLURM_CONF"
  slurmd -f "$SLURM_CONF"
  for ((i = 0; i < 100; ++i)); do
    [ "$(sinfo -h -o %T 2>/dev/null)" = idle ] && return 0
    sleep 0.2
  done
  cat "$SL"/*.log; fail "node did not become idle"
}

# job_field JOB FIELD: one field of `scontrol show job` (e.g. JobState, Restarts, ExitCode).
job_field() { scontrol show job "$1" | grep -o "\b$2=[^ ]*" | head -1 | cut -d= -f2; }

# wait_job_gone JOB SECONDS: until the job has left the queue (finished, failed or cancelled).
wait_job_gone() {
  local i
  for ((i = 0; i < $2 * 10; ++i)); do
    [ -z "$(squeue -h -j "$1" 2>/dev/null)" ] && return 0
    sleep 0.1
  done
  return 1
}
