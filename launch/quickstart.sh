#!/usr/bin/env bash
# The main job: set up and build, prepare the default dataset (Debian's fortunes topic corpus),
# train + prune TextCNN with recipes/quickstart.yaml on 2 MPI ranks, and print the result.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
./launch/setup.sh
bin=build/bin/topiary
run=runs/quickstart
mkdir -p "$run"
echo "[quickstart] preparing the fortunes topic corpus"
"$bin" prepare --format dir --input /usr/share/games/fortunes --exclude '*.dat' --exclude '*.u8' \
  --min-records 600 --valid-fraction 0.1 --seed 1 --output "$run/fortunes.h5"
echo "[quickstart] training and pruning on 2 ranks"
./launch/topiary-mpirun -np 2 topiary train --recipe recipes/quickstart.yaml --output "$run"
.venv/bin/python launch/quickstart_summary.py "$run/summary.json"
