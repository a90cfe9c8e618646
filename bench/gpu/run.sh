#!/usr/bin/env bash
# The GPU validation run, in one script (about 8 minutes on one H200, the build included):
#   facts (nvidia-smi, nvcc, torch/CUDA/NCCL versions) -> unpack .bundle/*.deb (bench/gpu/bundle.sh:
#   MPI with mpirun, HDF5, yaml-cpp, ...) into a prefix -> configure against the machine's torch
#   and the nvidia-nccl wheel -> build topiary, gpu_tests, gpt_throughput -> `ctest -L gpu` ->
#   real `topiary train` runs on the GPU: a pruning recipe on 1 rank over NCCL, and on 2 ranks
#   sharing the GPU over the host-staged MPI path -> GPT throughput of the trainer's step against
#   PyTorch eager, dense and 90% masked, alternately -> a summary with a Markdown table.
#
#   bench/gpu/run.sh              # on the GPU machine; results in $OUT (default ./gpu-run-out)
#   bench/gpu/run.sh --cpu-smoke  # here: the same parts on the CPU with tiny shapes, system
#                                 # packages unless BUNDLE_SMOKE=1
#   env: PY (python with torch, default python3), WORK (scratch: build, prefix, logs; default
#        /tmp/topiary-gpu-run), JOBS, STEPS, ROUNDS, PREBUILT (default <repo>/.prebuilt)
#
# With binaries from bench/gpu/prebuilt.sh in .prebuilt/ (built on the CPU machine against the
# same torch version as this machine's, which MANIFEST records and this script checks), the
# configure and build parts are skipped: the copies run with the bundle's libraries and this
# machine's torch, CUDA runtime and NCCL on LD_LIBRARY_PATH. Otherwise everything is built here.
#
# $OUT receives at most 7 files: run.log (everything printed), summary.md, bench.jsonl,
# profile.jsonl, train_nccl.json and train_shared.json (the runs' summary.json) and logs.tar.gz
# (every part's log). ONLY="facts unpack build data profile" runs only the parts named. The
# bundle's libraries and MPI reach only Topiary's own processes (the `topiary_env` wrapper),
# never the Python peer. Every part records PASS/FAIL and the script goes on; exit
# status 1 if any part failed.
set -uo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
SMOKE=${GPU_CPU_SMOKE:-0}
[ "${1:-}" = --cpu-smoke ] && SMOKE=1
OUT=${OUT:-$SRC/gpu-run-out}
WORK=${WORK:-/tmp/topiary-gpu-run}
LOGS=$WORK/logs
rm -rf "$LOGS"
mkdir -p "$OUT" "$LOGS"
exec > >(tee "$OUT/run.log") 2>&1
PY=${PY:-python3}
BUILD=$WORK/build
JOBS=${JOBS:-$(nproc)}
START=$(date +%s)
declare -A STATUS
PARTS=(facts unpack configure build gpu_tests data train_nccl train_shared train_nonfinite bench profile)
ONLY=${ONLY:-}  # space-separated part names: run only these (the others are "skipped")
part() {  # name command...: runs a part, logs to $LOGS/<name>.log, records PASS/FAIL
  local name=$1
  shift
  if [ -n "$ONLY" ] && [[ " $ONLY " != *" $name "* ]]; then
    STATUS[$name]="skipped (ONLY)"
    return
  fi
  echo "=== $name ($(($(date +%s) - START)) s)"
  if "$@" >"$LOGS/$name.log" 2>&1; then STATUS[$name]=PASS; else STATUS[$name]="FAIL (rc $?)"; fi
  tail -n 12 "$LOGS/$name.log"
  echo "--- $name: ${STATUS[$name]}"
}

