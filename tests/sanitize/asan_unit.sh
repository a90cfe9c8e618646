#!/usr/bin/env bash
# ASan + UBSan build of the torch-free libraries (core, prune, recipe, io, data) and their unit
# tests; runs every unit binary. Any sanitizer report fails the test (halt_on_error, and UBSan
# is built with -fno-sanitize-recover=all). Build dir: $TOPIARY_BUILD_DIR/sanitize when set (so
# CI keeps it between runs), else a temp dir; ccache makes a rebuild cheap either way.
# Environment: TOPIARY_JOBS (default 2).
set -euo pipefail
SRC="${TOPIARY_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/topiary/ccache}"
# -g puts the build dir into ccache's hash; drop it so that a fresh (temp) build dir still hits.
export CCACHE_NOHASHDIR=1 CCACHE_BASEDIR="$SRC"
if [ -n "${TOPIARY_BUILD_DIR:-}" ]; then
  build="$TOPIARY_BUILD_DIR/sanitize"
else
  build="$(mktemp -d "${TMPDIR:-/tmp}/topiary-asan.XXXXXX")"
  trap 'rm -rf "$build"' EXIT
fi
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S "$SRC/tests/sanitize" -B "$build" "${generator[@]}" \
  -DTOPIARY_DATA_DIR="${TOPIARY_DATA_DIR:-$SRC/data}" >"$build.configure.log" 2>&1 ||
  { cat "$build.configure.log"; exit 1; }
rm -f "$build.configure.log"
cmake --build "$build" -j "${TOPIARY_JOBS:-2}" >"$build/build.log" 2>&1 ||
  { tail -50 "$build/build.log"; echo "FAIL: sanitizer build" >&2; exit 1; }

# detect_leaks: LeakSanitizer needs ptrace, which some containers lack; leaks are checked
# where it works (set TOPIARY_ASAN_LEAKS=0 to turn it off).
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=${TOPIARY_ASAN_LEAKS:-1}:strict_string_checks=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export OMP_NUM_THREADS=1
failed=()
for binary in "$build"/bin/unit_*; do
  name="$(basename "$binary")"
  start=$SECONDS
  if "$binary" --gtest_brief=1 >"$build/$name.log" 2>&1; then
    echo "ok: $name ($((SECONDS - start)) s)"
  else
    tail -60 "$build/$name.log"
    failed+=("$name")
  fi
done
((${#failed[@]} == 0)) || { echo "FAIL: ${failed[*]}" >&2; exit 1; }
echo "PASS: sanitizer unit tests"
