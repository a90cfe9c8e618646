#!/usr/bin/env bash
# The pretrained-MiniLM recipes at full length on this machine's CPUs (2 ranks), for when no GPU
# is at hand: recipes/minilm_sst2_dense.yaml first (the teacher of the distilling recipes), then
# the others named in RECIPES, byte for byte as they ship, with the documented prepare, train and
# eval commands; each selected model is then scored once on GLUE dev, which training and
# selection never see.
#
# A full run takes hours (about 0.35 s per dense step of batch 32 on 2 cores), so it is built to
# be stopped and run again: every run writes a checkpoint every 500 steps and when one of its
# ranks gets SIGTERM (send it to a `topiary train` process, not to mpirun, which kills its ranks
# a second after its own SIGTERM); a second call continues each unfinished run with --resume
# (bitwise on the same world size) and skips finished ones. The binary is copied into WORK on the
# first call and that copy is used to the end, so a rebuild in between does not mix two builds
# into one run.
#
#   bench/quality/minilm_cpu.sh                                   # run (or continue)
#   STOP_AT=$(( $(date +%s) + 3600 )) bench/quality/minilm_cpu.sh # stop cleanly within an hour
#   bench/quality/minilm_cpu.sh report                            # GLUE dev of finished runs
#   INIT_FROM="minilm_sst2_gmp90_ft=runs/minilm_dense/final.h5" \
#     RECIPES="minilm_sst2_dense minilm_sst2_gmp90_ft" bench/quality/minilm_cpu.sh
#
# env: WORK (default ~/.cache/topiary/minilm-cpu), RECIPES (default "minilm_sst2_dense
#      minilm_sst2_gmp90"), STOP_AT (epoch seconds by which training is sent SIGTERM),
#      OUT (report folder, default $WORK/report), INIT_FROM (space-separated RECIPE=CHECKPOINT:
#      that recipe's first run gets --init-from WORK/CHECKPOINT)
set -uo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=bench/quality/minilm_common.sh
source "$SRC/bench/quality/minilm_common.sh"
OUT=${OUT:-$WORK/report}
read -r -a RECIPES <<<"${RECIPES:-minilm_sst2_dense minilm_sst2_gmp90}"
export OMPI_ALLOW_RUN_AS_ROOT=${OMPI_ALLOW_RUN_AS_ROOT:-1} OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=${OMPI_ALLOW_RUN_AS_ROOT_CONFIRM:-1}
DEV=$WORK/runs/sst2_minilm/sst2_glue_dev.h5

setup() {
  local model=$SRC/.pretrained/$MODEL_NAME
  [ -f "$model/model.safetensors" ] || { echo "no $model: run launch/fetch_pretrained.sh"; exit 1; }
  mkdir -p "$WORK"/{bin,logs,recipes,runs/sst2_minilm,.pretrained}
  if [ ! -x "$BIN" ]; then
    cp "$SRC/build/bin/topiary" "$BIN"
    echo "commit $(git -C "$SRC" rev-parse HEAD)$(git -C "$SRC" diff --quiet HEAD -- framework || echo "+uncommitted")" >"$WORK/bin/MANIFEST"
  fi
  [ -d "$WORK/.pretrained/$MODEL_NAME" ] || cp -r "$model" "$WORK/.pretrained/"
  # The shipped recipes' relative paths (../runs, ../.pretrained) land in WORK.
  for recipe in minilm_sst2_dense "${RECIPES[@]}"; do
    if [ -f "$WORK/recipes/$recipe.yaml" ]; then
      # A variant tried here may have left recipes/ since; the run keeps its own copy either way.
      [ ! -f "$SRC/recipes/$recipe.yaml" ] ||
        cmp -s "$SRC/recipes/$recipe.yaml" "$WORK/recipes/$recipe.yaml" ||
        echo "note: recipes/$recipe.yaml changed since this run began; the run keeps its copy"
    else
      cp "$SRC/recipes/$recipe.yaml" "$WORK/recipes/"
    fi
  done
  local train=$SRC/data/sst2/train.tsv
  [ -f "$WORK/runs/sst2_minilm/sst2.h5" ] ||
    minilm_prepare --input "$train" --valid-fraction 0.05 --output "$WORK/runs/sst2_minilm/sst2.h5"
  [ -f "$DEV" ] || minilm_prepare --input "$train" --valid "$SRC/data/sst2/dev.tsv" --output "$DEV"
}

