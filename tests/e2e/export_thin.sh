# Acceptance: every export format round-trips (topiary predict on the export gives the
# checkpoint's logits, <= 1e-6 for fp32; fp16/bf16 close), N:M masks are stored as N:M;
# thinning removes pruned channels (TextCNN), FFN neurons and attention heads (Transformer),
# hidden units whose output nothing reads (2-layer BiLSTM, per-layer sizes) with outputs equal to the masked model's (<= 1e-5) and the parameter count down by exactly
# the removed structures.
source "$(dirname "$0")/../lib.sh"
"$BIN" prepare --format tsv --input "$DATA/sst2/dev.tsv" --valid "$DATA/sst2/dev.tsv" --output "$WORK/dev.h5" >/dev/null
small=(--set data.path="$WORK/dev.h5" --set training.batch_size=16 --set model.embedding_dim=32 --set model.filters=24)
predict() { "$BIN" predict "$1" --input "$DATA/sst2/dev.tsv" --format tsv --label-column label --logits >"$2" 2>/dev/null; }
compare() {  # compare A.jsonl B.jsonl TOLERANCE
  "$PY" - "$@" <<'PY'
import json, sys
a, b, tol = sys.argv[1], sys.argv[2], float(sys.argv[3])
x = [json.loads(l)["logits"] for l in open(a)]
y = [json.loads(l)["logits"] for l in open(b)]
assert len(x) == len(y) == 872, (len(x), len(y))
d = max(abs(p - q) for r, s in zip(x, y) for p, q in zip(r, s))
assert d <= tol, f"{b}: logits differ from {a} by {d} > {tol}"
print(f"ok: {b.split('/')[-1]} logits within {d:.2e} of {a.split('/')[-1]}")
PY
}

# 2:4 TextCNN: every format.
mpi 2 train --recipe "$SRC/recipes/nm_2of4.yaml" "${small[@]}" --output "$WORK/nm" >/dev/null
predict "$WORK/nm/final.h5" "$WORK/ckpt.jsonl"
for format in dense bitmask csr nm; do
  "$BIN" export "$WORK/nm/final.h5" -o "$WORK/$format.h5" --format "$format"
  predict "$WORK/$format.h5" "$WORK/$format.jsonl"
  compare "$WORK/ckpt.jsonl" "$WORK/$format.jsonl" 1e-6
done
for dtype in fp16 bf16; do
  "$BIN" export "$WORK/nm/final.h5" -o "$WORK/$dtype.h5" --format nm --dtype "$dtype" >/dev/null
  predict "$WORK/$dtype.h5" "$WORK/$dtype.jsonl"
  compare "$WORK/ckpt.jsonl" "$WORK/$dtype.jsonl" 0.1
done
"$BIN" inspect "$WORK/nm.h5" | tee "$WORK/inspect.txt"
grep -q "convs.0.weight .* nm " "$WORK/inspect.txt" || fail "2:4 convolution not stored as nm"
grep -q "fc.bias .* dense " "$WORK/inspect.txt" || fail "unmasked bias not stored dense"

# Channel pruning: thin, same logits, parameter count down by the removed channels.
mpi 2 train --recipe "$SRC/recipes/structured_rows.yaml" "${small[@]}" --output "$WORK/rows" >/dev/null
"$BIN" thin "$WORK/rows/final.h5" -o "$WORK/rows_thin.h5" | tee "$WORK/thin.txt"
predict "$WORK/rows/final.h5" "$WORK/rows.jsonl"
predict "$WORK/rows_thin.h5" "$WORK/rows_thin.jsonl"
compare "$WORK/rows.jsonl" "$WORK/rows_thin.jsonl" 1e-5
"$BIN" export "$WORK/rows_thin.h5" -o "$WORK/rows_thin_export.h5" --format dense >/dev/null
predict "$WORK/rows_thin_export.h5" "$WORK/rows_thin_export.jsonl"
compare "$WORK/rows.jsonl" "$WORK/rows_thin_export.jsonl" 1e-5
"$PY" - "$WORK/rows/final.h5" "$WORK/rows_thin.h5" <<'PY'
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
count = lambda f: sum(f["weights"][k].size for k in f["weights"])
removed = 0
for i in range(3):
    m = a["masks"][f"convs.{i}.weight"][()]
    dead = (m.reshape(m.shape[0], -1) == 0).all(axis=1).sum()
    assert dead == m.shape[0] // 2, dead  # 50% channels
    removed += dead * (m[0].size + 1 + a["weights"]["fc.weight"].shape[0])  # filter, bias, fc column
assert count(a) - count(b) == removed, (count(a), count(b), removed)
print(f"ok: thinning removed exactly the pruned channels: {count(a)} -> {count(b)} parameters")
PY

# Transformer: FFN neurons (rows of ffn.up) and whole heads (16x64 blocks of v = 2 of 4 heads).
cat >"$WORK/tf.yaml" <<YAML
name: tf_thin
data: {path: $WORK/dev.h5}
model: {type: transformer, embedding_dim: 64, heads: 4, layers: 2, ffn: 128, dropout: 0.1, max_length: 40}
training: {batch_size: 16, optimizer: adamw, lr: 0.001}
stages:
  - {name: dense, until: 20it}
  - name: prune
    until: 60it
    modifiers:
      - prune: {method: magnitude, pattern: rows, scope: layer, targets: ["layers.*.ffn.up.weight"], final_sparsity: 0.5, start: 20it, end: 40it, every: 10it}
      - prune: {method: magnitude, pattern: 16x64, scope: layer, targets: ["layers.*.attention.v.weight"], final_sparsity: 0.5, start: 20it, end: 40it, every: 10it}
