#!/usr/bin/env bash
# Sensitivity allocation under the three splits (bench/quality/test_split.sh): for each seed,
# recipes/gmp_global90.yaml's dense model at its prune start (2 epochs, step 498) is swept on the
# validation split by `topiary sensitivity` (the convolutions and the classifier; the embedding
# keeps its own 90% layer-wise modifier, as in every arm), and the recipe is retrained with the
# sweep's per-layer overrides (`sens90`); test is scored once on the checkpoint selection kept.
#
#   SEEDS="1 2 3" OUT=bench/results/test_split bench/quality/test_split_sensitivity.sh
#
# Leaves $OUT/sens90/sweeps/s<seed>/ (the sweep's CSV, log and allocation.yaml) beside the
# per-seed folders test_split.sh writes. The 2-epoch dense run is a recipe with only the dense stage: the same
# weights, bit for bit, as the full recipe's at step 498, because nothing before the prune start
# depends on what comes after it.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$(realpath "${BIN:-$REPO/build/bin/topiary}")
SEEDS=${SEEDS:-"1 2 3"}
OUT=${OUT:-$REPO/runs/test_split}
recipe=$REPO/recipes/gmp_global90.yaml
# The committed sens90 rows are a variant of the recipe's earlier 128-d embedding; EMBEDDING_DIM=300
# sweeps the shipped width.
width=(--set "model.embedding_dim=${EMBEDDING_DIM:-128}")
sst2=$(realpath "$OUT")/data/sst2_test_split.h5
[[ -f $sst2 ]] || { echo "test_split_sensitivity.sh: run bench/quality/test_split.sh first ($sst2)" >&2; exit 2; }

# shellcheck source=bench/quality/overrides_flow.sh
source "$REPO/bench/quality/overrides_flow.sh"

for seed in $SEEDS; do
  sweep=$OUT/sens90/sweeps/s$seed
  if [[ ! -f $sweep/allocation.yaml ]]; then
    work=$(mktemp -d)
    "$BIN" train --recipe "$recipe" "${width[@]}" --set "data.path=$sst2" --set training.threads=1 \
      --set "seed=$seed" --set 'stages=[{name: dense, until: 2ep}]' --output "$work/dense" >"$work/train.log" 2>&1 ||
      { cat "$work/train.log" >&2; exit 1; }
    mkdir -p "$sweep.tmp"
    nice "$BIN" sensitivity "$work/dense/final.h5" --recipe "$recipe" "${width[@]}" --set "data.path=$sst2" \
      --set training.threads=1 \
      --set 'stages.1.modifiers=[{prune: {method: magnitude, scope: global, targets: ["convs.*.weight", "fc.weight"], final_sparsity: 0.9, start: 2ep, end: 6ep, every: 20it, schedule: cubic}}]' \
      --grid 0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.85,0.9,0.95,0.98 --target 0.9 \
      --output "$sweep.tmp" >"$sweep.tmp/sensitivity.log" 2>&1 || { cat "$sweep.tmp/sensitivity.log" >&2; exit 1; }
    for f in "$sweep.tmp"/*; do # paths relative to the repository, not this machine's
      case $f in *.log | *.yaml | *.csv) sed -i "s#$work/#dense-2ep/#g; s#$REPO/##g" "$f" ;; esac
    done
    rm -rf "$work" "$sweep" && mv "$sweep.tmp" "$sweep"
  fi
  flow=$(overrides_flow "$sweep/allocation.yaml")
  SEEDS=$seed JOBS=1 OUT=$OUT "$REPO/bench/quality/test_split.sh" sens90 "$recipe" "${width[@]}" \
    --set "stages.1.modifiers.0.prune.overrides=$flow"
done
