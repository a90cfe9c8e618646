#!/usr/bin/env bash
# clang-tidy (the checks in .clang-tidy: bugprone, cert, concurrency, performance,
# clang-analyzer, ...) finds nothing in the framework's sources.
#  - Modules without LibTorch (core, comm, io, prune, recipe, compress, data): every source,
#    every run.
#  - Modules with LibTorch (models, train, analysis, deploy, cli): about a minute per source on
#    two cores (clang-tidy walks LibTorch's headers), so they are analysed incrementally: a
#    source found clean before with the same preprocessed text, flags, config and clang-tidy
#    is not analysed again (cache in $TOPIARY_CACHE/clang-tidy), and the others, most recently
#    committed first, within TOPIARY_TIDY_BUDGET seconds (default 480). Sources left over are
#    named and come first in the next run. `--all` analyses them all, however long it takes.
source "$(dirname "$0")/../lib.sh"
command -v clang-tidy >/dev/null || fail "clang-tidy is not installed (launch/setup.sh installs it)"
build="${TOPIARY_BUILD_DIR:-$SRC/build}"
[ -f "$build/compile_commands.json" ] || fail "no $build/compile_commands.json"
cache="${TOPIARY_CACHE:-$HOME/.cache/topiary}/clang-tidy"
budget="${TOPIARY_TIDY_BUDGET:-480}"
[ "${1:-}" = --all ] && budget=0
sources_of() { for module in "$@"; do ls "$SRC/framework/$module"/*.cpp; done; }
clang-tidy --version | head -2
# clang 14 accepts _Float16 (comm/half_float.h; g++ 12 compiles it everywhere) only for targets
# with AVX512-FP16: the flag changes what the analysis parses, not what is built.
run() {
  "$PY" "$SRC/tests/lint/tidy_runner.py" --build "$build" --src "$SRC" --cache "$cache" \
    --jobs "${TOPIARY_JOBS:-2}" --extra-arg=-mavx512fp16 "$@"
}
status=0
# shellcheck disable=SC2046
run $(sources_of core comm io prune recipe compress data) || status=1
# shellcheck disable=SC2046
run --budget "$budget" $(sources_of models train analysis deploy cli) || status=1
[ "$status" -eq 0 ] || fail "clang-tidy findings above"
echo "ok: clang-tidy found nothing"
