#!/usr/bin/env bash
# Installs what Topiary needs (idempotent), then configures and builds into build/.
#  - Debian packages, when missing (needs root or sudo).
#  - A Python environment with the pinned torch wheel (its bundled LibTorch is our C++ LibTorch),
#    kept outside the clone, keyed by version, and linked as .venv.
#  - ccache with its cache outside the clone; Debian's hardening-check script beside it.
# Environment: TOPIARY_CACHE (default ~/.cache/topiary), TOPIARY_BUILD_DIR (default build),
# TOPIARY_JOBS (default 2), TOPIARY_SKIP_BUILD=1 to only install, TOPIARY_BUILD_BENCHMARKS=1 to
# also compile the benchmark programs (launch/test.sh does, so that they cannot rot),
# TOPIARY_SETUP_PACKAGES=build to install only what the build needs (the container image's build
# stage), TOPIARY_BUILD_TARGETS="topiary ..." to build only those targets.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

TORCH_VERSION=2.11.0
PY_PACKAGES=(numpy h5py matplotlib sentencepiece tokenizers transformers safetensors lizard
  "cyclonedx-python-lib[json-validation]" kubernetes-validate)
cache="${TOPIARY_CACHE:-$HOME/.cache/topiary}"
build_dir="${TOPIARY_BUILD_DIR:-build}"
jobs="${TOPIARY_JOBS:-2}"
mkdir -p "$cache"

log() { printf '[setup] %s\n' "$*"; }

apt_packages=(build-essential cmake ninja-build ccache pkg-config python3-venv
  libopenmpi-dev openmpi-bin libyaml-cpp-dev libhdf5-dev libgtest-dev libgmock-dev
  libbenchmark-dev libcli11-dev nlohmann-json3-dev libfmt-dev libspdlog-dev
  libsentencepiece-dev libicu-dev libssl-dev)
# What the tests and the quickstart use besides the build (not needed to build an image).
[ "${TOPIARY_SETUP_PACKAGES:-all}" = build ] || apt_packages+=(fortunes slurm-wlm iproute2 clang
  libclang-rt-14-dev cppcheck clang-tidy podman runc debootstrap netavark aardvark-dns iptables)
sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing Debian packages: ${missing[*]}"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

# Debian's hardening-check, for tests/security/hardening.sh: the script alone from the devscripts
# package (installing devscripts would pull in dozens of Perl packages; the script needs only perl).
hardening_check="$cache/tools/hardening-check"
if [ ! -x "$hardening_check" ]; then
  log "fetching hardening-check from Debian's devscripts package"
  unpack="$(mktemp -d)"
  (cd "$unpack" && { apt-get download -q devscripts >/dev/null 2>&1 ||
    { $sudo_cmd apt-get update -qq && apt-get download -q devscripts >/dev/null 2>&1; }; } &&
    dpkg -x devscripts_*.deb x) || { log "could not fetch devscripts"; exit 1; }
  mkdir -p "$cache/tools"
  install -m 0755 "$unpack/x/usr/bin/hardening-check" "$hardening_check"
  rm -rf "$unpack"
fi

python_bin="${TOPIARY_BOOTSTRAP_PYTHON:-python3}"
py_tag="$($python_bin -c 'import sys; print(f"py{sys.version_info[0]}{sys.version_info[1]}")')"
venv="$cache/venv-torch-$TORCH_VERSION-$py_tag"
if ! "$venv/bin/python" -c "import torch, h5py, numpy, matplotlib; assert torch.__version__.startswith('$TORCH_VERSION')" 2>/dev/null; then
  log "creating $venv with torch==$TORCH_VERSION (first time only: a few GB)"
  rm -rf "$venv"
  "$python_bin" -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip
  "$venv/bin/pip" install -q "torch==$TORCH_VERSION" "${PY_PACKAGES[@]}"
fi
# Packages added after a cached venv was made: install them into it (no torch re-download).
if ! "$venv/bin/python" -c "import h5py, numpy, matplotlib, sentencepiece, tokenizers, transformers, safetensors, lizard, cyclonedx, jsonschema, kubernetes_validate" 2>/dev/null; then
  log "adding ${PY_PACKAGES[*]} to $venv"
  "$venv/bin/pip" install -q "${PY_PACKAGES[@]}"
fi
if [ "$(readlink .venv 2>/dev/null)" != "$venv" ]; then
  rm -rf .venv
  ln -s "$venv" .venv
fi
./launch/fetch_pretrained.sh "$venv/bin/python" "$cache"

export CCACHE_DIR="${CCACHE_DIR:-$cache/ccache}"
export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-5G}"
# Paths under the clone are hashed relative to it, so a fresh clone elsewhere (CI) hits the cache.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$root}" CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-true}"
[ "${TOPIARY_SKIP_BUILD:-0}" = 1 ] && exit 0

log "configuring $build_dir"
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DTOPIARY_PYTHON="$root/.venv/bin/python" -DTOPIARY_HARDENING_CHECK="$hardening_check" \
  ${TOPIARY_CMAKE_ARGS:-} >"$cache/cmake-configure.log" 2>&1 ||
  { cat "$cache/cmake-configure.log"; exit 1; }
grep -E "NCCL communicator" "$cache/cmake-configure.log" | sed 's/^-- /[setup] /' || true
log "building with -j$jobs"
# shellcheck disable=SC2086
cmake --build "$build_dir" -j "$jobs" ${TOPIARY_BUILD_TARGETS:+--target $TOPIARY_BUILD_TARGETS}
log "built $build_dir/bin/topiary"
if [ "${TOPIARY_BUILD_BENCHMARKS:-0}" = 1 ]; then
  log "compiling the benchmark programs"
  cmake --build "$build_dir" -j "$jobs" --target benchmarks
fi
