#!/usr/bin/env bash
# Global magnitude threshold over 100M fp32 values: Topiary's selection routine
# (prune::kth_smallest_score, what scope: global pruning uses; build/bin/threshold_bench) against
# torch.kthvalue on the same values, and both against one streaming pass (Topiary's abs-max
# pass, and torch.sum). One thread each; Topiary and torch alternate, ROUNDS times.
#
#   bench/threshold/run.sh [build dir]     # env: PY, WORK, COUNT (100000000), ROUNDS (3), SPARSITY (0.9)
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$SRC/build}
PY=${PY:-$SRC/.venv/bin/python}
WORK=${WORK:-$(mktemp -d /tmp/topiary-threshold.XXXXXX)}
COUNT=${COUNT:-100000000}
ROUNDS=${ROUNDS:-3}
SPARSITY=${SPARSITY:-0.9}
mkdir -p "$WORK"
values=$WORK/values.f32
# |N(0,1)| magnitudes, like the scores of a magnitude pruner.
[[ -f $values ]] || "$PY" -c 'import numpy as np, sys
np.abs(np.random.default_rng(0).standard_normal(int(sys.argv[1]), dtype=np.float32)).tofile(sys.argv[2])' \
  "$COUNT" "$values"
results=$WORK/threshold.jsonl
: > "$results"
for r in $(seq 1 "$ROUNDS"); do
  "$BUILD/bin/threshold_bench" "$values" --sparsity "$SPARSITY" --repeats 3 | tee -a "$results" >&2
  "$PY" - "$values" "$SPARSITY" <<'PYEOF' | tee -a "$results" >&2
import json, sys, time
import numpy as np
import torch
torch.set_num_threads(1)
x = torch.from_numpy(np.fromfile(sys.argv[1], dtype=np.float32))
k = int(round(float(sys.argv[2]) * x.numel()))
kth, total = [], []
for _ in range(3):
    t = time.perf_counter(); value = torch.kthvalue(x, k).values.item(); kth.append(time.perf_counter() - t)
    t = time.perf_counter(); x.sum().item(); total.append(time.perf_counter() - t)
print(json.dumps({"torch": torch.__version__, "kthvalue_seconds": sorted(kth)[1],
                  "sum_seconds": sorted(total)[1], "kthvalue": value}))
PYEOF
done
"$PY" "$SRC/bench/threshold/table.py" "$results"