# train RECIPE: run it to the end (or to STOP_AT), continuing a stopped run.
train() {
  local recipe=$1 start=() log=$WORK/logs/$1.log left=
  [ -f "$WORK/runs/$recipe/summary.json" ] && { echo "$recipe: finished earlier"; return 0; }
  if [ -d "$WORK/runs/$recipe/checkpoints" ]; then
    start=(--resume "$WORK/runs/$recipe")
    log=$WORK/logs/$recipe.resume.$(date -u +%Y%m%dT%H%M%S).log
  else
    local pair
    for pair in ${INIT_FROM:-}; do
      [ "${pair%%=*}" = "$recipe" ] && start=(--init-from "$WORK/${pair#*=}")
    done
  fi
  if [ -n "${STOP_AT:-}" ]; then
    left=$((STOP_AT - $(date +%s)))
    [ "$left" -gt 60 ] || { echo "$recipe: no time left"; return 1; }
  fi
  echo "$recipe: start $(date -u +%FT%TZ) ${start[*]}"
  # A stopped job's collectives must not time out while its ranks are paused (SIGSTOP).
  TOPIARY_COLLECTIVE_TIMEOUT=${TOPIARY_COLLECTIVE_TIMEOUT:-86400} \
    mpirun --bind-to none -np 2 "$BIN" train --recipe "$WORK/recipes/$recipe.yaml" \
    --output "$WORK/runs/$recipe" --checkpoint-every 500it "${start[@]}" >"$log" 2>&1 &
  local launcher=$! watcher=
  if [ -n "$left" ]; then
    # SIGTERM goes to one rank, not to mpirun (which kills its ranks a second after its own
    # SIGTERM): the ranks then agree on a step, write the checkpoint and exit 3.
    (sleep "$left" && pkill -TERM -o -P "$launcher" -f "$BIN train") &
    watcher=$!
  fi
  wait "$launcher"
  local code=$?
  [ -z "$watcher" ] || kill "$watcher" 2>/dev/null
  echo "$recipe: exit $code $(date -u +%FT%TZ)"
  tail -n 3 "$log"
  [ -f "$WORK/runs/$recipe/summary.json" ]
}

report() {
  mkdir -p "$OUT"
  local recipe summary chosen log
  for recipe in "${RECIPES[@]}"; do
    summary=$WORK/runs/$recipe/summary.json
    [ -f "$summary" ] || { echo "$recipe: not finished"; continue; }
    # Paths inside WORK are written relative to it, so the files can be committed as they are.
    sed "s|$WORK/||g" "$summary" >"$OUT/$recipe.summary.json"
    for log in "$WORK/logs/$recipe.log" "$WORK/logs/$recipe".resume.*.log; do
      [ -f "$log" ] && sed "s|$WORK/||g" "$log" >"$OUT/${log##*/}"
    done
    chosen=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(s.get("selected_checkpoint") or s["checkpoint"])' "$OUT/$recipe.summary.json")
    echo "$chosen" >"$OUT/$recipe.chosen"
    (cd "$WORK" && "$BIN" eval "$chosen" --data "${DEV#"$WORK"/}" --json) >"$OUT/$recipe.glue_dev.json"
    echo "$recipe: GLUE dev $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["accuracy"])' "$OUT/$recipe.glue_dev.json")"
  done
  cat "$WORK/bin/MANIFEST" >"$OUT/MANIFEST"
  (cd "$WORK/recipes" && sha256sum ./*.yaml && cd ../runs/sst2_minilm && sha256sum ./*.h5) >>"$OUT/MANIFEST"
}

setup
[ "${1:-}" = report ] && { report; exit 0; }
train minilm_sst2_dense || exit 1
# The teacher path in the distilling recipes is ../runs/minilm_dense/final.h5.
mkdir -p "$WORK/runs/minilm_dense"
[ -f "$WORK/runs/minilm_dense/final.h5" ] || cp "$WORK/runs/minilm_sst2_dense/final.h5" "$WORK/runs/minilm_dense/"
for recipe in "${RECIPES[@]}"; do
  [ "$recipe" = minilm_sst2_dense ] && continue
  train "$recipe" || exit 1
done
report
