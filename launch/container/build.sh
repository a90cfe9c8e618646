#!/usr/bin/env bash
# Builds the Topiary image from a built tree (launch/setup.sh builds one):
#   launch/container/build.sh [--tag IMAGE] [--base IMAGE] [--build DIR] [--gpu]
#  --tag    the image to make (default localhost/topiary:<version>)
#  --base   a Debian 12 image (default localhost/topiary-base:bookworm, made here with
#           debootstrap when it does not exist: no registry is needed; needs root)
#  --build  the build folder whose bin/topiary goes into the image (default build)
#  --gpu    also carry LibTorch's CUDA half and the CUDA libraries it loads (cuBLAS, cuDNN, ...),
#           so the image trains on GPUs; without it the image is CPU-only and about 1.5 GB smaller
# The image holds /opt/topiary/{bin/topiary, lib/ (LibTorch, NCCL, the CUDA runtime: the
# libraries that are not Debian packages), recipes/, launch/}; Debian packages give the rest.
# Environment: CONTAINER_ENGINE (podman|docker). Prints the image's size at the end.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
source "$SRC/launch/container/engine.sh"
container_engine
version=$(sed -n 's/^project(topiary VERSION \([0-9.]*\).*/\1/p' "$SRC/CMakeLists.txt")
TAG="localhost/topiary:${version:-latest}"
BASE=localhost/topiary-base:bookworm
BUILD=$SRC/build
GPU=0
while (($#)); do
  case $1 in
  --tag) TAG=$2; shift 2 ;;
  --base) BASE=$2; shift 2 ;;
  --build) BUILD=$(cd "$2" && pwd); shift 2 ;;
  --gpu) GPU=1; shift ;;
  *) echo "build.sh: unknown option $1 (see the comment at the top)" >&2; exit 2 ;;
  esac
done
log() { printf '[container] %s\n' "$*"; }
binary=$BUILD/bin/topiary
[ -x "$binary" ] || { echo "build.sh: no $binary: run launch/setup.sh first" >&2; exit 1; }

# The base, made from Debian's mirror when no image of that name exists yet.
if ! "${ENGINE[@]}" image exists "$BASE" 2>/dev/null && ! "${ENGINE[@]}" image inspect "$BASE" >/dev/null 2>&1; then
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

# The build context: only the staged tree, so nothing else of the checkout is sent.
context=$SRC/.container
stage=$context/.container-stage
rm -rf "$context"
mkdir -p "$stage/bin" "$stage/lib"
cp "$binary" "$stage/bin/topiary"
strip --strip-unneeded "$stage/bin/topiary"
# Libraries outside Debian's folders: LibTorch, NCCL, the CUDA runtime and CUPTI from the wheels.
copy_closure() {  # ELF files whose non-Debian dependencies go to lib/
  ldd "$@" | awk '/=>/ && $3 ~ /^\// {print $3}' | sort -u | while read -r lib; do
    case $lib in /lib/* | /usr/lib/*) continue ;; esac
    [ -e "$stage/lib/$(basename "$lib")" ] || cp -L "$lib" "$stage/lib/$(basename "$lib")"
  done
}
copy_closure "$binary"
if [ "$GPU" = 1 ]; then
  # LibTorch's CUDA half and its closure, plus every library of NVIDIA's wheels beside torch:
  # cuDNN and NVRTC open parts of themselves with dlopen, which no ldd closure shows.
  torch_lib=$(dirname "$(readlink -f "$(ldd "$binary" | awk '/libtorch_cpu.so/ {print $3}')")")
  cp -L "$torch_lib/libtorch_cuda.so" "$stage/lib/"
  copy_closure "$torch_lib/libtorch_cuda.so"
  find "$torch_lib/../../nvidia" -path '*/lib/*.so*' -type f 2>/dev/null | while read -r lib; do
    [ -e "$stage/lib/$(basename "$lib")" ] || cp -L "$lib" "$stage/lib/"
  done
fi
cp -r "$SRC/recipes" "$stage/recipes"
mkdir -p "$stage/launch"
cp "$SRC/launch/topiary-mpirun" "$SRC/launch/container/mpi-job.sh" "$stage/launch/"
cp -r "$SRC/launch/slurm" "$stage/launch/slurm"
{
  echo "commit $(git -C "$SRC" rev-parse HEAD)$(git -C "$SRC" diff --quiet HEAD -- framework || echo "+uncommitted")"
  echo "gpu $GPU"
  (cd "$stage" && find lib -type f | sort)
} >"$stage/MANIFEST"
log "staged $(du -sh "$stage" | cut -f1) in $stage"
extra=()
[ "${ENGINE[0]}" = podman ] && extra=(--format docker)  # HEALTHCHECK is a Docker-format field
"${ENGINE[@]}" build "${extra[@]}" --network host -f "$SRC/launch/container/Containerfile" \
  --build-arg "BASE=$BASE" -t "$TAG" "$context"
rm -rf "$context"
size=$("${ENGINE[@]}" image inspect --format '{{.Size}}' "$TAG")
log "built $TAG: $((size / 1024 / 1024)) MiB"
