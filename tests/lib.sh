# Shared helpers for script tests (sourced). Every test gets a fresh scratch directory.
set -euo pipefail
SRC="${TOPIARY_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
BIN="${TOPIARY_BIN:-$SRC/build/bin/topiary}"
DATA="${TOPIARY_DATA_DIR:-$SRC/data}"
# The real datasets ship in the repository's data/: without them a test fails here, saying
# where it looked, instead of skipping.
for dataset in sst2 tinyshakespeare wikitext2 ptb; do
  [ -d "$DATA/$dataset" ] || {
    echo "FAIL: dataset folder missing: $DATA/$dataset (the repository's data/, or TOPIARY_DATA_DIR when set)" >&2
    exit 1
  }
done
PY="$SRC/.venv/bin/python"
# The pretrained MiniLM (BERT) that launch/fetch_pretrained.sh installs; a test that needs it
# calls need_pretrained, which fails (not skips) when setup has not installed it.
PRETRAINED="${TOPIARY_PRETRAINED_DIR:-$SRC/.pretrained/all-minilm-l6-v2}"
need_pretrained() {
  [ -f "$PRETRAINED/model.safetensors" ] ||
    fail "pretrained model missing: $PRETRAINED (launch/setup.sh installs it)"
}
WORK="$(mktemp -d "${TMPDIR:-/tmp}/topiary-test.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMP_NUM_THREADS=1

fail() { echo "FAIL: $*" >&2; exit 1; }
mpi() { local n=$1; shift; mpirun --bind-to none -np "$n" "$BIN" "$@"; }

# prepare_sst2 [extra prepare flags]: SST-2 train/dev -> $WORK/sst2.h5
prepare_sst2() {
  "$BIN" prepare --format tsv --input "$DATA/sst2/train.tsv" --valid "$DATA/sst2/dev.tsv" \
    --text-column sentence --label-column label --output "$WORK/sst2.h5" "$@" >/dev/null
}

# expect_user_error "<expected substring>" cmd...: exit code 2 and one error line naming it.
expect_user_error() {
  local expected="$1"; shift
  set +e
  "$@" >"$WORK/out.txt" 2>"$WORK/err.txt"
  local code=$?
  set -e
  [ "$code" -eq 2 ] || { cat "$WORK/err.txt"; fail "expected exit 2, got $code: $*"; }
  grep -qF -- "$expected" "$WORK/err.txt" || { cat "$WORK/err.txt"; fail "error does not mention '$expected'"; }
  # One message from topiary (under mpirun, mpirun adds its own banner after it).
  [ "$(grep -c '^topiary: ' "$WORK/err.txt")" -le 1 ] || { cat "$WORK/err.txt"; fail "more than one error line: $*"; }
  [ "$1" = mpirun ] || [ "$1" = mpi ] || [ "$(grep -c . "$WORK/err.txt")" -le 2 ] || { cat "$WORK/err.txt"; fail "error is not short: $*"; }
  echo "ok: $(head -1 "$WORK/err.txt")"
}
