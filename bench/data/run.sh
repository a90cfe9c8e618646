#!/bin/bash
# Data pipeline at scale, measured in one run:
#  1. `topiary prepare --format text` throughput (MiB of input per second, total and per rank)
#     for 1 and 2 ranks, char and word tokenizers, on a MID_MIB (default 256 MiB) corpus built
#     by repeating the shared corpora (Tiny Shakespeare, WikiText-2, PTB);
#  2. peak memory of every rank (peak RSS from /usr/bin/time, and the peak of RssAnon = heap,
#     sampled every 0.2 s) on that corpus and on a BIG_MIB (default 1024 MiB) one: it must not grow with the
#     input; `topiary --help` gives the process's baseline (shared libraries: LibTorch CPU, MPI, HDF5, CUDA runtime and NCCL);
#  3. a rerun on unchanged input (a no-op: wall time and memory);
#  4. the loader rate (bench/data/loader_bench: read_dataset, then batches assembled as the
#     trainer does) against the rate at which `topiary train` consumes tokens (1 thread) for
#     TextCNN on SST-2 (recipes/gmp_global90.yaml's model) and the small GPT on Tiny Shakespeare
#     (recipes/gpt_char.yaml's model). Consumption = (N2 - N1) steps * batch * mean tokens per
#     example / (wall_seconds(N2) - wall_seconds(N1)) from two runs' summary.json, so start-up
#     and the final evaluation cancel out.
# Usage: bench/data/run.sh [build dir]   (needs `ninja -C build topiary loader_bench`)
#   WORK=dir (default: a new folder under /tmp), KEEP=1 keeps the corpora and outputs,
#   MID_MIB, BIG_MIB, SHARD_MB (32), BIG_TOKENIZERS ("char word"), BIG_RANKS ("1 2"), PARTS ("prepare loader": run
#   only some parts).
set -euo pipefail

if [ "${1:-}" = "--measure" ]; then  # internal: every rank runs through this under mpirun
  # Peak RSS from /usr/bin/time (getrusage: exact, including the last moments before exit);
  # peak heap (RssAnon) sampled every 0.2 s from the command's /proc/PID/status.
  out=$2
  rank=${OMPI_COMM_WORLD_RANK:-0}
  shift 2
  /usr/bin/time -f "%M" -o "$out.time.$rank" "$@" &
  timer=$!
  anon=0
  while kill -0 "$timer" 2>/dev/null; do
    for pid in $(pgrep -P "$timer"); do
      while read -r key value _; do
        [ "$key" = RssAnon: ] && ((value > anon)) && anon=$value
      done <"/proc/$pid/status" 2>/dev/null || true
    done
    sleep 0.2
  done
  rc=0
  wait "$timer" || rc=$?
  echo "$(tail -n 1 "$out.time.$rank") $anon" >"$out.$rank"
  exit "$rc"
fi

SELF="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
SRC="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${1:-$SRC/build}"
BIN="$BUILD/bin/topiary"
LOADER="$BUILD/bin/loader_bench"
DATA="${TOPIARY_DATA_DIR:-$SRC/data}"
MID_MIB=${MID_MIB:-256}
BIG_MIB=${BIG_MIB:-1024}
SHARD_MB=${SHARD_MB:-32}
BIG_TOKENIZERS=${BIG_TOKENIZERS:-char word}
BIG_RANKS=${BIG_RANKS:-1 2}
PARTS=${PARTS:-prepare loader}
for f in "$BIN" "$LOADER"; do
  [ -x "$f" ] || { echo "missing $f: ninja -C $BUILD topiary loader_bench" >&2; exit 2; }
