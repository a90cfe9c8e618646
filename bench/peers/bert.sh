#!/usr/bin/env bash
# Topiary vs transformers (bench/peers/bert_peer.py): the pretrained MiniLM-L6 fine-tuning step
# on SST-2 (WordPiece), dense and with 90% of the encoder's linear weights masked; batch 32, one
# intra-op thread, AdamW with ATen's fused kernel on both sides, dropout 0.1. Topiary and the
# peer run alternately in the same invocation, ROUNDS times; the ratios come from this run only.
#
#   bench/peers/bert.sh           # env: BIN, PY, MODEL (default .pretrained/all-minilm-l6-v2),
#                                 #      WORK, STEPS (N, default 20), ROUNDS (default 3), WHO
#                                 #      (default "topiary peer")
#
# Method as bench/peers/run.sh: every configuration runs for N and for 2N steps and its step time
# is (wall(2N) - wall(N)) / N, which cancels start-up, model load and the final evaluation; the
# same from CPU time (user + sys) in a second table. Batches are drawn at random on both sides
# (no length bucketing) and padded to their longest example, so both pay the same padding on
# average. The validation split is 0.5% of train (Topiary evaluates it once at the end, a cost
# the difference cancels but whose noise it keeps). Topiary's masked run prunes once at step 1 (global magnitude, 90%); the peer prunes
# once before its first step with torch.nn.utils.prune.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${BIN:-$SRC/build/bin/topiary}
PY=${PY:-$SRC/.venv/bin/python}
MODEL=$(cd "${MODEL:-$SRC/.pretrained/all-minilm-l6-v2}" && pwd)
WORK=${WORK:-$(mktemp -d /tmp/topiary-bert-peers.XXXXXX)}
N=${STEPS:-20}
ROUNDS=${ROUNDS:-3}
WHO=${WHO:-topiary peer}
mkdir -p "$WORK"

[[ -f $WORK/sst2.h5 ]] || "$BIN" prepare --format tsv --input "$SRC/data/sst2/train.tsv" \
  --valid-fraction 0.005 --text-column sentence --label-column label --tokenizer wordpiece \
  --vocab "$MODEL" --max-length 66 --output "$WORK/sst2.h5" >/dev/null

common="seed: 1
data: {path: sst2.h5}
model: {type: bert, from: $MODEL, dropout: 0.1}
training: {batch_size: 32, optimizer: adamw, lr: 0.00005, weight_decay: 0.01, no_decay: [\"*.bias\", \"*norm*\"], eval_every: 1000000it, threads: 1}"
printf 'name: bert_peers_dense\n%s\nstages:\n  - name: dense\n    until: %dit\n' "$common" "$N" >"$WORK/dense.yaml"
printf 'name: bert_peers_masked\n%s\nstages:\n  - name: masked\n    until: %dit\n    modifiers:\n      - prune: {method: magnitude, scope: global, targets: ["layers.*.attention.*.weight", "layers.*.ffn.*.weight"], final_sparsity: 0.9, start: 1it, end: 1it, every: 1it, schedule: oneshot}\n' "$common" "$N" >"$WORK/masked.yaml"
"$BIN" recipe check "$WORK/dense.yaml" >/dev/null
"$BIN" recipe check "$WORK/masked.yaml" >/dev/null

results=$WORK/results.tsv
: >"$results"
# 90% of the encoder linear layers is ~0.42 of all parameters (the embeddings stay dense)
MASKED_MIN_SPARSITY=0.3
# shellcheck source=bench/peers/alternate.sh
source "$SRC/bench/peers/alternate.sh"
peer_wall() { # mode steps -> "wall_seconds cpu_seconds"
  local flag=() wall
  [[ $1 == masked ]] && flag=(--masked)
  wall=$(/usr/bin/time -f "%U %S" -o "$WORK/peer.cpu" \
    "$PY" "$SRC/bench/peers/bert_peer.py" --model "$MODEL" --data "$WORK/sst2.h5" --steps "$2" \
    "${flag[@]}" 2>/dev/null | tee -a "$WORK/peer.jsonl" |
    "$PY" -c 'import json,sys; print(json.loads(sys.stdin.read())["wall_seconds"])')
  echo "$wall $(cpu_seconds "$WORK/peer.cpu")"
}
# shellcheck disable=SC2086  # WHO is a list of words
run_rounds $WHO

"$PY" "$SRC/bench/peers/peer_table.py" "$results" "$N" \
  "MiniLM-L6 fine-tuning on SST-2 (transformers peer), batch 32, 1 thread"
