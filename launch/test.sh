#!/usr/bin/env bash
# Sets up and builds, then runs the whole CPU test suite (unit, mpi, e2e, slurm, ... labels).
# Extra arguments go to ctest, e.g. `./launch/test.sh -L unit`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
./launch/setup.sh
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
ctest --test-dir build --output-on-failure -j "${TOPIARY_JOBS:-2}" "$@"