YAML
mpi 2 train --recipe "$WORK/tf.yaml" --output "$WORK/tf" >/dev/null
"$BIN" thin "$WORK/tf/final.h5" -o "$WORK/tf_thin.h5" | tee "$WORK/tf_thin.txt"
grep -q "layers.0.ffn: 128 -> 64 neurons; heads 4 -> 2" "$WORK/tf_thin.txt" || fail "transformer not thinned as pruned"
predict "$WORK/tf/final.h5" "$WORK/tf.jsonl"
predict "$WORK/tf_thin.h5" "$WORK/tf_thin.jsonl"
compare "$WORK/tf.jsonl" "$WORK/tf_thin.jsonl" 1e-5
"$BIN" eval "$WORK/tf_thin.h5" --json >"$WORK/tf_thin_eval.json"
"$BIN" eval "$WORK/tf/final.h5" --json >"$WORK/tf_eval.json"
"$PY" - "$WORK/tf_eval.json" "$WORK/tf_thin_eval.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
assert a["accuracy"] == b["accuracy"] and abs(a["loss"] - b["loss"]) < 1e-5, (a, b)
print("ok: topiary eval agrees on the thinned transformer")
PY
# BiLSTM, 2 layers: unstructured pruning leaves every unit read, so nothing goes; units whose
# readers are all masked (made by unread_units.py: no pattern couples the reading columns) go,
# layer 0 keeping 7 of 8 units and layer 1 5 of 8 (per-layer sizes).
"$BIN" train --recipe "$SRC/tests/data/recipes/tiny_layer.yaml" --set data.path="$WORK/dev.h5" \
  --set model.type=bilstm --set model.embedding_dim=16 --set model.hidden=8 --set model.layers=2 \
  --set training.batch_size=16 --set training.eval_every=20it \
  --set 'stages=[{name: s, until: 20it, modifiers: [{prune: {method: magnitude, targets: ["rnn.weight_*", "fc.weight"], final_sparsity: 0.5, start: 5it, end: 15it, every: 5it}}]}]' \
  --output "$WORK/lstm" >/dev/null
"$BIN" thin "$WORK/lstm/final.h5" -o "$WORK/lstm_same.h5" | tee "$WORK/lstm_same.txt"
grep -q "rnn layer 1 reverse: 8 -> 8 hidden units (0 unread)" "$WORK/lstm_same.txt" || fail "unread units found in a model without any"
cp "$WORK/lstm/final.h5" "$WORK/lstm_units.h5"
removed=$("$PY" "$SRC/tests/e2e/unread_units.py" "$WORK/lstm_units.h5" 0f:1,3,6 0r:2 1f:0,4,5 1r:1,5,3,7)
"$BIN" thin "$WORK/lstm_units.h5" -o "$WORK/lstm_thin.h5" | tee "$WORK/lstm_thin.txt"
grep -q "rnn layer 0 reverse: 8 -> 7 hidden units (1 unread)" "$WORK/lstm_thin.txt" || fail "bilstm layer 0 not thinned"
grep -q "rnn layer 1 forward: 8 -> 5 hidden units (3 unread)" "$WORK/lstm_thin.txt" || fail "bilstm layer 1 not thinned"
before=$(grep -o '[0-9]* -> [0-9]* parameters' "$WORK/lstm_thin.txt" | cut -d' ' -f1)
after=$(grep -o '[0-9]* -> [0-9]* parameters' "$WORK/lstm_thin.txt" | cut -d' ' -f3)
[ $((before - after)) -eq "$removed" ] || fail "bilstm thinning removed $((before - after)) parameters, expected $removed"
echo "ok: bilstm thinning removed exactly the unread units: $before -> $after parameters"
predict "$WORK/lstm_units.h5" "$WORK/lstm.jsonl"
predict "$WORK/lstm_thin.h5" "$WORK/lstm_thin.jsonl"
compare "$WORK/lstm.jsonl" "$WORK/lstm_thin.jsonl" 1e-5
"$BIN" export "$WORK/lstm_thin.h5" -o "$WORK/lstm_thin_export.h5" --format csr >/dev/null
predict "$WORK/lstm_thin_export.h5" "$WORK/lstm_thin_export.jsonl"
compare "$WORK/lstm.jsonl" "$WORK/lstm_thin_export.jsonl" 1e-5
"$BIN" eval "$WORK/lstm_units.h5" --json >"$WORK/lstm_eval.json"
"$BIN" eval "$WORK/lstm_thin.h5" --json >"$WORK/lstm_thin_eval.json"
"$PY" - "$WORK/lstm_eval.json" "$WORK/lstm_thin_eval.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
assert a["accuracy"] == b["accuracy"] and abs(a["loss"] - b["loss"]) < 1e-5, (a, b)
print("ok: topiary eval agrees on the thinned bilstm")
PY
expect_user_error "nm.h5" "$BIN" thin "$WORK/nm.h5" -o "$WORK/x.h5"  # an export is not a checkpoint
