#!/usr/bin/env bash
# The GPU validation run, in one script (<= 8 minutes on one H200):
#   facts (nvidia-smi, nvcc, torch/CUDA/NCCL versions) -> unpack .bundle/*.deb (bench/gpu/bundle.sh)
#   into a prefix -> configure against the machine's torch and the nvidia-nccl-cu13 wheel -> build
#   topiary, gpu_tests, gpt_throughput -> `ctest -L gpu` -> GPT throughput, Topiary
#   (bench/gpu/gpt_throughput) vs PyTorch eager (bench/peers/gpt_peer.py), dense and 90% masked,
#   alternately -> a short table, last.
#
#   bench/gpu/run.sh              # on the GPU machine; logs under $OUT (default ./gpu-run-out)
#   bench/gpu/run.sh --cpu-smoke  # here: tiny model on the CPU, no bundle unless BUNDLE_SMOKE=1
#   env: PY (python with torch, default python3), BUILD (build dir), JOBS, STEPS, ROUNDS
#
# Every part records PASS/FAIL and the script goes on to the table; exit status 1 if any failed.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
SMOKE=${GPU_CPU_SMOKE:-0}
[ "${1:-}" = --cpu-smoke ] && SMOKE=1
OUT=${OUT:-$SRC/gpu-run-out}
mkdir -p "$OUT"
exec > >(tee "$OUT/run.log") 2>&1
PY=${PY:-python3}
BUILD=${BUILD:-$SRC/build-gpurun}
JOBS=${JOBS:-$(nproc)}
START=$(date +%s)
declare -A STATUS
part() {  # name command...: runs a part, logs to $OUT/<name>.log, records PASS/FAIL
  local name=$1
  shift
  echo "=== $name ($(($(date +%s) - START)) s)"
  if "$@" >"$OUT/$name.log" 2>&1; then STATUS[$name]=PASS; else STATUS[$name]="FAIL (rc $?)"; fi
  tail -n 15 "$OUT/$name.log"
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
# the new prefix, and the Debian alternatives (not in any .deb) get their links.
PREFIX=$OUT/prefix
MULTIARCH=x86_64-linux-gnu
unpack() {
  rm -rf "$PREFIX"
  mkdir -p "$PREFIX"
  local n=0
  for deb in "$SRC"/.bundle/*.deb; do
    dpkg -x "$deb" "$PREFIX"
    n=$((n + 1))
  done
  [ "$n" -gt 0 ] || { echo "no .deb in $SRC/.bundle: run bench/gpu/bundle.sh first"; return 1; }
  find "$PREFIX" -name '*.pc' -exec sed -i "s|^prefix=/usr|prefix=$PREFIX/usr|" {} +
  echo "unpacked $n packages into $PREFIX ($(du -sh "$PREFIX" | cut -f1))"
}

configure() {
  local torch_prefix nccl_root args=()
  torch_prefix=$("$PY" -c 'import torch.utils; print(torch.utils.cmake_prefix_path)')
  nccl_root=$("$PY" -c 'import nvidia.nccl, os; print(list(nvidia.nccl.__path__)[0])' 2>/dev/null ||
    true)
  echo "torch cmake prefix: $torch_prefix; nccl wheel: ${nccl_root:-none}"
  args=(-S "$SRC" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTOPIARY_PYTHON="$(command -v "$PY")"
    -DTorch_DIR="$torch_prefix/Torch")
  if [ -n "$nccl_root" ]; then
    args+=(-DNCCL_INCLUDE_DIR="$nccl_root/include" -DNCCL_LIBRARY="$(ls "$nccl_root"/lib/libnccl.so* | head -1)")
  fi
  if [ -d "$PREFIX/usr" ]; then
    local lib=$PREFIX/usr/lib/$MULTIARCH
    args+=(-DCMAKE_PREFIX_PATH="$PREFIX/usr;$lib/cmake"
      -DPKG_CONFIG_EXECUTABLE="$PREFIX/usr/bin/pkgconf"
      -DHDF5_C_INCLUDE_DIR="$PREFIX/usr/include/hdf5/serial"
      -DHDF5_CXX_INCLUDE_DIR="$PREFIX/usr/include/hdf5/serial"
      -DHDF5_C_LIBRARY_hdf5="$lib/hdf5/serial/libhdf5.so"
      -DHDF5_CXX_LIBRARY_hdf5="$lib/hdf5/serial/libhdf5.so"
      -DHDF5_CXX_LIBRARY_hdf5_cpp="$lib/hdf5/serial/libhdf5_cpp.so"
      -DMPI_C_COMPILER=NOTFOUND -DMPI_CXX_COMPILER=NOTFOUND
      -DMPI_C_HEADER_DIR="$lib/openmpi/include" -DMPI_CXX_HEADER_DIR="$lib/openmpi/include"
      -DMPI_C_LIB_NAMES=mpi -DMPI_CXX_LIB_NAMES=mpi -DMPI_mpi_LIBRARY="$lib/libmpi.so.40"  # libmpi.so is an alternatives link
      -DCMAKE_EXE_LINKER_FLAGS="-Wl,-rpath-link,$lib -Wl,-rpath-link,$lib/hdf5/serial")
    export PKG_CONFIG_PATH=$lib/pkgconfig:$PREFIX/usr/share/pkgconfig
    export PKG_CONFIG_LIBDIR=$PKG_CONFIG_PATH
  fi
  cmake "${args[@]}"
}

build() { cmake --build "$BUILD" -j "$JOBS" --target topiary gpu_tests gpt_throughput; }
gpu_tests() { (cd "$BUILD" && ctest -L gpu --output-on-failure --timeout 300); }

# GPT throughput: each (impl, sparsity) alternately, ROUNDS rounds; one JSON line per run.
bench() {
  local rounds=${ROUNDS:-2} dev=cuda size=()
  if [ "$SMOKE" = 1 ]; then
    dev=cpu
    size=(--layers 2 --width 64 --heads 4 --ffn 256 --vocab 512 --context 64 --batch 4
      --steps "${STEPS:-4}" --warmup 1 --threads 2)
  else  # GPT-2 small shape (124M params with the 50304 vocabulary), 8 x 1024 tokens per step
    size=(--layers 12 --width 768 --heads 12 --ffn 3072 --vocab 50304 --context 1024 --batch 8
      --steps "${STEPS:-30}" --warmup 5)
  fi
  : >"$OUT/bench.jsonl"
  local ok=0 sparsity round
  for round in $(seq "$rounds"); do
    for sparsity in 0 0.9; do
      if "$BUILD/bin/gpt_throughput" --device "$dev" --sparsity "$sparsity" "${size[@]}" \
        >>"$OUT/bench.jsonl" 2>>"$OUT/bench.err"; then :; else
        echo "gpt_throughput (topiary optimizer) failed at sparsity $sparsity; retrying with --optimizer libtorch" >>"$OUT/bench.err"
        "$BUILD/bin/gpt_throughput" --device "$dev" --sparsity "$sparsity" --optimizer libtorch \
          "${size[@]}" >>"$OUT/bench.jsonl" 2>>"$OUT/bench.err" || ok=1
      fi
      "$PY" "$SRC/bench/peers/gpt_peer.py" --device "$dev" --sparsity "$sparsity" "${size[@]}" \
        >>"$OUT/bench.jsonl" 2>>"$OUT/bench.err" || ok=1
    done
  done
  cat "$OUT/bench.jsonl"
  return $ok
}

table() {
  "$PY" - "$OUT/bench.jsonl" <<'PYEOF'
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
    for name, v, r in (("topiary", t, tr), ("pytorch eager", p, pr)):
        if v is None:
            print(f"| {label} | {name} | FAIL | | |"); continue
        mfu = 6 * r["params"] * v / 989e12
        ratio = f"{t / p:.2f}x" if (name == "topiary" and t and p) else ""
        print(f"| {label} | {name} ({r['device']}, {r['optimizer']}) | {v:,.0f} | {100 * mfu:.1f}% | {ratio} |")
r = rows[0]
print(f"model: GPT {r['layers']} layers, width {r['width']}, {r['params']:,} params; "
      f"{r['batch']} x {r['context']} tokens/step; MFU = 6 * params * tokens/s / 989e12")
PYEOF
}

part facts facts
if [ "$SMOKE" = 1 ] && [ "${BUNDLE_SMOKE:-0}" != 1 ]; then
  STATUS[unpack]="skipped (--cpu-smoke: system packages)"
else
  part unpack unpack
  export LD_LIBRARY_PATH=$PREFIX/usr/lib/$MULTIARCH:$PREFIX/usr/lib/$MULTIARCH/hdf5/serial${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
fi
part configure configure
part build build
part gpu_tests gpu_tests
part bench bench
echo
echo "=== summary ($(($(date +%s) - START)) s, logs in $OUT)"
failed=0
for name in facts unpack configure build gpu_tests bench; do
  echo "$name: ${STATUS[$name]:-not run}"
  case "${STATUS[$name]:-}" in FAIL*) failed=1 ;; esac
done
grep -E "tests passed|tests failed|Skipped|\*\*\*" "$OUT/gpu_tests.log" 2>/dev/null | tail -8 || true
table || true
exit $failed
