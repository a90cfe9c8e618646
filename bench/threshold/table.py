#!/usr/bin/env python3
"""Tables of bench/threshold/run.sh from its raw threshold.jsonl: times and ratios.

  table.py THRESHOLD.jsonl
"""
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
