#!/usr/bin/env bash
# `topiary --version` names the commit, LibTorch, CUDA/NCCL and the MPI library; the mpirun
# wrapper takes the word `topiary` or a path to a binary, and refuses anything else.
source "$(dirname "$0")/../lib.sh"

"$BIN" --version >"$WORK/version.txt"
cat "$WORK/version.txt"
grep -qE '^topiary [0-9]+\.[0-9]+\.[0-9]+ \(commit [0-9a-f]{12}' "$WORK/version.txt" || fail "no version and commit"
grep -qE '^LibTorch: [0-9]+\.[0-9]+' "$WORK/version.txt" || fail "no LibTorch version"
grep -qE '^CUDA: ' "$WORK/version.txt" || fail "no CUDA line"
grep -qE '^NCCL: ' "$WORK/version.txt" || fail "no NCCL line"
grep -qE '^MPI: Open MPI v[0-9]' "$WORK/version.txt" || fail "no MPI library"

launcher="$SRC/launch/topiary-mpirun"
TOPIARY_BIN="$BIN" "$launcher" -np 2 topiary --version >"$WORK/word.txt"
[ "$(grep -c '^topiary ' "$WORK/word.txt")" -eq 2 ] || fail "the word topiary did not run 2 ranks"
"$launcher" -np 2 "$BIN" --version >"$WORK/path.txt"
[ "$(grep -c '^topiary ' "$WORK/path.txt")" -eq 2 ] || fail "a binary path did not run 2 ranks"
"$launcher" -np 2 -- "$BIN" --version >"$WORK/dashes.txt"
[ "$(grep -c '^topiary ' "$WORK/dashes.txt")" -eq 2 ] || fail "-- then a path did not run 2 ranks"
echo "ok: topiary-mpirun runs the word topiary and a path"

set +e
"$launcher" -np 2 "$WORK/missing/topiary" --version 2>"$WORK/err.txt"
code=$?
set -e
[ "$code" -eq 2 ] || fail "a missing binary gave exit $code, expected 2"
grep -q 'expected `topiary` or a path' "$WORK/err.txt" || { cat "$WORK/err.txt"; fail "no clear message"; }
echo "ok: $(cat "$WORK/err.txt")"
