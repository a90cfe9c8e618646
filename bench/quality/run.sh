#!/usr/bin/env bash
# Quality runs for issues 8 and 9: SST-2 TextCNN and Tiny Shakespeare char GPT, several seeds.
#
#   bench/quality/run.sh [CONFIG...]          # default: every config, in priority order
#   BIN=build/topiary WORK=runs/quality SEEDS="1 2 3" bench/quality/run.sh cnn_gmp_global_90 cnn_sens_90
#   bench/quality/run.sh --table               # only print the mean +- std tables of what is done
#   bench/quality/run.sh --check               # check every config's recipe and --set keys
#
# Each (config, seed) trains into $WORK/<config>/s<seed>; a run whose summary.json exists is
# skipped, so the script can be stopped and restarted. One process at a time, $THREADS intra-op
# threads, under nice. The sensitivity configs (*_sens_90) sweep the checkpoint that the matching
# *_global_90 run wrote at the prune start (running that first if needed), and retrain the same
# recipe with the sweep's per-layer overrides.
#
# Environment: BIN (topiary), WORK, SEEDS, THREADS (1), DATA (default $TOPIARY_DATA_DIR, else the repository's data/),
# PY (.venv/bin/python). The prepared HDF5 files go to $WORK/data.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${BIN:-$REPO/build/topiary}
WORK=${WORK:-$REPO/runs/quality}
SEEDS=${SEEDS:-"1 2 3"}
THREADS=${THREADS:-1}
DATA=${DATA:-${TOPIARY_DATA_DIR:-$REPO/data}}
PY=${PY:-$REPO/.venv/bin/python}
export TOPIARY_SOURCE_DIR=${TOPIARY_SOURCE_DIR:-$REPO}
BIN=$(realpath "$BIN")
mkdir -p "$WORK/data"
WORK=$(realpath "$WORK")

ALL_CONFIGS=(
  # 3 seeds: 90% by global magnitude, uniform (layer-wise), sensitivity allocation
  cnn_gmp_global_90 cnn_sens_90 cnn_gmp_layer_90
  gpt_global_90 gpt_sens_90 gpt_layer_90
  # frontier
  cnn_dense cnn_random_90 cnn_gmp_global_95 cnn_gmp_global_80 cnn_gmp_global_50
  cnn_gmp_layer_95 cnn_gmp_layer_80 cnn_gmp_layer_50 cnn_random_95 cnn_random_80 cnn_random_50
  cnn_movement_90 cnn_imp_rewind gpt_dense gpt_global_80 gpt_global_50
  # the embedding left dense (only convs + fc pruned), as most pruning papers report
  cnn_gmp_global_90_ed cnn_random_90_ed cnn_gmp_global_95_ed cnn_random_95_ed
)

SST2=$WORK/data/sst2.h5
SHAKE=$WORK/data/shakespeare.h5
SHAKE_SWEEP=$WORK/data/shakespeare_sweep.h5
prepare() {
  [[ -f $SST2 ]] || "$BIN" prepare --input "$DATA/sst2/train.tsv" --valid "$DATA/sst2/dev.tsv" --output "$SST2"
  [[ -f $SHAKE ]] || "$BIN" prepare --format text --tokenizer char \
    --input "$DATA/tinyshakespeare/input.txt" --output "$SHAKE"
  # The GPT sweep evaluates 24 targets x 5 sparsities: on the first 20% of the validation
  # documents (same tokens, a prefix of the split) it costs a fifth of the full split.
  [[ -f $SHAKE_SWEEP ]] || "$PY" - "$SHAKE" "$SHAKE_SWEEP" <<'PYEOF'
import shutil, sys, h5py
src, dst = sys.argv[1], sys.argv[2]
shutil.copyfile(src, dst + ".tmp")
with h5py.File(dst + ".tmp", "r+") as f:
    offsets = f["valid/offsets"][:]
    docs = (len(offsets) - 1) // 5
    tokens = f["valid/tokens"][: offsets[docs]]
    del f["valid/offsets"], f["valid/tokens"]
    f["valid/offsets"], f["valid/tokens"] = offsets[: docs + 1], tokens
    f.attrs["valid_examples"], f.attrs["valid_tokens"] = str(docs), str(len(tokens))
    f.attrs["valid_source"] = f.attrs["valid_source"] + f"; first {docs} documents (bench/quality sweep)"
shutil.move(dst + ".tmp", dst)
PYEOF
}

