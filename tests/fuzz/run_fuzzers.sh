#!/usr/bin/env bash
# Builds the libFuzzer harnesses (clang, -fsanitize=fuzzer,address,undefined; torch-free), replays
# every regression input in tests/data/fuzz/<harness>/, then fuzzes each harness for
# TOPIARY_FUZZ_SECONDS (default 20) from seeds made from tests/data. Fails on any crash, leak,
# timeout or out-of-memory; the input that did it is kept under $TOPIARY_FUZZ_ARTIFACTS (default
# the build dir's artifacts/) -- add it to tests/data/fuzz/<harness>/ with the fix.
# Environment: TOPIARY_BUILD_DIR (build dir is $TOPIARY_BUILD_DIR/fuzz, else a temp dir),
# TOPIARY_FUZZ_SECONDS, TOPIARY_FUZZERS (space-separated subset), TOPIARY_JOBS (default 2).
set -euo pipefail
SRC="${TOPIARY_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
seconds="${TOPIARY_FUZZ_SECONDS:-20}"
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/topiary/ccache}"
# -g puts the build dir into ccache's hash; drop it so that a fresh (temp) build dir still hits.
export CCACHE_NOHASHDIR=1 CCACHE_BASEDIR="$SRC"
command -v clang++ >/dev/null || { echo "FAIL: clang++ not found (launch/setup.sh installs it)" >&2; exit 1; }
if [ -n "${TOPIARY_BUILD_DIR:-}" ]; then
  build="$TOPIARY_BUILD_DIR/fuzz"
else
  build="$(mktemp -d "${TMPDIR:-/tmp}/topiary-fuzz.XXXXXX")"
  trap 'rm -rf "$build"' EXIT
fi
mkdir -p "$build"
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S "$SRC/tests/fuzz" -B "$build" "${generator[@]}" -DCMAKE_C_COMPILER=clang \
  -DCMAKE_CXX_COMPILER=clang++ >"$build/configure.log" 2>&1 || { cat "$build/configure.log"; exit 1; }
cmake --build "$build" -j "${TOPIARY_JOBS:-2}" >"$build/build.log" 2>&1 ||
  { tail -50 "$build/build.log"; echo "FAIL: fuzzer build" >&2; exit 1; }

# Seeds. tsv_csv_fuzzer's first byte selects format and options (see the harness): each fixture
# is seeded once per format. dataset_reader_fuzzer is structured and starts from nothing.
seeds="$build/seeds"
rm -rf "$seeds"
mkdir -p "$seeds/recipe_fuzzer" "$seeds/tsv_csv_fuzzer" "$seeds/dataset_reader_fuzzer"
find "$SRC/tests/data/recipes" "$SRC/recipes" -name '*.yaml' -exec cp -t "$seeds/recipe_fuzzer" {} +
for fixture in "$SRC"/tests/data/prepare/*; do
  [ -f "$fixture" ] || continue
  for knob in 00 01 02 03 04 08 09 20; do
    { printf "\\x$knob"; cat "$fixture"; } >"$seeds/tsv_csv_fuzzer/$knob-$(basename "$fixture")"
  done
done
printf '\x00sentence\tlabel\na b c\t1\nd e\t0\n' >"$seeds/tsv_csv_fuzzer/tsv-ok"
printf '\x01sentence,label\n"a, ""b""",1\nc,0\n' >"$seeds/tsv_csv_fuzzer/csv-ok"
printf '\x02one\n%%\ntwo\nlines\n%%\n' >"$seeds/tsv_csv_fuzzer/dir-ok"
printf '\x03{"text": "a b", "label": 1}\n{"text": "c", "label": "x"}\n' >"$seeds/tsv_csv_fuzzer/jsonl-ok"

artifacts="${TOPIARY_FUZZ_ARTIFACTS:-$build/artifacts}"
mkdir -p "$artifacts"
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=${TOPIARY_ASAN_LEAKS:-1}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
fuzzers="${TOPIARY_FUZZERS:-recipe_fuzzer tsv_csv_fuzzer dataset_reader_fuzzer}"
failed=()
for fuzzer in $fuzzers; do
  binary="$build/bin/$fuzzer"
  log="$build/$fuzzer.log"
  regressions=("$SRC/tests/data/fuzz/$fuzzer"/*)
  if [ -e "${regressions[0]}" ]; then
    if ! "$binary" "${regressions[@]}" >"$log" 2>&1; then
      tail -40 "$log"; failed+=("$fuzzer(regression)"); continue
    fi
    echo "ok: $fuzzer replays ${#regressions[@]} regression inputs"
  fi
  corpus="$build/corpus/$fuzzer"
  mkdir -p "$corpus"
  if "$binary" "$corpus" "$seeds/$fuzzer" -max_total_time="$seconds" -timeout=10 \
      -rss_limit_mb=2048 -max_len=8192 -artifact_prefix="$artifacts/$fuzzer-" >"$log" 2>&1; then
    echo "ok: $fuzzer $(grep -o 'Done [0-9]* runs' "$log" | tail -1) in ${seconds} s"
  else
    tail -40 "$log"
    echo "crash input: $(ls -t "$artifacts/$fuzzer-"* 2>/dev/null | head -1)" >&2
    failed+=("$fuzzer")
  fi
done
((${#failed[@]} == 0)) || { echo "FAIL: ${failed[*]}" >&2; exit 1; }
echo "PASS: fuzzers"