done
if [ -z "${WORK:-}" ]; then WORK="$(mktemp -d "${TMPDIR:-/tmp}/topiary-bench-data.XXXXXX")"; fi
case "$(cd "$WORK" 2>/dev/null && pwd || echo "$WORK")/" in
  "$SRC"/*) echo "WORK must not be inside the repository" >&2; exit 2 ;;
esac
mkdir -p "$WORK"
cleanup() { if [ "${KEEP:-0}" != 1 ]; then rm -rf "$WORK"; else echo "kept $WORK"; fi; }
trap cleanup EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1

echo "# bench/data/run.sh  $(date -u '+%Y-%m-%d %H:%M UTC')  $(git -C "$SRC" rev-parse --short HEAD)"
echo "# machine: $(nproc --all) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))," \
  "$(free -g | awk '/Mem:/{print $2}') GiB RAM, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# shard size ${SHARD_MB} MiB; WORK=$WORK"

# ---- Part 1 (PARTS contains "prepare"): prepare throughput and memory ----
if [[ " $PARTS " == *" prepare "* ]]; then
# Corpus: the shared corpora concatenated, repeated until the target size.
cat "$DATA/tinyshakespeare/input.txt" "$DATA"/wikitext2/wiki.*.tokens "$DATA"/ptb/*.txt >"$WORK/base.txt"
build_corpus() {  # out MiB
  local out=$1 target=$(($2 * 1048576))
  : >"$out"
  while (($(stat -c %s "$out") < target)); do cat "$WORK/base.txt" >>"$out"; done
}
build_corpus "$WORK/mid.txt" "$MID_MIB"
build_corpus "$WORK/big.txt" "$BIG_MIB"
mib() { awk -v b="$(stat -c %s "$1")" 'BEGIN{printf "%.1f", b / 1048576}'; }
echo "# corpora: base $(mib "$WORK/base.txt") MiB; mid $(mib "$WORK/mid.txt") MiB; big $(mib "$WORK/big.txt") MiB"

rss_of() {  # tag ranks -> "peak RSS / peak heap" MiB of every rank
  local tag=$1 n=$2 r hwm anon out=""
  for ((r = 0; r < n; r++)); do
    read -r hwm anon <"$WORK/rss.$tag.$r"
    out+=$(awk -v h="$hwm" -v a="$anon" 'BEGIN{printf "%5.0f/%-5.0f ", h / 1024, a / 1024}')
  done
  echo "$out"
}
"$SELF" --measure "$WORK/rss.base" "$BIN" --help >/dev/null
echo "# baseline: \`topiary --help\` peak RSS/heap $(rss_of base 1)MiB"
echo
printf "%-7s %-5s %-5s %9s %8s %9s %14s  %s\n" input ranks tok "MiB" "wall s" "MiB/s" "MiB/s/rank" \
  "peak RSS/heap MiB per rank"
prep() {  # tag corpus ranks tokenizer output
  local tag=$1 corpus=$2 n=$3 tok=$4 out=$5 t0 t1 wall size
  t0=$(date +%s.%N)
  mpirun --bind-to none -np "$n" "$SELF" --measure "$WORK/rss.$tag" "$BIN" prepare --format text \
    --tokenizer "$tok" --input "$WORK/$corpus.txt" --output "$out" --shard-mb "$SHARD_MB" \
    >"$WORK/$tag.log"
  t1=$(date +%s.%N)
  size=$(mib "$WORK/$corpus.txt")
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b - a}')
  printf "%-7s %-5s %-5s %9s %8.1f %9.2f %14.2f  %s\n" "$corpus" "$n" "$tok" "$size" "$wall" \
    "$(awk -v s="$size" -v w="$wall" 'BEGIN{print s / w}')" \
    "$(awk -v s="$size" -v w="$wall" -v n="$n" 'BEGIN{print s / w / n}')" "$(rss_of "$tag" "$n")"
}
for tok in char word; do
  for n in 1 2; do
    rm -rf "$WORK/mid_$tok.h5" "$WORK/mid_$tok.h5.shards"
    prep "mid_${tok}_$n" mid "$n" "$tok" "$WORK/mid_$tok.h5"
  done
done
prep mid_char_rerun mid 2 char "$WORK/mid_char.h5"
grep -q "is up to date" "$WORK/mid_char_rerun.log" ||
  { echo "rerun was not a no-op:" >&2; cat "$WORK/mid_char_rerun.log" >&2; exit 1; }
echo "        (the last row is a rerun on unchanged input: a no-op: it reads and hashes every shard, tokenizes nothing)"
rm -rf "$WORK/mid_char.h5"* "$WORK/mid_word.h5"*
for tok in $BIG_TOKENIZERS; do
  for n in $BIG_RANKS; do
    prep "big_${tok}_$n" big "$n" "$tok" "$WORK/big_$tok.h5"
    rm -rf "$WORK/big_$tok.h5" "$WORK/big_$tok.h5.shards"
  done
done
grep -E "shards|documents|tokens|vocabulary" "$WORK/big_$(echo "$BIG_TOKENIZERS" | awk '{print $NF}')_$(echo "$BIG_RANKS" | awk '{print $NF}').log" | sed 's/^/# big: /'
rm -f "$WORK/mid.txt" "$WORK/big.txt"  # ~1.3 GiB; the outputs went with their rows
fi  # part 1

# ---- Part 2 (PARTS contains "loader"): loader rate against training consumption ----
[[ " $PARTS " == *" loader "* ]] || exit 0

# Loader rate against training consumption (1 thread).
echo
"$BIN" prepare --format tsv --input "$DATA/sst2/train.tsv" --valid "$DATA/sst2/dev.tsv" \
  --output "$WORK/sst2.h5" >/dev/null
"$BIN" prepare --format text --tokenizer char --input "$DATA/tinyshakespeare/input.txt" \
  --output "$WORK/shakespeare.h5" >/dev/null
cat >"$WORK/textcnn.yaml" <<YAML
name: bench_textcnn
seed: 1
data: {path: $WORK/sst2.h5}
model: {type: textcnn, embedding_dim: 128, filters: 100, widths: [3, 4, 5], dropout: 0.5, max_length: 60}
training: {batch_size: 256, optimizer: adam, lr: 0.003, threads: 1, eval_every: 100000it}
stages:
  - {name: dense, until: 10it}
YAML
cat >"$WORK/gpt.yaml" <<YAML
name: bench_gpt
seed: 1
data: {path: $WORK/shakespeare.h5}
model: {type: gpt, embedding_dim: 128, heads: 4, layers: 4, ffn: 512, max_positions: 64, dropout: 0.0, tie_embeddings: true}
training: {batch_size: 16, optimizer: adamw, lr: 0.003, weight_decay: 0.1, grad_clip: 1.0, threads: 1, eval_every: 100000it}
stages:
  - {name: train, until: 10it}
YAML
wall_of() { "$SRC/.venv/bin/python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["wall_seconds"])' "$1"; }
printf "%-30s %16s %16s %8s\n" "model (data)" "loader tok/s" "train tok/s" ratio
compare() {  # tag title recipe batch n1 n2 loader flags...
  local name=$1 title=$2 recipe=$3 batch=$4 n1=$5 n2=$6 w1 w2 mean loader consume
  shift 6
  "$LOADER" "$@" --batch "$batch" --seconds 3 >"$WORK/$name.loader.log"
  loader=$(awk '/^loader_tokens_per_second/{print $2}' "$WORK/$name.loader.log")
  mean=$(awk '/^mean_tokens_per_example/{print $2}' "$WORK/$name.loader.log")
  for n in "$n1" "$n2"; do
    "$BIN" train --recipe "$recipe" --set "stages.0.until=${n}it" --output "$WORK/$name.$n" >/dev/null
  done
  w1=$(wall_of "$WORK/$name.$n1/summary.json")
  w2=$(wall_of "$WORK/$name.$n2/summary.json")
  consume=$(awk -v a="$n1" -v b="$n2" -v B="$batch" -v m="$mean" -v w1="$w1" -v w2="$w2" \
    'BEGIN{printf "%.0f", (b - a) * B * m / (w2 - w1)}')
  printf "%-30s %16.0f %16.0f %8.0f\n" "$title" "$loader" "$consume" \
    "$(awk -v l="$loader" -v c="$consume" 'BEGIN{print l / c}')"
  sed 's/^/#   /' "$WORK/$name.loader.log" | grep -v loader_tokens
  echo "#   train: steps $n1 -> $n2 in ${w1} -> ${w2} s, $mean real tokens per example"
}
compare textcnn "textcnn (sst2, batch 256)" "$WORK/textcnn.yaml" 256 5 25 "$WORK/sst2.h5" --max-length 60 --min-length 5
compare gpt "gpt_char (shakespeare, 16x64)" "$WORK/gpt.yaml" 16 10 60 "$WORK/shakespeare.h5" --context 64