facts() {
  date -u +%Y-%m-%dT%H:%M:%SZ
  uname -a
  head -2 /etc/os-release || true
  ldd --version | head -1 || true
  nvidia-smi || echo "nvidia-smi: not available"
  nvcc --version || echo "nvcc: not available"
  cmake --version | head -1
  ninja --version || true
  "$PY" - <<'PYEOF'
import torch
print("torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available())
try:
    print("nccl", ".".join(map(str, torch.cuda.nccl.version())))
except Exception as e:  # CPU-only wheels have no NCCL
    print("nccl: n/a", e)
if torch.cuda.is_available():
    print("device", torch.cuda.get_device_name(0), torch.cuda.get_device_capability(0))
import torch.utils
print("cmake_prefix_path", torch.utils.cmake_prefix_path)
PYEOF
}

# Unpacks every .deb of the bundle into $PREFIX and makes the copies relocatable: .pc files name
# the new prefix; OpenMPI and PMIx find their plugins and helpers through OPAL_PREFIX and
# PMIX_MCA_mca_base_component_path (topiary_env).
PREFIX=$WORK/prefix
MULTIARCH=x86_64-linux-gnu
LIB=$PREFIX/usr/lib/$MULTIARCH
USE_BUNDLE=1
[ "$SMOKE" = 1 ] && [ "${BUNDLE_SMOKE:-0}" != 1 ] && USE_BUNDLE=0
unpack() {
  rm -rf "$PREFIX"
  mkdir -p "$PREFIX"
  local n=0
  for deb in "$SRC"/.bundle/*.deb; do
    [ -e "$deb" ] || continue
    dpkg -x "$deb" "$PREFIX"
    n=$((n + 1))
  done
  [ "$n" -gt 0 ] || { echo "no .deb in $SRC/.bundle: run bench/gpu/bundle.sh first"; return 1; }
  find "$PREFIX" -name '*.pc' -exec sed -i "s|^prefix=/usr|prefix=$PREFIX/usr|" {} +
  echo "unpacked $n packages into $PREFIX ($(du -sh "$PREFIX" | cut -f1))"
}

# Prebuilt binaries are used only when they were built against this machine's torch version.
PREBUILT=${PREBUILT:-$SRC/.prebuilt}
USE_PREBUILT=0
RUNTIME_LIBS=""
TORCH_VERSION=$("$PY" -c 'import torch; print(torch.__version__)' 2>/dev/null || echo none)
if [ -f "$PREBUILT/MANIFEST" ] && grep -qxF "torch $TORCH_VERSION" "$PREBUILT/MANIFEST"; then
  USE_PREBUILT=1
  # The prebuilt copies have no RUNPATH: this machine's torch, CUDA runtime and NCCL come from
  # the python that holds torch (its wheels) or the CUDA toolkit.
  site=$("$PY" -c 'import torch, os; print(os.path.dirname(os.path.dirname(torch.__file__)))')
  RUNTIME_LIBS=$site/torch/lib
  for soname in libcudart.so.13 libnccl.so.2; do
    found=$(find -L "$site/nvidia" /usr/local/cuda/lib64 /usr/local/cuda/lib -name "$soname" \
      2>/dev/null | head -1)
    [ -n "$found" ] && RUNTIME_LIBS=$RUNTIME_LIBS:$(dirname "$found")
  done
fi

# Runs a command with the bundle's libraries, MPI and PMIx (nothing else gets them).
topiary_env() {
  local libs=$RUNTIME_LIBS
  if [ "$USE_BUNDLE" = 1 ]; then
    libs=$LIB:$LIB/openmpi/lib:$LIB/hdf5/serial:$PREFIX/lib/$MULTIARCH${libs:+:$libs}
    env LD_LIBRARY_PATH="$libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
      OPAL_PREFIX="$PREFIX/usr" PMIX_MCA_mca_base_component_path="$LIB/pmix2/lib/pmix" \
      PATH="$PREFIX/usr/bin:$PATH" "$@"
  elif [ -n "$libs" ]; then
    env LD_LIBRARY_PATH="$libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$@"
  else
    "$@"
  fi
}
MPIRUN=mpirun
[ "$USE_BUNDLE" = 1 ] && MPIRUN=$PREFIX/usr/bin/orterun
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1

configure() {
  local torch_prefix nccl_root args=()
  torch_prefix=$("$PY" -c 'import torch.utils; print(torch.utils.cmake_prefix_path)')
  nccl_root=$("$PY" -c 'import nvidia.nccl, os; print(list(nvidia.nccl.__path__)[0])' 2>/dev/null ||
    true)
  echo "torch cmake prefix: $torch_prefix; nccl wheel: ${nccl_root:-none}"
  args=(-S "$SRC" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTOPIARY_PYTHON="$(command -v "$PY")"
    -DTorch_DIR="$torch_prefix/Torch" -DTOPIARY_DATA_DIR="$SRC/data")
  if [ -n "$nccl_root" ]; then
    args+=(-DNCCL_INCLUDE_DIR="$nccl_root/include" -DNCCL_LIBRARY="$(ls "$nccl_root"/lib/libnccl.so* | head -1)")
  fi
  if [ "$USE_BUNDLE" = 1 ]; then
    args+=(-DCMAKE_PREFIX_PATH="$PREFIX/usr;$LIB/cmake"
      -DPKG_CONFIG_EXECUTABLE="$PREFIX/usr/bin/pkgconf"
      -DHDF5_C_INCLUDE_DIR="$PREFIX/usr/include/hdf5/serial"
      -DHDF5_CXX_INCLUDE_DIR="$PREFIX/usr/include/hdf5/serial"
      -DHDF5_C_LIBRARY_hdf5="$LIB/hdf5/serial/libhdf5.so"
      -DHDF5_CXX_LIBRARY_hdf5="$LIB/hdf5/serial/libhdf5.so"
      -DHDF5_CXX_LIBRARY_hdf5_cpp="$LIB/hdf5/serial/libhdf5_cpp.so"
      -DMPI_C_COMPILER=NOTFOUND -DMPI_CXX_COMPILER=NOTFOUND
      -DMPI_C_HEADER_DIR="$LIB/openmpi/include" -DMPI_CXX_HEADER_DIR="$LIB/openmpi/include"
      # libmpi.so is an alternatives link (not in any .deb); the C++ test program needs the
      # C++ bindings too.
      -DMPI_C_LIB_NAMES=mpi -DMPI_CXX_LIB_NAMES="mpi_cxx;mpi" -DMPI_mpi_LIBRARY="$LIB/libmpi.so.40"
      -DMPI_mpi_cxx_LIBRARY="$LIB/libmpi_cxx.so.40"
      -DCMAKE_EXE_LINKER_FLAGS="-Wl,-rpath-link,$LIB -Wl,-rpath-link,$LIB/hdf5/serial")
    export PKG_CONFIG_PATH=$LIB/pkgconfig:$PREFIX/usr/share/pkgconfig
    export PKG_CONFIG_LIBDIR=$PKG_CONFIG_PATH
  fi
  topiary_env cmake "${args[@]}"
}

build() { topiary_env cmake --build "$BUILD" -j "$JOBS" --target topiary gpu_tests gpt_throughput; }
BIN_DIR=$BUILD/bin
[ "$USE_PREBUILT" = 1 ] && BIN_DIR=$PREBUILT/bin
BIN=$BIN_DIR/topiary
# Every library of the prebuilt copies resolves, and which file each one is.
check_prebuilt() {
  cat "$PREBUILT/MANIFEST"
  echo "LD_LIBRARY_PATH additions: $RUNTIME_LIBS"
  local missing=0 binary
  for binary in "$BIN_DIR"/*; do
    echo "== $binary"
    topiary_env ldd "$binary" | grep -vE "linux-vdso|ld-linux" | tee "$WORK/ldd.txt"
    if grep -q "not found" "$WORK/ldd.txt"; then missing=1; fi
  done
  return $missing
}
gpu_tests() {
  if [ "$USE_PREBUILT" = 1 ]; then
    topiary_env "$BIN_DIR/gpu_tests"
  else
    (cd "$BUILD" && topiary_env ctest -L gpu --output-on-failure --timeout 300)
  fi
}

data() {
  topiary_env "$BIN" --version
  topiary_env "$BIN" prepare --format tsv --input "$SRC/data/sst2/train.tsv" \
    --valid "$SRC/data/sst2/dev.tsv" --text-column sentence --label-column label \
    --output "$WORK/sst2.h5"
  topiary_env "$BIN" prepare --format text --tokenizer char \
    --input "$SRC/data/tinyshakespeare/input.txt" --output "$WORK/shakespeare.h5"
}

DEVICE=cuda
[ "$SMOKE" = 1 ] && DEVICE=cpu
RECIPE=$SRC/tests/data/recipes/tiny_layer.yaml  # 120 steps, layer-wise magnitude pruning to 70%
# train_run NAME NP COMM: `topiary train` of the pruning recipe on NP ranks, tensors over COMM.
train_run() {
  local name=$1 np=$2 comm=$3
  rm -rf "$WORK/$name"
  topiary_env "$MPIRUN" --bind-to none -np "$np" "$BIN" train --recipe "$RECIPE" \
    --output "$WORK/$name" --set data.path="$WORK/sst2.h5" --set training.device="$DEVICE" \
    --set training.comm="$comm" || return 1
  cp "$WORK/$name/summary.json" "$OUT/$name.json"
  grep -q "on $np rank(s)" "$LOGS/$name.log" || { echo "no banner for $np rank(s)"; return 1; }
  if [ "$DEVICE" = cuda ]; then
    grep -qE "\] on CUDA:" "$LOGS/$name.log" || { echo "the run was not on CUDA"; return 1; }
    grep -qE "ranks: 0@[^ ]+/cuda:0" "$LOGS/$name.log" || { echo "rank 0 not on cuda:0"; return 1; }
  fi
}
train_nccl() {
  local comm=nccl
  [ "$SMOKE" = 1 ] && comm=mpi
  train_run train_nccl 1 "$comm"
}
train_shared() { train_run train_shared 2 mpi; }
# A NaN loss injected at step 7 (TOPIARY_FAULT_NAN_LOSS_AT): the step's non-finite check on the
# device stops the run naming the first gradient, or (training.on_nonfinite: skip) skips
# exactly that step and ends with finite weights.
train_nonfinite() {
  local run=(--bind-to none -x TOPIARY_FAULT_NAN_LOSS_AT -np 1 "$BIN" train --recipe "$RECIPE"
    --set data.path="$WORK/sst2.h5" --set training.device="$DEVICE")
  export TOPIARY_FAULT_NAN_LOSS_AT=7
  rm -rf "$WORK/nonfinite_stop" "$WORK/nonfinite_skip"
  if topiary_env "$MPIRUN" "${run[@]}" --output "$WORK/nonfinite_stop" >"$WORK/stop.log" 2>&1; then
    unset TOPIARY_FAULT_NAN_LOSS_AT
    echo "a NaN loss did not stop the run"
    return 1
  fi
  cat "$WORK/stop.log"
  topiary_env "$MPIRUN" "${run[@]}" --set training.on_nonfinite=skip \
    --output "$WORK/nonfinite_skip" >"$WORK/skip.log" 2>&1
  local code=$?
  unset TOPIARY_FAULT_NAN_LOSS_AT
  cat "$WORK/skip.log"
  [ "$code" = 0 ] || return 1
  grep -q "step 7: non-finite gradient of 'embedding.weight' (loss on rank 0)" "$WORK/stop.log" ||
    { echo "the stop did not name the gradient"; return 1; }
  grep -q "step 7: non-finite .* skipped on every rank" "$WORK/skip.log" ||
    { echo "the skip was not reported"; return 1; }
  "$PY" -c 'import json, sys; s = json.load(open(sys.argv[1])); assert s["skipped_steps"] == 1, s
print("skipped steps:", s["skipped_steps"], "final accuracy:", s["final_accuracy"])' \
    "$WORK/nonfinite_skip/summary.json"
}

# GPT throughput: each (impl, sparsity) alternately, ROUNDS rounds; one JSON line per run.
bench() {
  local rounds=${ROUNDS:-2} size=() vocab
  if [ "$SMOKE" = 1 ]; then
    size=(--layers 2 --width 64 --heads 4 --ffn 256 --context 64 --batch 4
      --steps "${STEPS:-4}" --warmup 1 --threads 2)
  else  # GPT-2 small's blocks (12 x 768, FFN 3072), 8 x 1024 tokens per step
    size=(--layers 12 --width 768 --heads 12 --ffn 3072 --context 1024 --batch 8
      --steps "${STEPS:-20}" --warmup 5)
  fi
  : >"$WORK/bench.jsonl"
  local ok=0 sparsity round line
  for round in $(seq "$rounds"); do
    for sparsity in 0 0.9; do
      line=$(topiary_env "$BIN_DIR/gpt_throughput" --data "$WORK/shakespeare.h5" \
        --device "$DEVICE" --sparsity "$sparsity" "${size[@]}" 2>>"$LOGS/bench.err") || ok=1
      echo "$line" | grep '^{' >>"$WORK/bench.jsonl"
      vocab=$(echo "$line" | sed -n 's/.*"vocab": \([0-9]*\).*/\1/p')
      "$PY" "$SRC/bench/peers/gpt_peer.py" --device "$DEVICE" --sparsity "$sparsity" \
        --vocab "${vocab:-65}" "${size[@]}" >>"$WORK/bench.jsonl" 2>>"$LOGS/bench.err" || ok=1
    done
  done
  cat "$WORK/bench.jsonl"
  cp "$WORK/bench.jsonl" "$OUT/bench.jsonl"
  return $ok
}

# Where the step's time goes: both sides once more, dense, with --profile (the device
# synchronised at every phase boundary, so the steps are slower than in `bench`).
profile() {
  local size=() vocab line ok=0
  if [ "$SMOKE" = 1 ]; then
    size=(--layers 2 --width 64 --heads 4 --ffn 256 --context 64 --batch 4 --steps "${STEPS:-4}"
      --warmup 1 --threads 2)
  else
    size=(--layers 12 --width 768 --heads 12 --ffn 3072 --context 1024 --batch 8
      --steps "${STEPS:-20}" --warmup 5)
  fi
  : >"$WORK/profile.jsonl"
  line=$(topiary_env "$BIN_DIR/gpt_throughput" --data "$WORK/shakespeare.h5" --device "$DEVICE" \
    --sparsity 0 --profile "${size[@]}" 2>>"$LOGS/profile.err") || ok=1
  echo "$line" | grep '^{' >>"$WORK/profile.jsonl"
  vocab=$(echo "$line" | sed -n 's/.*"vocab": \([0-9]*\).*/\1/p')
  "$PY" "$SRC/bench/peers/gpt_peer.py" --device "$DEVICE" --sparsity 0 --vocab "${vocab:-65}" \
    --profile "${size[@]}" >>"$WORK/profile.jsonl" 2>>"$LOGS/profile.err" || ok=1
  cat "$WORK/profile.jsonl"
  cp "$WORK/profile.jsonl" "$OUT/profile.jsonl"
  return $ok
}

profile_table() {
  [ -s "$WORK/profile.jsonl" ] || return 0
  "$PY" - "$WORK/profile.jsonl" <<'PYEOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip().startswith("{")]
names = []
for r in rows:
    names += [n for n in r.get("phases_ms", {}) if n not in names]
print("| impl (dense, --profile) | step ms | " + " | ".join(names) + " |")
print("|---|---|" + "---|" * len(names))
for r in rows:
    p = r.get("phases_ms", {})
    cells = [f"{p[n]:.2f}" if n in p else "" for n in names]
    print(f"| {r['impl']} | {r['step_ms']:.2f} | " + " | ".join(cells) + " |")
PYEOF
}

table() {
  "$PY" - "$WORK/bench.jsonl" <<'PYEOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip().startswith("{")]
if not rows:
    print("no throughput results"); sys.exit(0)
def med(impl, dense):
    v = [r for r in rows if r["impl"] == impl and (r["sparsity"] < 0.05) == dense]
    return (statistics.median(r["tokens_per_s"] for r in v), v[0]) if v else (None, None)
print("| config | impl | tokens/s (median) | MFU vs 989 TFLOP/s | Topiary / PyTorch |")
print("|---|---|---|---|---|")
for dense in (True, False):
    t, tr = med("topiary", dense)
    p, pr = med("pytorch", dense)
    label = "dense" if dense else "90% masked"
    for name, v, r in (("topiary trainer", t, tr), ("pytorch eager", p, pr)):
        if v is None:
            print(f"| {label} | {name} | FAIL | | |"); continue
        mfu = 6 * r["params"] * v / 989e12
        ratio = f"{t / p:.2f}x" if (name == "topiary trainer" and t and p) else ""
        print(f"| {label} | {name} ({r['device']}, {r['optimizer']}) | {v:,.0f} | {100 * mfu:.1f}% | {ratio} |")
r = rows[0]
print(f"model: GPT {r['layers']} layers, width {r['width']}, {r['params']:,} params; "
      f"{r['batch']} x {r['context']} tokens/step; MFU = 6 * params * tokens/s / 989e12")
PYEOF
}

part facts facts
if [ "$USE_BUNDLE" = 1 ]; then part unpack unpack; else STATUS[unpack]="skipped (--cpu-smoke: system packages)"; fi
if [ "$USE_PREBUILT" = 1 ]; then
  STATUS[configure]="skipped (prebuilt for torch $TORCH_VERSION)"
  part build check_prebuilt
else
  part configure configure
  part build build
fi
part gpu_tests gpu_tests
part data data
part train_nccl train_nccl
part train_shared train_shared
part train_nonfinite train_nonfinite
part bench bench
part profile profile
{
  echo "# GPU validation run"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), $(($(date +%s) - START)) s; device: $DEVICE"
  echo
  echo "| part | result |"
  echo "|---|---|"
  for name in "${PARTS[@]}"; do echo "| $name | ${STATUS[$name]:-not run} |"; done
  echo
  grep -E "tests passed|tests failed|Skipped|\*\*\*|Failed|PASSED|FAILED|SKIPPED" "$LOGS/gpu_tests.log" 2>/dev/null | tail -12 | sed 's/^/    /'
  echo
  table
  echo
  profile_table
} >"$OUT/summary.md" 2>&1
cat "$OUT/summary.md"
tar -C "$WORK" -czf "$OUT/logs.tar.gz" logs
failed=0
for name in "${PARTS[@]}"; do
  case "${STATUS[$name]:-}" in FAIL*) failed=1 ;; esac
done
exit $failed
