# Acceptance: model selection. The checkpoints kept in DIR/best/ are exactly the best k
# evaluations by the metric (read back from metrics.jsonl), only evaluations at the final
# sparsity compete, `topiary eval` of the selected checkpoint reproduces the logged metrics on
# 1 and 2 ranks, and early stopping stops at the first evaluation where patience runs out.
source "$(dirname "$0")/../lib.sh"
prepare_sst2
cp "$SRC/tests/data/recipes/tiny_layer.yaml" "$WORK/recipe.yaml"
common=(--recipe "$WORK/recipe.yaml" --set training.eval_every=10it)
mpi 2 train "${common[@]}" --set training.selection.keep_best=3 \
  --set training.selection.metric=macro_f1 --output "$WORK/best" >"$WORK/best.log"
grep "selected checkpoint" "$WORK/best.log"
"$PY" - "$WORK/best" <<'PY'
import json, os, sys
run = sys.argv[1]
evals = [e for e in map(json.loads, open(f"{run}/metrics.jsonl")) if e["event"] == "eval"]
# The recipe's last mask update is at step 60: earlier evaluations do not compete.
competing = [e for e in evals if e["step"] >= 60]
assert len(competing) == 7, [e["step"] for e in evals]
ranked = sorted(competing, key=lambda e: (-e["macro_f1"], e["step"]))[:3]
want = sorted(f"step-{e['step']:08d}.h5" for e in ranked)
have = sorted(os.listdir(f"{run}/best"))
assert have == want, f"kept {have}, best-3 by macro_f1 are {want}"
summary = json.load(open(f"{run}/summary.json"))
assert summary["selected_checkpoint"].endswith(f"step-{ranked[0]['step']:08d}.h5"), summary
print("ok: best/ holds exactly the best 3 by macro_f1:", have)
with open(f"{run}/selected.json", "w") as f:
    json.dump(ranked[0], f)
PY
selected=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["selected_checkpoint"])' "$WORK/best/summary.json")
"$BIN" eval "$selected" --json >"$WORK/eval1.json"
mpi 2 eval "$selected" --json >"$WORK/eval2.json"
"$PY" - "$WORK/best/selected.json" "$WORK/eval1.json" "$WORK/eval2.json" <<'PY'
import json, sys
logged, one, two = (json.load(open(p)) for p in sys.argv[1:])
# Counts are exact; the loss is a float32 sum whose grouping depends on the ranks' batches.
for key, tol in (("accuracy", 1e-12), ("macro_f1", 1e-12), ("loss", 1e-6)):
    assert abs(one[key] - logged[key]) <= tol, (key, one[key], logged[key])
    assert abs(two[key] - one[key]) <= tol, (key, two[key], one[key])
assert one["examples"] == two["examples"] == 872, one
print(f"ok: topiary eval on 1 and 2 ranks reproduces the logged metrics: {one}")
PY

# Early stopping: every evaluation competes; stop at the first one `patience` evaluations after
# the last improvement (computed again from the log of a run without early stopping).
mpi 2 train "${common[@]}" --set training.selection.at_final_sparsity=false \
  --set training.selection.keep_best=1 --output "$WORK/all" >/dev/null
mpi 2 train "${common[@]}" --set training.selection.at_final_sparsity=false \
  --set training.selection.keep_best=1 --set training.selection.patience=2 \
  --output "$WORK/early" >"$WORK/early.log"
"$PY" - "$WORK/all" "$WORK/early" <<'PY'
import json, sys
evals = [e for e in map(json.loads, open(f"{sys.argv[1]}/metrics.jsonl")) if e["event"] == "eval"]
best, stale, expected = None, 0, None
for e in evals:
    if best is None or e["accuracy"] > best:
        best, stale = e["accuracy"], 0
    else:
        stale += 1
    if stale == 2:
        expected = e["step"]
        break
summary = json.load(open(f"{sys.argv[2]}/summary.json"))
assert expected is not None, "the reference run never stalls for 2 evaluations; pick another seed"
assert summary.get("stopped_early_at") == expected, (summary.get("stopped_early_at"), expected)
early = [e for e in map(json.loads, open(f"{sys.argv[2]}/metrics.jsonl")) if e["event"] == "eval"]
assert [e["step"] for e in early][-1] == expected
print(f"ok: early stopping at step {expected}, as the metrics say")
PY
grep -q "early stop at step" "$WORK/early.log" || fail "no early-stop message"
