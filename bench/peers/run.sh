#!/usr/bin/env bash
# Topiary vs two Python/PyTorch peers (bench/peers/textcnn_peer.py): TextCNN training step
# throughput on SST-2, dense and with the masks of recipes/gmp_global90.yaml (90% of the
# convolutions and classifier under one threshold, 90% of the embedding), one intra-op thread,
# batch 64. `peer` is what many users run (torch.nn.utils.prune's per-layer hooks, foreach Adam);
# `strong` is the strongest reasonable PyTorch (fused Adam, the same global threshold, masks
# multiplied in place after each step). All run alternately in the same invocation, ROUNDS
# times, and the ratios come from this run only.
#
#   bench/peers/run.sh            # env: BIN, PY, WORK, TOPIARY_DATA_DIR, STEPS (N), ROUNDS, WHO
#
# WHO="topiary" runs only Topiary's dense and masked configurations: the mask overhead needs
# long runs and many rounds, and the peer (twice Topiary's step time) would triple the wall time.
#
# Method: every configuration is run twice per round, for N and for 2N steps, and its step time is
# (wall(2N) - wall(N)) / N. This cancels what both runs share (process start, data load, model
# build, the final evaluation, the one-shot prune). Topiary's wall is summary.json's wall_seconds;
# the peer's is its own wall_seconds (from before `import torch` to the last step). The reported
# steps/s is the median over rounds; ratios are taken per round and their median is printed.
# The same is printed a second time from CPU time (user + sys of the whole process, from
# /usr/bin/time): on a shared machine, other jobs stretch the wall clock of a 1-thread run but
# hardly its CPU time, so the CPU-time table is the one to read when the machine is busy.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${BIN:-$SRC/build/bin/topiary}
PY=${PY:-$SRC/.venv/bin/python}
DATA_DIR=${TOPIARY_DATA_DIR:-$SRC/data}
WORK=${WORK:-$(mktemp -d /tmp/topiary-peers.XXXXXX)}
N=${STEPS:-100}
ROUNDS=${ROUNDS:-3}
WHO=${WHO:-topiary peer strong}
mkdir -p "$WORK"

[[ -f $WORK/sst2.h5 ]] || "$BIN" prepare --format tsv --input "$DATA_DIR/sst2/train.tsv" \
  --valid "$DATA_DIR/sst2/dev.tsv" --output "$WORK/sst2.h5" >/dev/null

common='seed: 1
data: {path: sst2.h5}
model: {type: textcnn, embedding_dim: 128, filters: 100, widths: [3, 4, 5], dropout: 0.5, max_length: 60}
training: {batch_size: 64, optimizer: adam, lr: 0.001, eval_every: 1000000it, threads: 1}'
printf 'name: peers_dense\n%s\nstages:\n  - name: dense\n    until: %dit\n' "$common" "$N" > "$WORK/dense.yaml"
printf 'name: peers_masked\n%s\nstages:\n  - name: masked\n    until: %dit\n    modifiers:\n      - prune: {method: magnitude, scope: global, targets: ["convs.*.weight", "fc.weight"], final_sparsity: 0.9, start: 1it, end: 1it, every: 1it, schedule: oneshot}\n' "$common" "$N" > "$WORK/masked.yaml"
printf '      - prune: {method: magnitude, scope: layer, targets: ["embedding.weight"], final_sparsity: 0.9, start: 1it, end: 1it, every: 1it, schedule: oneshot}\n' >> "$WORK/masked.yaml"
# The masked recipe prunes once at 1it, after the first step (the peer does the same).
"$BIN" recipe check "$WORK/dense.yaml" >/dev/null
"$BIN" recipe check "$WORK/masked.yaml" >/dev/null

results=$WORK/results.tsv
: > "$results"
# overall_sparsity: 90% of the embedding, convs and fc is ~0.9 overall
MASKED_MIN_SPARSITY=0.5
# shellcheck source=bench/peers/alternate.sh
source "$SRC/bench/peers/alternate.sh"
textcnn_peer_wall() {  # style mode steps -> "wall_seconds cpu_seconds"
  local flag='' wall; [[ $2 == masked ]] && flag=--masked
  wall=$(/usr/bin/time -f "%U %S" -o "$WORK/peer.cpu" \
    "$PY" "$SRC/bench/peers/textcnn_peer.py" --data "$WORK/sst2.h5" --steps "$3" --style "$1" \
    $flag 2>/dev/null |
    "$PY" -c 'import json,sys; print(json.loads(sys.stdin.read())["wall_seconds"])')
  echo "$wall $(cpu_seconds "$WORK/peer.cpu")"
}
peer_wall() { textcnn_peer_wall prune "$@"; }
strong_wall() { textcnn_peer_wall strong "$@"; }
# shellcheck disable=SC2086  # WHO is a list of words
run_rounds $WHO

"$PY" "$SRC/bench/peers/peer_table.py" "$results" "$N"
