#!/usr/bin/env bash
# Stages what the image's /opt/topiary holds, from a build folder:
#   launch/container/stage.sh BUILD_DIR DEST [--gpu]
# DEST/bin/topiary (stripped), DEST/lib/ (the libraries outside Debian's folders: LibTorch's CPU
# half, NCCL, the CUDA runtime and CUPTI from the torch wheel and NVIDIA's wheels; with --gpu also
# LibTorch's CUDA half and every library of NVIDIA's wheels), DEST/recipes/, DEST/launch/ and a
# MANIFEST. Used by build.sh on the host (--from-build) and in the image's build stage.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
build=$1 dest=$2 gpu=${3:-}
binary=$build/bin/topiary
[ -x "$binary" ] || { echo "stage.sh: no $binary" >&2; exit 1; }
mkdir -p "$dest/bin" "$dest/lib" "$dest/launch"
cp "$binary" "$dest/bin/topiary"
strip --strip-unneeded "$dest/bin/topiary"
copy_closure() {  # ELF files whose non-Debian dependencies go to lib/
  ldd "$@" | awk '/=>/ && $3 ~ /^\// {print $3}' | sort -u | while read -r lib; do
    case $lib in /lib/* | /usr/lib/*) continue ;; esac
    [ -e "$dest/lib/$(basename "$lib")" ] || cp -L "$lib" "$dest/lib/$(basename "$lib")"
  done
}
copy_closure "$binary"
if [ "$gpu" = --gpu ]; then
  # cuDNN and NVRTC open parts of themselves with dlopen, which no ldd closure shows.
  torch_lib=$(dirname "$(readlink -f "$(ldd "$binary" | awk '/libtorch_cpu.so/ {print $3}')")")
  cp -L "$torch_lib/libtorch_cuda.so" "$dest/lib/"
  copy_closure "$torch_lib/libtorch_cuda.so"
  find "$torch_lib/../../nvidia" -path '*/lib/*.so*' -type f 2>/dev/null | while read -r lib; do
    [ -e "$dest/lib/$(basename "$lib")" ] || cp -L "$lib" "$dest/lib/"
  done
fi
cp -r "$SRC/recipes" "$dest/recipes"
cp "$SRC/launch/topiary-mpirun" "$SRC/launch/container/mpi-job.sh" "$dest/launch/"
cp -r "$SRC/launch/slurm" "$dest/launch/slurm"
{
  echo "commit $(git -C "$SRC" rev-parse HEAD 2>/dev/null || cat "$SRC/.container-commit" 2>/dev/null || echo unknown)"
  echo "gpu ${gpu:-no}"
  (cd "$dest" && find lib -type f | sort)
} >"$dest/MANIFEST"
