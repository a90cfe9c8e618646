# Pruning an already sparse checkpoint continues from its masks (--init-from), and
# `topiary recipe plan` shows the IMP recipe's 5 levels with their sparsities.
source "$(dirname "$0")/../lib.sh"
"$BIN" prepare --format tsv --input "$DATA/sst2/dev.tsv" --valid "$DATA/sst2/dev.tsv" --output "$WORK/dev.h5" >/dev/null
common=(--recipe "$SRC/recipes/layerwise80.yaml" --set data.path="$WORK/dev.h5" --set training.batch_size=16
        --set model.embedding_dim=32 --set model.filters=16)
mpi 2 train "${common[@]}" --set stages.1.modifiers.0.prune.final_sparsity=0.5 \
  --set stages.1.modifiers.0.prune.overrides.0.final_sparsity=0.5 --output "$WORK/half" >/dev/null
mpi 2 train "${common[@]}" --init-from "$WORK/half/final.h5" --output "$WORK/more" >"$WORK/more.log"
grep -q "weights and masks from $WORK/half/final.h5" "$WORK/more.log" ||
  fail "the log does not say where the weights came from"
"$PY" - "$WORK/half/final.h5" "$WORK/more/final.h5" <<'PY'
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
for k in a["masks"]:
    before, after = a["masks"][k][()], b["masks"][k][()]
    assert np.all(after[before == 0] == 0), f"{k}: an entry pruned in the checkpoint came back"
    assert abs((before == 0).mean() - 0.5) < 0.01, k
    target = 0.5 if k == "fc.weight" else 0.8
    assert abs((after == 0).mean() - target) < 0.01, (k, (after == 0).mean())
print("ok: pruning continued from the checkpoint's masks")
PY
"$BIN" recipe plan "$SRC/recipes/imp_rewind.yaml" --dataset-size 67349 >"$WORK/plan.txt"
for level in 1 2 3 4 5; do grep -q "level $level:" "$WORK/plan.txt" || fail "plan lacks level $level"; done
for s in 0.2000 0.3600 0.4880 0.5904 0.6723; do grep -q "sparsity $s" "$WORK/plan.txt" || fail "plan lacks sparsity $s"; done
"$BIN" recipe plan "$SRC/recipes/imp_rewind.yaml" --dataset-size 67349 --world-size 4 | tail -n +2 >"$WORK/plan4.txt"
tail -n +2 "$WORK/plan.txt" | diff - "$WORK/plan4.txt" || fail "plan depends on the world size"
echo "ok: IMP plan shows 5 levels (0.2 .. 0.6723) and does not depend on world size"
