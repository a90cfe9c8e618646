#!/usr/bin/env bash
# Builds the Topiary image:
#   launch/container/build.sh [--tag IMAGE] [--base IMAGE] [--from-build DIR] [--gpu]
#  --tag         the image to make (default localhost/topiary:<version>)
#  --base        a Debian 12 image (default localhost/topiary-base:bookworm, made here with
#                debootstrap when it does not exist: no registry is needed; needs root)
#  --from-build  take DIR/bin/topiary from a build on this machine (launch/setup.sh makes one)
#                instead of compiling in the image's build stage: seconds instead of minutes
#  --gpu         also carry LibTorch's CUDA half and the CUDA libraries it loads (cuBLAS, cuDNN,
#                ...), so the image trains on GPUs; without it the image is CPU-only
# From source, the build stage runs launch/setup.sh (the build's packages, the torch wheel, the
# `topiary` target) against this machine's CUDA toolkit, lent read-only (CUDA_HOME, default
# /usr/local/cuda), with its venv and ccache in the engine's cache mount (kept between builds).
# The image holds /opt/topiary/{bin/topiary, lib/ (LibTorch, NCCL, the CUDA runtime: the
# libraries that are not Debian packages), recipes/, launch/} (launch/container/stage.sh);
# Debian packages give the rest. Environment: CONTAINER_ENGINE (podman|docker), CUDA_HOME,
# PIP_CERT (a CA bundle the build needs to reach PyPI). Prints the image's size at the end.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
source "$SRC/launch/container/engine.sh"
container_engine
version=$(sed -n 's/^project(topiary VERSION \([0-9.]*\).*/\1/p' "$SRC/CMakeLists.txt")
TAG="localhost/topiary:${version:-latest}"
BASE=localhost/topiary-base:bookworm
FROM_BUILD=""
GPU=""
while (($#)); do
  case $1 in
  --tag) TAG=$2; shift 2 ;;
  --base) BASE=$2; shift 2 ;;
  --from-build) FROM_BUILD=$(cd "$2" && pwd); shift 2 ;;
  --gpu) GPU=1; shift ;;
  *) echo "build.sh: unknown option $1 (see the comment at the top)" >&2; exit 2 ;;
  esac
done
log() { printf '[container] %s\n' "$*"; }
[ -z "$FROM_BUILD" ] || [ -x "$FROM_BUILD/bin/topiary" ] ||
  { echo "build.sh: no $FROM_BUILD/bin/topiary: run launch/setup.sh first" >&2; exit 1; }

# The base, made from Debian's mirror when no image of that name exists yet.
if ! "${ENGINE[@]}" image inspect "$BASE" >/dev/null 2>&1; then  # podman and docker alike
  [ "$BASE" = localhost/topiary-base:bookworm ] ||
    { echo "build.sh: base image $BASE not found (pull it first)" >&2; exit 1; }
  command -v debootstrap >/dev/null || { echo "build.sh: needs debootstrap (apt-get install debootstrap) to make $BASE" >&2; exit 1; }
  log "making $BASE with debootstrap (about 30 s)"
  rootfs=$(mktemp -d)
  trap 'rm -rf "$rootfs"' EXIT
  debootstrap --variant=minbase bookworm "$rootfs" >/dev/null
  tar -C "$rootfs" -c . | "${ENGINE[@]}" import - "$BASE" >/dev/null
  rm -rf "$rootfs"
fi

# The build context: the staged tree of a host build (--from-build), else the checkout's files
# (tracked and untracked, without what git ignores), built from source in the image's build stage.
context=$SRC/.container
rm -rf "$context"
mkdir -p "$context"
source_args=()
if [ -n "$FROM_BUILD" ]; then
  "$SRC/launch/container/stage.sh" "$FROM_BUILD" "$context/.container-stage" ${GPU:+--gpu}
  log "staged $(du -sh "$context/.container-stage" | cut -f1) from $FROM_BUILD"
else
  (cd "$SRC" && git ls-files -z --cached --others --exclude-standard |
    tar --null -T - -c) | tar -x -C "$context"
  git -C "$SRC" rev-parse HEAD >"$context/.container-commit"
  # Hosts behind a TLS-inspecting proxy trust its CA through PIP_CERT: lend that bundle.
  if [ -n "${PIP_CERT:-}" ] && [ -f "$PIP_CERT" ]; then
    source_args=(-v "$PIP_CERT:/run/host-ca.crt:ro" --build-arg HOST_CA=/run/host-ca.crt)
  fi
  # The build compiles the GPU code paths too, against a CUDA toolkit: this machine's, lent
  # read-only (CUDA_HOME, default /usr/local/cuda).
  cuda=$(readlink -f "${CUDA_HOME:-/usr/local/cuda}")
  [ -x "$cuda/bin/nvcc" ] || { echo "build.sh: no CUDA toolkit at ${CUDA_HOME:-/usr/local/cuda} (set CUDA_HOME)" >&2; exit 1; }
  source_args+=(-v "$cuda:/usr/local/cuda:ro")
  log "building from source in the image (about 11 minutes the first time on 2 cores)"
fi
extra=()
[ "${ENGINE[0]}" = podman ] && extra=(--format docker)  # HEALTHCHECK is a Docker-format field
"${ENGINE[@]}" build "${extra[@]}" "${source_args[@]}" --network host \
  -f "$SRC/launch/container/Containerfile" --build-arg "BASE=$BASE" --build-arg "GPU=${GPU:-0}" \
  -t "$TAG" "$context"
rm -rf "$context"
size=$("${ENGINE[@]}" image inspect --format '{{.Size}}' "$TAG")
log "built $TAG: $((size / 1024 / 1024)) MiB"
