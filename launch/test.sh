#!/usr/bin/env bash
# Sets up and builds, then runs the whole CPU test suite (unit, mpi, e2e, slurm, ... labels).
# The benchmark programs are compiled too (not run), so that they cannot rot.
# Extra arguments go to ctest, e.g. `./launch/test.sh -L unit`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
TOPIARY_BUILD_BENCHMARKS=1 ./launch/setup.sh
build_dir="${TOPIARY_BUILD_DIR:-build}"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
ctest --test-dir "$build_dir" --output-on-failure -j "${TOPIARY_JOBS:-2}" "$@"
