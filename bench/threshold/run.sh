#!/usr/bin/env bash
# Global magnitude threshold over 100M fp32 values (issue 9): Topiary's selection routine
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
"$PY" - "$results" <<'PYEOF'
import json, statistics, struct, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
ours = [r for r in rows if "threshold_seconds" in r]
torch_rows = [r for r in rows if "kthvalue_seconds" in r]
f32 = lambda x: struct.pack("f", x)  # both are float32 values printed as decimals
assert all(f32(a["threshold"]) == f32(b["kthvalue"]) for a, b in zip(ours, torch_rows)), "thresholds differ"
med = statistics.median
print(f"\n{ours[0]['values']:,} fp32 values in {ours[0]['tensors']} tensors, k = {ours[0]['k']:,}, "
      f"1 thread, {len(ours)} rounds (each the median of 3 repeats); thresholds equal: {ours[0]['threshold']}")
for name, key, rs in [("Topiary streaming pass (abs-max)", "stream_seconds", ours),
                      ("torch.sum (streaming pass)", "sum_seconds", torch_rows),
                      ("Topiary threshold (kth_smallest_score)", "threshold_seconds", ours),
                      ("Topiary select_global (threshold + masks)", "select_seconds", ours),
                      ("torch.kthvalue", "kthvalue_seconds", torch_rows)]:
    xs = [r[key] for r in rs]
    print(f"{name:<44}{med(xs) * 1e3:>9.1f} ms   " + " ".join(f"{x * 1e3:.1f}" for x in xs))
print()
def ratio(name, xs, goal):
    print(f"{name:<44}{med(xs):>9.2f}      " + " ".join(f"{x:.2f}" for x in xs) + f"   goal {goal}")
ratio("torch.kthvalue / Topiary threshold", [b["kthvalue_seconds"] / a["threshold_seconds"] for a, b in zip(ours, torch_rows)], ">= 5")
ratio("Topiary threshold / torch.sum", [a["threshold_seconds"] / b["sum_seconds"] for a, b in zip(ours, torch_rows)], "<= 3")
ratio("Topiary threshold / Topiary abs-max pass", [a["threshold_seconds"] / a["stream_seconds"] for a in ours], "<= 3")
PYEOF
