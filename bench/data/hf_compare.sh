#!/usr/bin/env bash
# Word-level data preparation, Topiary against Hugging Face `tokenizers`, on the same file with
# one thread each, alternating within each round:
#   topiary:  `topiary prepare --format text --tokenizer word --shard-mb 32` on 1 rank (both
#             passes, vocabulary, HDF5 shards, checksums, start-up included);
#   peer:     bench/data/hf_tokenizers.py: WordLevel + Lowercase + Whitespace, vocabulary
#             trained on the file, every line encoded, ids and offsets saved (RAYON_NUM_THREADS=1).
# Prints MiB/s of input for each and the ratio per round, then the medians.
#
#   bench/data/hf_compare.sh [build dir]    # env: MIB (64), ROUNDS (3), WORK, KEEP, PY
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${1:-$SRC/build}/bin/topiary
PY=${PY:-$SRC/.venv/bin/python}
DATA=${TOPIARY_DATA_DIR:-$SRC/data}
MIB=${MIB:-64}
ROUNDS=${ROUNDS:-3}
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/topiary-hf-compare.XXXXXX")}
mkdir -p "$WORK"
cleanup() { [[ ${KEEP:-0} == 1 ]] || rm -rf "$WORK"; }
trap cleanup EXIT
export OMP_NUM_THREADS=1 RAYON_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false

cat "$DATA/tinyshakespeare/input.txt" "$DATA"/wikitext2/wiki.*.tokens "$DATA"/ptb/*.txt >"$WORK/base.txt"
: >"$WORK/corpus.txt"
while (($(stat -c %s "$WORK/corpus.txt") < MIB * 1048576)); do cat "$WORK/base.txt" >>"$WORK/corpus.txt"; done
size=$(awk -v b="$(stat -c %s "$WORK/corpus.txt")" 'BEGIN{printf "%.1f", b / 1048576}')
echo "# bench/data/hf_compare.sh  $(date -u '+%Y-%m-%d %H:%M UTC')  $(git -C "$SRC" rev-parse --short HEAD)"
echo "# machine: $(nproc --all) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# corpus: $size MiB (Tiny Shakespeare, WikiText-2, PTB repeated); tokenizers $("$PY" -c 'import tokenizers; print(tokenizers.__version__)')"
seconds() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null; t1=$(date +%s.%N); awk -v a="$t0" -v b="$t1" 'BEGIN{print b - a}'; }
printf '%-6s %16s %16s %8s   %s\n' round "topiary MiB/s" "tokenizers MiB/s" ratio \
  "tokenizers seconds: train (vocabulary) + encode + write"
results=$WORK/rounds.txt
: >"$results"
for r in $(seq 1 "$ROUNDS"); do
  rm -rf "$WORK/out.h5" "$WORK/out.h5.shards" "$WORK"/hf.*
  t=$(seconds "$BIN" prepare --format text --tokenizer word --shard-mb 32 --input "$WORK/corpus.txt" \
    --output "$WORK/out.h5")
  t0=$(date +%s.%N)
  phases=$("$PY" "$SRC/bench/data/hf_tokenizers.py" "$WORK/corpus.txt" "$WORK/hf" | "$PY" -c \
    'import json, sys; p = json.load(sys.stdin); print("%.1f + %.1f + %.1f" % (p["train_seconds"], p["encode_seconds"], p["write_seconds"]))')
  p=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{print b - a}')
  awk -v r="$r" -v s="$size" -v t="$t" -v p="$p" -v phases="$phases" \
    'BEGIN{printf "%-6s %16.2f %16.2f %8.2f   %s\n", r, s / t, s / p, p / t, phases}' | tee -a "$results"
done
"$PY" - "$results" <<'PYEOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
med = lambda i: statistics.median(float(r[i]) for r in rows)
print(f"{'median':<6} {med(1):16.2f} {med(2):16.2f} {med(3):8.2f}   (ratio = Topiary's speed / tokenizers')")
PYEOF
