# One global threshold at 99.5% of the convolutions + classifier of a tiny TextCNN prunes one
# convolution entirely (layer collapse). Training goes on, and rank 0 warns once, naming the
# step, the modifier and the tensor. Layer-wise pruning at 98% keeps entries in every tensor
# (even the 64-entry classifier keeps one), so it gives no warning.
source "$(dirname "$0")/../lib.sh"
prepare_sst2
run=(--recipe "$SRC/tests/data/recipes/tiny_layer.yaml" --set "data.path=$WORK/sst2.h5"
     --set stages.0.modifiers.0.prune.final_sparsity=0.995)
mpi 2 train "${run[@]}" --set stages.0.modifiers.0.prune.scope=global --output "$WORK/global" \
  >"$WORK/global.out" 2>"$WORK/global.err" || { cat "$WORK/global.err"; fail "global run failed"; }
warnings=$(grep -c "layer collapse" "$WORK/global.err" || true)
[ "$warnings" -ge 1 ] || { cat "$WORK/global.err"; fail "no layer-collapse warning"; }
collapsed=$(sed -n "s/.*prunes all of '\([^']*\)'.*/\1/p" "$WORK/global.err" | sort -u)
# Each warned tensor is 100% pruned in the final checkpoint, and warned once (rank 0 only).
for name in $collapsed; do
  "$BIN" inspect "$WORK/global/final.h5" | grep -E "^$name .* 100\.00% " >/dev/null ||
    fail "$name was warned about but is not 100% pruned"
  [ "$(grep -c "prunes all of '$name'" "$WORK/global.err")" -eq 1 ] || fail "$name warned more than once"
done
echo "ok: global 99.5% collapses $(echo $collapsed) with one warning each"
mpi 2 train "${run[@]}" --set stages.0.modifiers.0.prune.final_sparsity=0.98 --output "$WORK/layer" >"$WORK/layer.out" 2>"$WORK/layer.err" ||
  { cat "$WORK/layer.err"; fail "layer run failed"; }
if grep -q "layer collapse" "$WORK/layer.err"; then cat "$WORK/layer.err"; fail "layer-wise pruning warned"; fi
echo "ok: layer-wise 98% gives no warning"
