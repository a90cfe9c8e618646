#!/usr/bin/env bash
# GLUE dev split at its median sentence length (19 words): each checkpoint scored on the shorter
# and the longer half, to see where a pruned model loses against dense. Uses the work folder and
# binary of bench/quality/minilm_cpu.sh; checkpoints are paths relative to WORK.
#
#   bench/quality/minilm_dev_halves.sh runs/minilm_dense/final.h5 runs/minilm_sst2_gmp90_ft/final.h5
#
# env: WORK (as minilm_cpu.sh). Prints one line of `topiary eval --json` per half and checkpoint.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=bench/quality/minilm_common.sh
source "$SRC/bench/quality/minilm_common.sh"
HALVES=$WORK/runs/sst2_minilm/dev_halves
mkdir -p "$HALVES"
for half in short long; do
  [ -f "$HALVES/$half.h5" ] && continue
  # The header line goes to both halves; words are the sentence column's space-separated tokens.
  awk -F '\t' -v half="$half" 'NR == 1 { print; next }
    { n = split($1, words, " "); if ((half == "short") == (n < 19)) print }' \
    "$SRC/data/sst2/dev.tsv" >"$HALVES/$half.tsv"
  minilm_prepare --input "$SRC/data/sst2/train.tsv" --valid "$HALVES/$half.tsv" \
    --output "$HALVES/$half.h5" >/dev/null
done
cd "$WORK"
for checkpoint in "$@"; do
  for half in short long; do
    "$BIN" eval "$checkpoint" --data "runs/sst2_minilm/dev_halves/$half.h5" --json
  done
done
