# Acceptance: SST-2 TextCNN pruned to 80% on 2 ranks keeps dev accuracy >= 0.78; measured
# sparsity within 0.5 point of the target; the checkpoint holds exact zeros where masks are 0.
source "$(dirname "$0")/../lib.sh"
prepare_sst2
cp "$SRC/tests/data/recipes/sst2_gmp80.yaml" "$WORK/recipe.yaml"
mpi 2 train --recipe "$WORK/recipe.yaml" --output "$WORK/run" | tee "$WORK/log.txt"
"$PY" - "$WORK/run" <<'PY'
import json, sys, h5py, numpy as np
run = sys.argv[1]
s = json.load(open(f"{run}/summary.json"))
assert s["final_accuracy"] >= 0.78, f"dev accuracy {s['final_accuracy']:.4f} < 0.78"
assert abs(s["target_sparsity"] - 0.8) <= 0.005, f"sparsity {s['target_sparsity']}"
with h5py.File(f"{run}/final.h5", "r") as f:
    assert f.attrs["topiary_kind"] in ("checkpoint", b"checkpoint")
    zeros = total = 0
    for name in f["masks"]:
        mask = f["masks"][name][()]
        weight = f["weights"][name][()]
        assert mask.shape == weight.shape, name
        assert set(np.unique(mask)).issubset({0.0, 1.0}), name
        assert np.all(weight[mask == 0] == 0.0), f"{name}: nonzero weight under a zero mask"
        zeros += int((mask == 0).sum()); total += mask.size
    measured = zeros / total
    assert abs(measured - 0.8) <= 0.005, f"measured sparsity {measured}"
    assert sorted(f["masks"]) == ["convs.0.weight", "convs.1.weight", "convs.2.weight", "embedding.weight", "fc.weight"]
print(f"ok: accuracy {s['final_accuracy']:.4f} (dense {s['dense_accuracy']}), sparsity {measured:.4f}")
PY
