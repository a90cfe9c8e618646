#!/usr/bin/env bash
# SST-2 training data with longer inputs for the distilling MiniLM recipes: a seeded 5% validation
# split carved from train.tsv, and COUNT concatenations of two training phrases labelled by the
# dense teacher (bench/quality/sst2_concat_augment.py), prepared with the same tokenizer as
# bench/quality/minilm_cpu.sh into WORK/runs/sst2_minilm/sst2_aug.h5. Run minilm_cpu.sh first
# (it trains the teacher, WORK/runs/minilm_dense/final.h5, and copies the binary used here).
#
#   bench/quality/minilm_augment.sh            # COUNT=32000
#
# env: WORK (as minilm_cpu.sh), COUNT (default 32000)
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=bench/quality/minilm_common.sh
source "$SRC/bench/quality/minilm_common.sh"
COUNT=${COUNT:-32000}
TEACHER=$WORK/runs/minilm_dense/final.h5
[ -f "$TEACHER" ] || { echo "no $TEACHER: run bench/quality/minilm_cpu.sh first"; exit 1; }
mkdir -p "$WORK/aug"
python3 "$SRC/bench/quality/sst2_concat_augment.py" "$SRC/data/sst2/train.tsv" "$COUNT" "$WORK/aug"
"$BIN" predict "$TEACHER" --input "$WORK/aug/aug.txt" --format text \
  --data "$WORK/runs/sst2_minilm/sst2.h5" >"$WORK/aug/aug_pred.jsonl"
python3 "$SRC/bench/quality/sst2_concat_augment.py" --join "$WORK/aug" "$WORK/aug/aug_pred.jsonl"
# From inside aug/, so the dataset records its sources by name and not by this machine's path.
cd "$WORK/aug"
minilm_prepare --input train_aug.tsv --valid valid.tsv --output ../runs/sst2_minilm/sst2_aug.h5
