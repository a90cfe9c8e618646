#!/usr/bin/env bash
# 2-rank weak scaling, Topiary vs three PyTorch peers, TextCNN on SST-2 with 90% masks on the
# convolutions and the classifier (MODE=masked, the default; the embedding table unmasked) or dense
# (MODE=dense): Topiary `mpirun -np 2` (training.batch_size 128 = 64 per rank) against 1 rank
# (64), and each peer under torch.distributed DDP (gloo, 2 processes on localhost, 64 per rank)
# against its 1-process run: `peer` (prune's hooks, foreach Adam), `strong` (fused Adam, masks in
# place) and `sparse` (strong with nn.Embedding(sparse=True): the embedding's gradient travels by
# rows, as Topiary's row-sparse exchange sends it). One intra-op thread per rank: the machine
# this was written on has 2 cores, so 2 ranks x 1 thread is the honest configuration.
#
#   bench/peers/scaling.sh        # env: BIN, PY, MPIRUN, WORK, TOPIARY_DATA_DIR, STEPS (N), ROUNDS, MODE
#
# Step time: Topiary's is (wall(2N) - wall(N)) / N from two runs' summary.json (start-up, data
# load and the final evaluation cancel; every per-step cost stays in). The peer's is its own
# timed_seconds / N after 10 untimed warm-up steps, from one run: its start-up (importing torch,
# 5 to 20 s here) varies too much for two runs' difference to be usable, and leaving warm-up out
# favours the peer, if anything. All four configurations alternate within each round, and
# efficiency = (2-rank examples/s) / (2 x 1-rank examples/s) = t(1 rank) / t(2 ranks) per round;
# the median over rounds is printed. For Topiary the last column is the exposed-communication
# share of the 2N run: rank 0's mean time per step waiting for the gradient exchange
# (summary.json step_seconds.exchange) over its whole step time.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${BIN:-$SRC/build/bin/topiary}
PY=${PY:-$SRC/.venv/bin/python}
MPIRUN=${MPIRUN:-mpirun}
DATA_DIR=${TOPIARY_DATA_DIR:-$SRC/data}
WORK=${WORK:-$(mktemp -d /tmp/topiary-scaling.XXXXXX)}
N=${STEPS:-100}
ROUNDS=${ROUNDS:-3}
MODE=${MODE:-masked}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1
mkdir -p "$WORK"

[[ -f $WORK/sst2.h5 ]] || "$BIN" prepare --format tsv --input "$DATA_DIR/sst2/train.tsv" \
  --valid "$DATA_DIR/sst2/dev.tsv" --output "$WORK/sst2.h5" >/dev/null
recipe=$WORK/$MODE.yaml
{
  printf 'name: scaling_%s\nseed: 1\ndata: {path: sst2.h5}\n' "$MODE"
  printf 'model: {type: textcnn, embedding_dim: 128, filters: 100, widths: [3, 4, 5], dropout: 0.5, max_length: 60}\n'
  printf 'training: {batch_size: 64, optimizer: adam, lr: 0.001, eval_every: 1000000it, threads: 1}\n'
  printf 'stages:\n  - name: %s\n    until: %dit\n' "$MODE" "$N"
  # Pruned at 1it, after the first step (see run.sh for why not 0it).
  [[ $MODE == masked ]] && printf '    modifiers:\n      - prune: {method: magnitude, scope: global, targets: ["convs.*.weight", "fc.weight"], final_sparsity: 0.9, start: 1it, end: 1it, every: 1it, schedule: oneshot}\n'
} > "$recipe"
"$BIN" recipe check "$recipe" >/dev/null

topiary_wall() {  # ranks steps -> "wall_seconds exposed_share"
  local out=$WORK/run-$1-$2
  rm -rf "$out"
  "$MPIRUN" --oversubscribe --bind-to none -np "$1" "$BIN" train --recipe "$recipe" \
    --set "stages.0.until=$2it" --set "training.batch_size=$((64 * $1))" --output "$out" \
    >"$out.log" 2>&1
  "$PY" -c 'import json,sys
s = json.load(open(sys.argv[1]))
assert s["world_size"] == int(sys.argv[2]), s["world_size"]
assert (s["overall_sparsity"] > 0.05) == (sys.argv[3] == "masked"), s["overall_sparsity"]
p = s["step_seconds"]
total = sum(v for k, v in p.items() if k != "steps")
print(s["wall_seconds"], p["exchange"] / total)' "$out/summary.json" "$1" "$MODE"
}
topiary_step() {  # ranks -> "seconds_per_step exposed_share"
  local o1 o2 w1 w2 exposed
  o1=$(topiary_wall "$1" "$N")
  o2=$(topiary_wall "$1" $((2 * N)))
  read -r w1 _ <<<"$o1"
  read -r w2 exposed <<<"$o2"
  "$PY" -c 'import sys; print((float(sys.argv[2]) - float(sys.argv[1])) / int(sys.argv[3]), sys.argv[4])' \
    "$w1" "$w2" "$N" "$exposed"
}
ddp_step() {  # ranks peer-options... -> "seconds_per_step -" (rank 0's timed steps)
  local ranks=$1; shift
  # The recipe's masked set: the convolutions and the classifier; the embedding stays unmasked.
  local flags=(--mask-embedding no "$@"); [[ $MODE == masked ]] && flags+=(--masked)
  local port=$((29500 + RANDOM % 1000)) r
  for ((r = ranks - 1; r >= 1; r--)); do
    RANK=$r WORLD_SIZE=$ranks MASTER_ADDR=127.0.0.1 MASTER_PORT=$port "$PY" \
      "$SRC/bench/peers/textcnn_peer.py" --data "$WORK/sst2.h5" --steps "$N" "${flags[@]}" 2>/dev/null &
  done
  RANK=0 WORLD_SIZE=$ranks MASTER_ADDR=127.0.0.1 MASTER_PORT=$port "$PY" \
    "$SRC/bench/peers/textcnn_peer.py" --data "$WORK/sst2.h5" --steps "$N" "${flags[@]}" 2>/dev/null |
    "$PY" -c 'import json,sys; s = json.loads(sys.stdin.read()); print(s["timed_seconds"] / s["steps"], "-")'
  wait
}
# peer: what many users run (prune's hooks, foreach Adam); strong: fused Adam, masks in place;
# sparse: strong with nn.Embedding(sparse=True), whose gradient DDP exchanges by rows like
# Topiary's row-sparse exchange (SparseAdam for the table).
peer_step() { ddp_step "$1" --style prune; }
strong_step() { ddp_step "$1" --style strong; }
sparse_step() { ddp_step "$1" --style strong --embedding sparse; }

results=$WORK/scaling.tsv
: > "$results"
for r in $(seq 1 "$ROUNDS"); do
  for who in topiary peer strong sparse; do
    for ranks in 1 2; do
      out=$(${who}_step "$ranks")
      read -r t exposed <<<"$out"
      printf '%s\t%s\t%s\t%s\t%s\n' "$r" "$who" "$ranks" "$t" "$exposed" | tee -a "$results" >&2
    done
  done
done

"$PY" "$SRC/bench/peers/scaling_table.py" "$results" "$N" "$MODE"
echo
# What padding alone allows: each rank pads to its own longest example, the step waits for the
# slowest rank (model.max_length 60, widest filter 5, as in the recipe above).
"$PY" "$SRC/bench/peers/padding_ceiling.py" "$WORK/sst2.h5" --batch 64 --max-length 60 \
  --min-length 5 | tee "$WORK/padding.txt"
