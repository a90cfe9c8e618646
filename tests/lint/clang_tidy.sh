#!/usr/bin/env bash
# clang-tidy (the checks in .clang-tidy: bugprone, cert, concurrency, performance,
# clang-analyzer, ...) finds nothing in the framework modules that do not include LibTorch:
# core, comm, io, prune, recipe, compress, data. Sources that include LibTorch (models, train,
# analysis, deploy, cli) take about a minute each to analyse (clang-tidy walks LibTorch's whole
# AST), too long for every CI run on two cores: `tests/lint/clang_tidy.sh --all` analyses them too.
source "$(dirname "$0")/../lib.sh"
command -v clang-tidy >/dev/null || fail "clang-tidy is not installed (launch/setup.sh installs it)"
build="${TOPIARY_BUILD_DIR:-$SRC/build}"
[ -f "$build/compile_commands.json" ] || fail "no $build/compile_commands.json"
modules="core comm io prune recipe compress data"
[ "${1:-}" = --all ] && modules="core comm io prune recipe compress data models train analysis deploy cli"
files=()
for module in $modules; do
  for file in "$SRC/framework/$module"/*.cpp; do files+=("$file"); done
done
clang-tidy --version | head -2
# clang 14 accepts _Float16 (comm/half_float.h; g++ 12 compiles it everywhere) only for targets
# with AVX512-FP16: the flag changes what the analysis parses, not what is built.
printf '%s\n' "${files[@]}" | xargs -P "${TOPIARY_JOBS:-2}" -n 1 clang-tidy -p "$build" --quiet \
  --extra-arg=-mavx512fp16 \
  >"$WORK/findings.txt" 2>"$WORK/stderr.txt" || true
if grep -qE "(warning|error):" "$WORK/findings.txt"; then
  grep -E -A3 "(warning|error):" "$WORK/findings.txt" | head -80
  fail "clang-tidy findings above ($(grep -cE '(warning|error):' "$WORK/findings.txt"))"
fi
echo "ok: clang-tidy found nothing in ${#files[@]} sources ($modules)"
