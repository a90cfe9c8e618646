#!/usr/bin/env python3
"""The quickstart's result lines from its summary.json: quickstart_summary.py SUMMARY.json"""
import json, sys
s = json.load(open(sys.argv[1]))
rows = [
    ("dense accuracy", "none (pruned at step 0)" if s["dense_accuracy"] is None else f"{s['dense_accuracy']:.4f}"),
    ("final sparsity (pruned layers)", f"{s['target_sparsity']:.4f}"),
    ("pruned accuracy", f"{s['final_accuracy']:.4f}"),
    ("parameters kept", f"{s['parameters_kept']:,} of {s['parameters_total']:,}"),
    ("wall time", f"{s['wall_seconds']:.1f} s on {s['world_size']} ranks"),
]
width = max(len(k) for k, _ in rows)
print()
for k, v in rows:
    print(f"  {k:<{width}}  {v}")
print(f"\n  checkpoint: {s['checkpoint']}")