# TextCNN schedule (shortened from the recipes' 2/6/8 epochs to fit a shared 2-core machine):
# dense to step 200, cubic ramp 200 -> 400 (masks every 20 steps), fine-tune to 600 (2.3 epochs
# of 263 steps); validation every 100 steps. Every TextCNN config uses it, with the 128-d N(0, 1)
# embedding these tables were made with (gmp_global90.yaml and random90.yaml now draw a 300-d one
# uniformly; bench/quality/test_split.sh runs them as shipped).
cnn_schedule() { # $1: index of the stage holding the prune modifiers, then modifier indices
  local st=$1; shift
  a+=(--set "data.path=$SST2" --set "training.threads=$THREADS" --set training.eval_every=100it
    --set model.embedding_init=normal --set model.embedding_dim=128
    --set stages.0.until=200it --set "stages.$st.until=600it")
  for m in "$@"; do
    a+=(--set "stages.$st.modifiers.$m.prune.start=200it" --set "stages.$st.modifiers.$m.prune.end=400it")
  done
}
cnn_sparsity() { a+=(--set "stages.1.modifiers.0.prune.final_sparsity=$1" --set "stages.1.modifiers.1.prune.final_sparsity=$1"); }

# GPT: docs/results.md's shortened gpt_char_gmp.yaml: dense to 400, cubic ramp 400 -> 800 of the
# attention + FFN weights, fine-tune to 1000; batch 16.
gpt_common() {
  a=(--recipe "$REPO/recipes/gpt_char_gmp.yaml" --set "data.path=$SHAKE" --set "training.threads=$THREADS"
    --set stages.0.until=400it --set stages.1.until=1000it --set stages.1.modifiers.0.prune.start=400it
    --set stages.1.modifiers.0.prune.end=800it --set "stages.1.modifiers.0.prune.final_sparsity=$1"
    --set training.eval_every=200it --set stages.0.modifiers.0.lr.warmup=50it)
}

# Sets the array a to the train arguments of config $1 (without seed and output).
config_args() {
  local c=$1 s=${1##*_}
  a=()
  if [[ $c == *_ed ]]; then # <config>_ed: <config> with the embedding's modifier at sparsity 0
    config_args "${c%_ed}"
    a+=(--set stages.1.modifiers.1.prune.final_sparsity=0)
    return
  fi
  case $c in
    cnn_dense) a=(--recipe "$REPO/recipes/gmp_global90.yaml"); cnn_schedule 1 0 1; cnn_sparsity 0 ;;
    cnn_gmp_global_*) a=(--recipe "$REPO/recipes/gmp_global90.yaml"); cnn_schedule 1 0 1; cnn_sparsity "0.$s" ;;
    cnn_gmp_layer_*)
      a=(--recipe "$REPO/recipes/gmp_global90.yaml"); cnn_schedule 1 0 1; cnn_sparsity "0.$s"
      a+=(--set stages.1.modifiers.0.prune.scope=layer) ;;
    cnn_sens_90) a=(--recipe "$REPO/recipes/gmp_global90.yaml"); cnn_schedule 1 0 1; cnn_sparsity 0.9 ;;
    cnn_random_*)
      a=(--recipe "$REPO/recipes/random90.yaml"); cnn_schedule 1 0 1; cnn_sparsity "0.$s"
      a+=(--set stages.1.modifiers.0.prune.schedule=cubic --set stages.1.modifiers.1.prune.schedule=cubic) ;;
    cnn_movement_90)
      # movement.yaml: modifier 0 is the lr schedule (linear warm-up and decay), 1 and 2 prune.
      a=(--recipe "$REPO/recipes/movement.yaml"); cnn_schedule 1 1 2
      a+=(--set stages.1.modifiers.1.prune.final_sparsity=0.9 --set stages.1.modifiers.2.prune.final_sparsity=0.9) ;;
    cnn_imp_rewind)
      # imp_rewind.yaml with 100-step levels (5 levels, then a 100-step ticket stage): 600 steps.
      a=(--recipe "$REPO/recipes/imp_rewind.yaml" --set "data.path=$SST2" --set "training.threads=$THREADS"
        --set training.eval_every=100it --set stages.0.for=100it --set stages.1.for=100it)
      for m in 3 4; do a+=(--set "stages.0.modifiers.$m.prune.start=100it" --set "stages.0.modifiers.$m.prune.end=100it"); done ;;
    gpt_dense) gpt_common 0.0 ;;
    gpt_global_*|gpt_sens_90) gpt_common "0.$s" ;;
    gpt_layer_*) gpt_common "0.$s"; a+=(--set stages.1.modifiers.0.prune.scope=layer) ;;
    *) echo "run.sh: unknown config '$c' (known: ${ALL_CONFIGS[*]})" >&2; exit 2 ;;
  esac
}

