#!/usr/bin/env bash
# Shipped SST-2 recipes at their full schedule, reported on a test split that nothing chose:
# validation carved from train (5%, --seed 1) for model selection, the GLUE dev set held out as
# the test split (`topiary prepare --test`), scored once with `topiary eval --split test` on the
# checkpoint that selection kept.
#
#   bench/quality/test_split.sh NAME RECIPE [--set key=value ...]
#   SEEDS="1 2 3" JOBS=2 OUT=bench/results/test_split bench/quality/test_split.sh gmp90 recipes/gmp_global90.yaml
#
# Each seed trains into $OUT/NAME/s<seed> (skipped when its eval_test.json exists) and leaves
# command.sh (the exact train command), train.log, summary.json, metrics.jsonl, inspect.txt and
# eval_test.json (paths in them relative to the repository); the checkpoints themselves are
# deleted, except that KEEP_SELECTED=1 keeps the selected one as s<seed>/selected.h5 (a teacher
# for distillation). In the --set values, {seed} becomes the seed (a per-seed teacher path).
# JOBS seeds run at once, one intra-op thread each. Print the table with
# bench/quality/test_split_table.py $OUT.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$(realpath "${BIN:-$REPO/build/bin/topiary}")
DATA=${DATA:-${TOPIARY_DATA_DIR:-$REPO/data}}
SEEDS=${SEEDS:-"1 2 3"}
JOBS=${JOBS:-2}
OUT=${OUT:-$REPO/runs/test_split}
[[ $# -ge 2 ]] || { sed -n 2,13p "$0"; exit 2; }
name=$1 recipe=$(realpath "$2"); shift 2
mkdir -p "$OUT/data" "$OUT/$name"
OUT=$(realpath "$OUT")
sst2=$OUT/data/sst2_test_split.h5
if [[ ! -f $sst2 ]]; then
  "$BIN" prepare --input "$DATA/sst2/train.tsv" --valid-fraction 0.05 --seed 1 \
    --test "$DATA/sst2/dev.tsv" --output "$sst2" | sed "s#$REPO/##g" >"$OUT/data/prepare.txt"
fi

run_seed() {
  local seed=$1 dir=$OUT/$name/s$1
  shift
  [[ -f $dir/eval_test.json ]] && return 0
  rm -rf "$dir" && mkdir -p "$dir"
  local args=("${@//\{seed\}/$seed}")
  local cmd=("$BIN" train --recipe "$recipe" --set "data.path=$sst2" --set training.threads=1
    --set "seed=$seed" "${args[@]}" --output "$dir/run")
  printf '%q ' "${cmd[@]}" | sed "s#$REPO/##g; s#$OUT/##g" >"$dir/command.sh"
  echo >>"$dir/command.sh"
  nice "${cmd[@]}" >"$dir/train.log" 2>&1
  local selected
  selected=$("$REPO/.venv/bin/python" -c \
    'import json,sys; print(json.load(open(sys.argv[1]))["selected_checkpoint"])' \
    "$dir/run/summary.json")
  "$BIN" eval "$selected" --split test --json >"$dir/eval_test.tmp"
  "$BIN" inspect "$selected" >"$dir/inspect.txt"
  cp "$dir/run/summary.json" "$dir/run/metrics.jsonl" "$dir/"
  if [[ ${KEEP_SELECTED:-0} == 1 ]]; then cp "$selected" "$dir/selected.h5"; fi
  rm -rf "$dir/run"
  # Paths in the committed files are relative to the repository, not this machine's.
  sed -i "s#$REPO/##g" "$dir/summary.json" "$dir/eval_test.tmp" "$dir/inspect.txt" "$dir/train.log"
  mv "$dir/eval_test.tmp" "$dir/eval_test.json"
}

running=0
for seed in $SEEDS; do
  run_seed "$seed" "$@" &
  running=$((running + 1))
  if ((running >= JOBS)); then wait -n; running=$((running - 1)); fi
done
wait
echo "done: $OUT/$name"
