#!/usr/bin/env bash
# Entry point for MPI jobs that span containers (one container per node: Compose, the MPI
# Operator's MPIJob, two `podman run`s on one network). Runs as the image's unprivileged user on
# a read-only root filesystem: everything it writes goes to $TMPDIR (a tmpfs).
#   mpi-job.sh worker                      sshd on port 2222 for the launcher (runs until killed)
#   mpi-job.sh launch HOST[,HOST...]|hostfile -- topiary ARGS
#                                          mpirun with one rank per listed host (the launcher's
#                                          own name first, if it takes a rank; `hostfile`: the
#                                          MPI Operator's hosts), over ssh;
#                                          TOPIARY_RESUME_FROM=RUN_DIR adds --resume RUN_DIR when
#                                          that run has a checkpoint (a relaunch after preemption)
# Keys: $TOPIARY_SSH_DIR (default ~/.ssh, where the MPI Operator mounts its secret) holds a
# private key (id_ed25519 or id_rsa) and authorized_keys; every container of the job mounts the
# same folder. The host key is made at start (the job's containers trust each other by key).
set -euo pipefail
keys=${TOPIARY_SSH_DIR:-$HOME/.ssh}
port=${TOPIARY_SSH_PORT:-2222}
state=${TMPDIR:-/tmp}/topiary-ssh
mkdir -p "$state"
chmod 700 "$state"
private=""
for name in id_ed25519 id_rsa; do [ -f "$keys/$name" ] && { private=$keys/$name; break; }; done
[ -n "$private" ] || { echo "mpi-job.sh: no id_ed25519 or id_rsa in $keys (set TOPIARY_SSH_DIR)" >&2; exit 2; }
# ssh refuses keys that others can read; the mounted copy's mode is the mount's business.
cp "$private" "$state/id"
chmod 600 "$state/id"

# Preemption (Kubernetes, `docker stop`, `podman stop`) sends SIGTERM to this script, PID 1 of
# the container. It passes it on to the Topiary ranks running here: one signalled rank is enough,
# every rank of the job agrees to write a checkpoint at the next step and exits (code 3).
# mpirun is not relied on for this: Open MPI 4 aborts the job on SIGTERM instead of forwarding it.
term_local_ranks() {
  local proc
  for proc in /proc/[0-9]*; do
    [ "$(cat "$proc/comm" 2>/dev/null)" = topiary ] && kill -TERM "${proc#/proc/}" 2>/dev/null
  done
  return 0
}

case ${1:-} in
worker)
  [ -f "$keys/authorized_keys" ] || { echo "mpi-job.sh: no $keys/authorized_keys" >&2; exit 2; }
  cp "$keys/authorized_keys" "$state/authorized_keys"
  chmod 600 "$state/authorized_keys"
  ssh-keygen -q -t ed25519 -N "" -f "$state/host_key"
  cat >"$state/sshd_config" <<CONF
Port $port
HostKey $state/host_key
AuthorizedKeysFile $state/authorized_keys
PidFile $state/sshd.pid
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitUserEnvironment no
AcceptEnv OMPI_* TOPIARY_* NCCL_* OMP_NUM_THREADS
CONF
  /usr/sbin/sshd -D -e -f "$state/sshd_config" &
  sshd=$!
  # Stay up until the ranks here have written the checkpoint and exited: ending this container
  # would kill them first. TOPIARY_DRAIN_SECONDS bounds the wait.
  drain() {
    term_local_ranks
    for _ in $(seq "${TOPIARY_DRAIN_SECONDS:-120}"); do
      grep -qsx topiary /proc/[0-9]*/comm || break
      sleep 1
    done
    kill "$sshd" 2>/dev/null
  }
  trap drain TERM INT
  wait "$sshd" || true
  wait "$sshd" 2>/dev/null || true
  ;;
launch)
  hosts=${2:?mpi-job.sh launch HOST[,HOST...] -- topiary ARGS}
  shift 2
  [ "${1:-}" = -- ] && shift
  cat >"$state/ssh_config" <<CONF
Host *
  Port $port
  IdentityFile $state/id
  StrictHostKeyChecking no
  UserKnownHostsFile /dev/null
  LogLevel ERROR
  ConnectTimeout 10
CONF
  # `hostfile`: the hosts of the MPI Operator's hostfile (OMPI_MCA_orte_default_hostfile).
  if [ "$hosts" = hostfile ]; then
    file=${OMPI_MCA_orte_default_hostfile:?no OMPI_MCA_orte_default_hostfile for launch hostfile}
    hosts=$(awk 'NF && $1 !~ /^#/ {print $1}' "$file" | paste -sd,)
    unset OMPI_MCA_orte_default_hostfile  # the host list below says the same, one rank each
  fi
  # Wait (up to a minute) for every host's sshd: workers may start after the launcher.
  IFS=, read -r -a names <<<"$hosts"
  for host in "${names[@]}"; do
    [ "$host" = "$(hostname)" ] && continue
    for _ in $(seq 60); do
      ssh -F "$state/ssh_config" -o BatchMode=yes "$host" true 2>/dev/null && break
      sleep 1
    done
  done
  # A relaunch after preemption: continue from the run's latest checkpoint (--resume DIR) when
  # TOPIARY_RESUME_FROM names a run directory that has one.
  if [ -n "${TOPIARY_RESUME_FROM:-}" ] && compgen -G "$TOPIARY_RESUME_FROM/checkpoints/step-*.h5" >/dev/null; then
    echo "mpi-job.sh: resuming from $TOPIARY_RESUME_FROM"
    set -- "$@" --resume "$TOPIARY_RESUME_FROM"
  fi
  host_list=$(printf '%s:1,' "${names[@]}")
  export OMPI_MCA_plm_rsh_agent="ssh -F $state/ssh_config"
  export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
  # orted on the other hosts starts with a bare environment: pass the library path and PATH.
  mpirun -np "${#names[@]}" --host "${host_list%,}" --bind-to none \
    -x LD_LIBRARY_PATH -x PATH -x OMP_NUM_THREADS -x TMPDIR "$@" &
  mpirun=$!
  trap term_local_ranks TERM INT
  # `wait` returns early when a signal arrives; wait again until mpirun has really ended.
  while true; do
    wait "$mpirun" && exit 0
    code=$?
    kill -0 "$mpirun" 2>/dev/null || exit "$code"
  done
  ;;
*)
  echo "usage: mpi-job.sh worker | launch HOST[,HOST...] -- topiary ARGS" >&2
  exit 2
  ;;
esac