# shellcheck source=bench/quality/overrides_flow.sh
source "$REPO/bench/quality/overrides_flow.sh"

# Sensitivity sweep of seed $2's *_global_90 checkpoint at the prune start; prints allocation.yaml.
sweep() {
  local model=$1 seed=$2 src ckpt out
  if [[ $model == cnn ]]; then src=cnn_gmp_global_90; ckpt=step-00000200.h5; else src=gpt_global_90; ckpt=step-00000400.h5; fi
  run_one "$src" "$seed"
  out=$WORK/$src/s$seed/sensitivity
  if [[ ! -f $out/allocation.yaml ]]; then
    local sa=()
    if [[ $model == cnn ]]; then
      # Only the convolutions and the classifier: the embedding keeps its own 90% (layer) modifier
      # in every arm, so all three arms prune the same weights of each group.
      sa=(--recipe "$REPO/recipes/gmp_global90.yaml" --set "data.path=$SST2" --set model.embedding_dim=128
        --set 'stages.1.modifiers=[{prune: {method: magnitude, scope: global, targets: ["convs.*.weight", "fc.weight"], final_sparsity: 0.9, start: 2ep, end: 6ep, every: 20it, schedule: cubic}}]'
        --grid 0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.85,0.9,0.95,0.98)
    else
      sa=(--recipe "$REPO/recipes/gpt_char_gmp.yaml" --set "data.path=$SHAKE_SWEEP" --grid 0.5,0.8,0.9,0.95,0.98)
    fi
    echo "== sweep $model seed $seed ($(date -u +%FT%TZ))" >&2
    nice "$BIN" sensitivity "$WORK/$src/s$seed/checkpoints/$ckpt" "${sa[@]}" --set "training.threads=$THREADS" \
      --target 0.9 --output "$out" >"$out.log" 2>&1 || { cat "$out.log" >&2; exit 1; }
  fi
  echo "$out/allocation.yaml"
}

run_one() {
  local c=$1 seed=$2 dir=$WORK/$1/s$2 extra=()
  if [[ -f $dir/summary.json ]]; then
    [[ -f $dir/inspect.txt ]] || "$BIN" inspect "$dir/final.h5" >"$dir/inspect.txt"
    return 0
  fi
  config_args "$c"
  case $c in
    cnn_gmp_global_90) extra=(--checkpoint-every 200it --keep-last 3) ;;
    gpt_global_90) extra=(--checkpoint-every 400it --keep-last 3) ;;
    *_sens_90)
      local alloc flow
      alloc=$(sweep "${c%%_*}" "$seed") && flow=$(overrides_flow "$alloc") ||
        { echo "run.sh: sensitivity sweep for $c seed $seed failed" >&2; return 1; }
      a+=(--set "stages.1.modifiers.0.prune.overrides=$flow") ;;
  esac
  rm -rf "$dir"; mkdir -p "$dir"
  echo "== $c seed $seed ($(date -u +%FT%TZ))" >&2
  printf '%q ' "$BIN" train "${a[@]}" --set "seed=$seed" --output "$dir" "${extra[@]}" >"$dir/command.sh"
  nice "$BIN" train "${a[@]}" --set "seed=$seed" --output "$dir" "${extra[@]}" >"$dir/train.log" 2>&1 ||
    { tail -5 "$dir/train.log" >&2; echo "run.sh: $c seed $seed failed" >&2; return 1; }
  "$BIN" inspect "$dir/final.h5" >"$dir/inspect.txt"
  tail -1 "$dir/train.log" >&2
}

# Everything runs from main, parsed whole before it starts, so editing this file does not
# disturb a run in progress.
main() {
  if [[ ${1:-} == --check ]]; then # validate every config's recipe and --set keys, run nothing
    for c in "${ALL_CONFIGS[@]}"; do
      config_args "$c"
      "$BIN" recipe check "${a[@]:1}" --set seed=1 | sed "s/^/$c: /"
    done
    exit 0
  fi
  if [[ ${1:-} != --table ]]; then
    prepare
    configs=("$@")
    [[ ${#configs[@]} -gt 0 ]] || configs=("${ALL_CONFIGS[@]}")
    for c in "${configs[@]}"; do
      for seed in $SEEDS; do run_one "$c" "$seed" || true; done
    done
  fi
  for f in "$WORK"/*/s*/summary.json; do # runs finished by a process this script did not wait for
    [[ -f $f && ! -f ${f%/*}/inspect.txt ]] && "$BIN" inspect "${f%/*}/final.h5" >"${f%/*}/inspect.txt"
  done
  "$PY" "$REPO/bench/quality/aggregate.py" "$WORK"
}
main "$@"; exit $?
