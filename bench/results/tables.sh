#!/usr/bin/env bash
# Prints every results table that README.md, docs/results.md and docs/performance.md quote,
# computed from the raw outputs committed under bench/results/ (no training, no timing):
#
#   bench/results/tables.sh [quickstart|quality|test_split|comm_dtype|peers|peers_bert|scaling|comm|threshold|export|data|gpu ...]
#
# Each folder's params.env holds the bench's parameters (N, MODE, ...) and provenance.md says
# which command, commit, date and machine produced its raw files.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
PY=${PY:-$src/.venv/bin/python}
[[ -x $PY ]] || PY=python3
sections=("$@")
[[ ${#sections[@]} -gt 0 ]] || sections=(quickstart quality test_split comm_dtype peers peers_bert scaling comm threshold export data gpu)

for section in "${sections[@]}"; do
  dir=$here/$section
  [[ -d $dir ]] || { echo "tables.sh: no raw results in $dir" >&2; exit 2; }
  N= MODE=
  [[ -f $dir/params.env ]] && source "$dir/params.env"
  echo "## $section (raw files: bench/results/$section)"
  case $section in
    quickstart) "$PY" "$src/launch/quickstart_summary.py" "$dir/summary.json" ;;
    quality) "$PY" "$src/bench/quality/aggregate.py" "$dir" ;;
    test_split) # the shipped recipes (300-d word vectors), the recipe's earlier 128-d width, then
      # the variants tried at 90% (NAME:REFERENCE pairs a variant with its own dense run)
      "$PY" "$src/bench/quality/test_split_table.py" "$dir" --dense dense_dim300 dense_dim300 \
        gmp_global50_dim300 gmp_global80_dim300 gmp_global90_dim300 gmp_global95_dim300 \
        random90_dim300 kim_cnn_rand_10ep kim_cnn_rand
      echo
      "$PY" "$src/bench/quality/test_split_table.py" "$dir" dense gmp_global50 gmp_global80 \
        gmp_global90 gmp_global95 random90 gmp_global90_dim300
      echo
      "$PY" "$src/bench/quality/test_split_table.py" "$dir" gmp_global90 \
        gmp_global90_embedding80 gmp_convs90_embedding0 gmp_convs50_embedding935 \
        gmp90_embedding_movement gmp_global90_distill sens90 \
        dense_lrdecay gmp_global90_lrdecay:dense_lrdecay \
        dense_normal_init gmp_global90_normal_init:dense_normal_init \
        dense_init002 gmp_global90_init002:dense_init002 dense_dim13 ;;
    peers) "$PY" "$src/bench/peers/peer_table.py" "$dir/results.tsv" "$N" ;;
    peers_bert)
      "$PY" "$src/bench/peers/peer_table.py" "$dir/results.tsv" "$N" \
        "MiniLM-L6 fine-tuning on SST-2 (transformers peer), batch 32, 1 thread" ;;
    scaling)
      "$PY" "$src/bench/peers/scaling_table.py" "$dir/scaling.tsv" "$N" "$MODE"
      if [[ -f $dir/padding.txt ]]; then echo; cat "$dir/padding.txt"; fi ;;
    threshold) "$PY" "$src/bench/threshold/table.py" "$dir/threshold.jsonl" ;;
    # These benches print their tables themselves; the committed file is that output.
    comm) cat "$dir/comm.txt" ;;
    comm_dtype) bash "$src/bench/quality/comm_dtype.sh" --table "$dir/comm_dtype.tsv" ;;
    export) cat "$dir/export.txt" ;;
    gpu) tail -n +3 "$dir/summary.md" ;;  # bench/gpu/run.sh's summary without its title
    data)
      cat "$dir/data.txt"
      if [[ -f $dir/hf_compare.txt ]]; then echo; cat "$dir/hf_compare.txt"; fi ;;
    *) echo "tables.sh: unknown section '$section'" >&2; exit 2 ;;
  esac
  echo
done
