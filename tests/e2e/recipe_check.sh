#!/usr/bin/env bash
# `topiary recipe check|dump`: exit codes and messages as a user sees them.
set -euo pipefail
bin=${TOPIARY_BIN:?TOPIARY_BIN must name the topiary executable}
src=${TOPIARY_SOURCE_DIR:?TOPIARY_SOURCE_DIR must name the source tree}
cd "$src"

out=$("$bin" recipe check recipes/quickstart.yaml --set training.lr=0.01)
[[ "$out" == "ok: recipes/quickstart.yaml: 2 stages" ]] || { echo "unexpected: $out"; exit 1; }

# The effective recipe has every key, the override applied, and checks clean when read back.
dump=$(mktemp --suffix=.yaml)
trap 'rm -f "$dump"' EXIT
"$bin" recipe dump --set stages.1.until=10ep recipes/quickstart.yaml >"$dump"
grep -q "until: 10ep" "$dump" || { echo "override missing from dump"; cat "$dump"; exit 1; }
grep -q "momentum: 0.9" "$dump" || { echo "default missing from dump"; cat "$dump"; exit 1; }
"$bin" recipe check "$dump" >/dev/null

# A user error exits 2 with file:line:col and the key.
set +e
err=$("$bin" recipe check tests/data/recipes/bad/lr_not_number.yaml 2>&1 >/dev/null)
code=$?
set -e
[[ $code -eq 2 ]] || { echo "exit code $code, expected 2"; exit 1; }
[[ "$err" == *"lr_not_number.yaml:4:31: key 'training.lr': expected a number"* ]] ||
  { echo "unexpected error: $err"; exit 1; }

set +e
err=$("$bin" recipe check recipes/quickstart.yaml --set model.kernel=3 2>&1 >/dev/null)
code=$?
set -e
[[ $code -eq 2 && "$err" == *"--set 'model.kernel=3': key 'model.kernel': unknown key"* ]] ||
  { echo "unexpected ($code): $err"; exit 1; }
echo "recipe_check: ok"
