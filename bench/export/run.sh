#!/bin/bash
# Export sizes and thinned-model latency, side by side in one run:
#  1. TextCNN on SST-2 (dev split as training data, so that the run takes minutes) pruned by
#     global gradual magnitude pruning to 50/80/90/95%; each exported as dense, bitmask, csr
#     (fp32) and bitmask fp16; weights' stored bytes (after shuffle + deflate) relative to dense fp32.
#  2. 2:4 TextCNN exported as nm.
#  3. CPU latency (1 thread) of thinned vs masked-dense models at 50% structured sparsity:
#     TextCNN channels, Transformer FFN neurons + heads.
# Usage: bench/export/run.sh [build dir]   (needs `ninja -C build topiary thin_latency`)
set -euo pipefail
SRC="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${1:-$SRC/build}"
BIN="$BUILD/bin/topiary"
DATA="${TOPIARY_DATA_DIR:-$SRC/data}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/topiary-bench-export.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1
"$BIN" prepare --format tsv --input "$DATA/sst2/dev.tsv" --valid "$DATA/sst2/dev.tsv" --output "$WORK/dev.h5" >/dev/null
common=(--set data.path="$WORK/dev.h5" --set training.batch_size=16)
bytes() {  # total stored bytes of the weights in an export, and of dense fp32
  "$BIN" inspect "$1" | sed -n 's/^total weights: \([0-9]*\) bytes stored, \([0-9]*\) dense fp32.*/\1 \2/p'
}
printf "%-9s %-13s %12s %12s %8s\n" sparsity format bytes "dense fp32" ratio
row() {
  local label=$1 ckpt=$2 format=$3 dtype=$4 out="$WORK/x.h5" b d
  "$BIN" export "$ckpt" -o "$out" --format "$format" --dtype "$dtype" >/dev/null
  read -r b d < <(bytes "$out")
  printf "%-9s %-13s %12d %12d %8.4f\n" "$label" "$format/$dtype" "$b" "$d" "$(echo "$b / $d" | bc -l)"
}
# The 128-d N(0, 1) embedding the committed table was made with (the recipe now draws a 300-d one
# uniformly).
for s in 0.5 0.8 0.9 0.95; do
  "$BIN" train --recipe "$SRC/recipes/gmp_global90.yaml" "${common[@]}" \
    --set model.embedding_dim=128 --set model.embedding_init=normal \
    --set stages.1.modifiers.0.prune.final_sparsity=$s --set stages.1.modifiers.1.prune.final_sparsity=$s \
    --output "$WORK/gmp$s" >/dev/null
  for f in dense bitmask csr; do row "$s" "$WORK/gmp$s/final.h5" $f fp32; done
  row "$s" "$WORK/gmp$s/final.h5" bitmask fp16
done
"$BIN" train --recipe "$SRC/recipes/nm_2of4.yaml" "${common[@]}" --output "$WORK/nm" >/dev/null
row "2:4" "$WORK/nm/final.h5" nm fp32
row "2:4" "$WORK/nm/final.h5" bitmask fp32
row "2:4" "$WORK/nm/final.h5" nm fp16

echo
echo "thinned vs masked dense latency (B/A < 1: thinned is faster)"
"$BIN" train --recipe "$SRC/recipes/structured_rows.yaml" "${common[@]}" --output "$WORK/rows" >/dev/null
"$BIN" thin "$WORK/rows/final.h5" -o "$WORK/rows_thin.h5" | tail -1
echo -n "textcnn 50% channels: "
"$BUILD/bin/thin_latency" "$WORK/rows/final.h5" "$WORK/rows_thin.h5" "$DATA/sst2/dev.tsv"
cat >"$WORK/tf.yaml" <<YAML
name: tf_thin
data: {path: $WORK/dev.h5}
model: {type: transformer, embedding_dim: 256, heads: 8, layers: 4, ffn: 1024, dropout: 0.1, max_length: 64}
training: {batch_size: 16, optimizer: adamw, lr: 0.0005}
stages:
  - {name: dense, until: 20it}
  - name: prune
    until: 60it
    modifiers:
      - prune: {method: magnitude, pattern: rows, scope: layer, targets: ["layers.*.ffn.up.weight"], final_sparsity: 0.5, start: 20it, end: 40it, every: 10it}
      - prune: {method: magnitude, pattern: 32x256, scope: layer, targets: ["layers.*.attention.v.weight"], final_sparsity: 0.5, start: 20it, end: 40it, every: 10it}
YAML
"$BIN" train --recipe "$WORK/tf.yaml" --output "$WORK/tf" >/dev/null
"$BIN" thin "$WORK/tf/final.h5" -o "$WORK/tf_thin.h5" | tail -1
echo -n "transformer 50% FFN neurons + 50% heads: "
"$BUILD/bin/thin_latency" "$WORK/tf/final.h5" "$WORK/tf_thin.h5" "$DATA/sst2/dev.tsv"
