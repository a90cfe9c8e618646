# shellcheck shell=bash
# Sourced by the container scripts: ENGINE (an array) runs podman or docker with the flags this
# host needs. CONTAINER_ENGINE=podman|docker chooses; default podman when installed.
# Podman's default runtime (crun) refuses hosts whose cgroups are in hybrid (v1) mode; runc with
# cgroupfs works there, so that is chosen when /sys/fs/cgroup is not cgroup2.
container_engine() {
  local name=${CONTAINER_ENGINE:-}
  if [ -z "$name" ]; then
    if command -v podman >/dev/null; then name=podman; elif command -v docker >/dev/null; then name=docker; fi
  fi
  [ -n "$name" ] || { echo "no container engine: install podman (apt-get install podman) or docker" >&2; return 1; }
  ENGINE=("$name")
  if [ "$name" = podman ] && [ "$(stat -fc %T /sys/fs/cgroup 2>/dev/null)" != cgroup2fs ] &&
    command -v runc >/dev/null; then
    ENGINE+=(--runtime runc --cgroup-manager=cgroupfs)
  fi
}
