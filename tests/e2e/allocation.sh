# Per-layer sparsity allocation in a recipe (prune modifier key `allocation`). ERK's
# per-layer sparsities match the formula of Evci et al. (recomputed here independently), LAMP
# and OWL meet the global target exactly, and every rank holds the same masks.
source "$(dirname "$0")/../lib.sh"
prepare_sst2
cat >"$WORK/alloc.yaml" <<YAML
name: alloc
seed: 3
data: {path: $WORK/sst2.h5}
model: {type: textcnn, embedding_dim: 32, filters: 16, widths: [2, 3], dropout: 0.3, max_length: 40}
training: {batch_size: 64, optimizer: adam, lr: 0.002, eval_every: 40it}
stages:
  - name: prune
    until: 60it
    modifiers:
      - prune: {method: magnitude, allocation: erk, targets: ["convs.*.weight", "fc.weight"], final_sparsity: 0.7, start: 10it, end: 40it, every: 10it}
YAML
for a in erk lamp owl; do
  mpi 2 train --recipe "$WORK/alloc.yaml" --set "stages.0.modifiers.0.prune.allocation=$a" \
    --output "$WORK/$a" --write-rank-masks >/dev/null
done
"$PY" - "$WORK" <<'PY'
import sys, h5py, numpy as np
work = sys.argv[1]
def masks(run, rank=0):
    with h5py.File(f"{work}/{run}/masks.rank{rank}.h5", "r") as f:
        return {k: f["masks"][k][()] for k in f["masks"]}
for run in ("erk", "lamp", "owl"):
    a, b = masks(run, 0), masks(run, 1)
    assert all(np.array_equal(a[k], b[k]) for k in a), f"{run}: ranks disagree"
    pruned = sum((m == 0).sum() for m in a.values())
    total = sum(m.size for m in a.values())
    assert abs(pruned - round(0.7 * total)) <= 1, (run, pruned, 0.7 * total)
    print(f"ok: {run}: {pruned}/{total} pruned, ranks agree:",
          {k: round(float((m == 0).mean()), 4) for k, m in a.items()})
# ERK by hand: density_l = eps * sum(shape_l) / numel_l, layers above density 1 kept dense and
# eps solved again on the rest.
m = masks("erk")
names = sorted(m)
shape = {k: m[k].shape for k in names}
numel = {k: m[k].size for k in names}
keep = (1 - 0.7) * sum(numel.values())
dense, density = set(), {}
while True:
    rest = [k for k in names if k not in dense]
    eps = (keep - sum(numel[k] for k in dense)) / sum(sum(shape[k]) for k in rest)
    density = {k: 1.0 if k in dense else eps * sum(shape[k]) / numel[k] for k in names}
    over = [k for k in rest if density[k] > 1]
    if not over:
        break
    dense.update(over)
for k in names:
    got = 1 - (m[k] == 0).mean()
    assert abs(got - density[k]) <= 1.0 / numel[k] + 1e-9, (k, got, density[k])
assert "fc.weight" in dense, "the small classifier should stay dense under ERK"
print("ok: ERK densities match the formula:", {k: round(density[k], 4) for k in names})
PY
