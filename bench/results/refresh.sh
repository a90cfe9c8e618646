#!/usr/bin/env bash
# Re-runs benchmarks and replaces their raw outputs under bench/results/<section>/, with a
# provenance.md (command, commit, date, machine) and a params.env that tables.sh reads:
#
#   bench/results/refresh.sh SECTION...   # quickstart quality comm_dtype peers peers_bert scaling comm threshold export data
#
# Environment: BIN (build/bin/topiary), BUILD (build), SEEDS ("1 2 3"), QUALITY_CONFIGS, QUALITY_WORK,
# PEERS_STEPS/PEERS_ROUNDS, PEERS_BERT_STEPS/PEERS_BERT_ROUNDS, SCALING_STEPS/SCALING_ROUNDS. Timing benches want a quiet machine:
# run one section at a time. Paths in copied files are made relative to the repository.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
cd "$src"
BUILD=${BUILD:-build}
BIN=${BIN:-$BUILD/bin/topiary}
SEEDS=${SEEDS:-"1 2 3"}
QUALITY_CONFIGS=${QUALITY_CONFIGS:-"cnn_dense cnn_gmp_global_90 cnn_gmp_global_90_ed cnn_random_90_ed cnn_gmp_layer_90"}
scratch=$(mktemp -d "${TMPDIR:-/tmp}/topiary-refresh.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

provenance() {  # section command...
  local dir=$here/$1; shift
  {
    echo "# Provenance of bench/results/$(basename "$dir")"
    echo
    echo "- command: \`$*\`"
    echo "- commit: $(git rev-parse --short=12 HEAD)$(git diff --quiet HEAD -- framework bench launch recipes ':!bench/results' || echo ' (with uncommitted changes)')"
    echo "- date (UTC): $(date -u +%F' '%H:%M)"
    echo "- machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), no GPU"
    echo "- load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- \`$BIN --version\`:"
    "$BIN" --version | sed 's/^/    /'
  } >"$dir/provenance.md"
}
relative_paths() {  # the repository and every bench's scratch folder
  sed -i -E -e "s#$src/##g" -e "s#$scratch/#WORK/#g" -e "s#${QUALITY_WORK:-$scratch}/#WORK/#g" \
    -e "s#${TMPDIR:-/tmp}/topiary-[A-Za-z-]+\.[A-Za-z0-9]+/#WORK/#g" "$@"
}

for section in "$@"; do
  dir=$here/$section
  rm -rf "$dir"
  mkdir -p "$dir"
  echo "== $section ($(date -u +%H:%M))" >&2
  case $section in
    quickstart)
      ./launch/quickstart.sh
      cp runs/quickstart/summary.json "$dir/"
      provenance "$section" ./launch/quickstart.sh ;;
    quality)
      # QUALITY_WORK: a folder where bench/quality/run.sh already ran (e.g. two invocations in
      # parallel): its finished runs are skipped and collected.
      work=${QUALITY_WORK:-$scratch/quality}
      # shellcheck disable=SC2086
      BIN=$BIN WORK=$work SEEDS=$SEEDS bench/quality/run.sh $QUALITY_CONFIGS
      for run in "$work"/*/s*/; do
        [[ -f $run/summary.json ]] || continue
        rel=${run#"$work/"}
        mkdir -p "$dir/$rel"
        cp "$run"/{summary.json,inspect.txt,command.sh} "$dir/$rel"
      done
      relative_paths "$dir"/*/s*/*
      provenance "$section" "SEEDS=\"$SEEDS\" bench/quality/run.sh $QUALITY_CONFIGS" ;;
    peers)
      N=${PEERS_STEPS:-100} ROUNDS=${PEERS_ROUNDS:-5}
      BIN=$BIN WORK=$scratch/peers STEPS=$N ROUNDS=$ROUNDS bench/peers/run.sh
      cp "$scratch/peers/results.tsv" "$dir/"
      echo "N=$N" >"$dir/params.env"
      provenance "$section" "STEPS=$N ROUNDS=$ROUNDS bench/peers/run.sh" ;;
    peers_bert)
      N=${PEERS_BERT_STEPS:-20} ROUNDS=${PEERS_BERT_ROUNDS:-3}
      BIN=$BIN WORK=$scratch/peers_bert STEPS=$N ROUNDS=$ROUNDS bench/peers/bert.sh
      cp "$scratch/peers_bert/"{results.tsv,peer.jsonl} "$dir/"
      echo "N=$N" >"$dir/params.env"
      provenance "$section" "STEPS=$N ROUNDS=$ROUNDS bench/peers/bert.sh" ;;
    scaling)
      N=${SCALING_STEPS:-100} ROUNDS=${SCALING_ROUNDS:-5}
      BIN=$BIN WORK=$scratch/scaling STEPS=$N ROUNDS=$ROUNDS MODE=masked bench/peers/scaling.sh
      cp "$scratch/scaling/"{scaling.tsv,padding.txt} "$dir/"
      printf 'N=%s\nMODE=masked\n' "$N" >"$dir/params.env"
      provenance "$section" "STEPS=$N ROUNDS=$ROUNDS MODE=masked bench/peers/scaling.sh" ;;
    comm_dtype)
      BIN=$BIN WORK=$scratch/comm_dtype SEEDS=$SEEDS bench/quality/comm_dtype.sh
      cp "$scratch/comm_dtype/comm_dtype.tsv" "$dir/"
      provenance "$section" "SEEDS=\"$SEEDS\" bench/quality/comm_dtype.sh" ;;
    comm)
      cmake --build "$BUILD" --target comm_bench >/dev/null
      OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
        mpirun --bind-to none -np 2 "$BUILD/bin/comm_bench" | tee "$dir/comm.txt"
      provenance "$section" "mpirun --bind-to none -np 2 $BUILD/bin/comm_bench" ;;
    threshold)
      WORK=$scratch/threshold bench/threshold/run.sh "$BUILD"
      cp "$scratch/threshold/threshold.jsonl" "$dir/"
      provenance "$section" "bench/threshold/run.sh $BUILD" ;;
    export)
      bench/export/run.sh "$BUILD" | tee "$dir/export.txt"
      relative_paths "$dir/export.txt"
      provenance "$section" "bench/export/run.sh $BUILD" ;;
    data)
      WORK=$scratch/data bench/data/run.sh "$BUILD" | tee "$dir/data.txt"
      WORK=$scratch/hf bench/data/hf_compare.sh "$BUILD" | tee "$dir/hf_compare.txt"
      relative_paths "$dir/data.txt" "$dir/hf_compare.txt"
      provenance "$section" "bench/data/run.sh $BUILD; bench/data/hf_compare.sh $BUILD" ;;
    *) echo "refresh.sh: unknown section '$section'" >&2; exit 2 ;;
  esac
done
