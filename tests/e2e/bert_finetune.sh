#!/usr/bin/env bash
# Acceptance (pretrained transformers): the shipped MiniLM recipes run on 2 ranks from the
# pretrained model installed by setup, on SST-2 tokenized with the model's own WordPiece
# vocabulary (GLUE dev as the validation set):
#  - minilm_sst2_dense, 200 steps: dev accuracy >= 0.80;
#  - minilm_sst2_movement90 and minilm_sst2_gmp90 (distilled from the dense run; gmp90 also with
#    the layer-wise term, and with word-level augmentation of the WordPiece text, each of which
#    must change the model) and minilm_heads, shortened to reach their final sparsity quickly;
# and each model goes back to the Python ecosystem: `topiary export --format hf` loaded by
# transformers' AutoModelForSequenceClassification gives the logits `topiary predict` gives,
# within 1e-4, on 120 dev sentences (dense; 90% of the encoder's linear weights zero; the
# thinned model with 6 of 12 heads per layer and its smaller shapes, through remote code).
source "$(dirname "$0")/../lib.sh"
need_pretrained
SECONDS=0
"$BIN" prepare --format tsv --input "$DATA/sst2/train.tsv" --valid "$DATA/sst2/dev.tsv" \
  --tokenizer wordpiece --vocab "$PRETRAINED" --max-length 66 --output "$WORK/sst2.h5" >/dev/null
base=(--set data.path="$WORK/sst2.h5" --set model.from="$PRETRAINED" --set training.eval_every=1000it)
run() {  # run NAME RECIPE ARGS...: 2-rank training, log kept (RECIPE: a shipped name or a file)
  local name=$1 recipe=$2; shift 2
  [ -f "$recipe" ] || recipe=$SRC/recipes/$recipe.yaml
  mpi 2 train --recipe "$recipe" "${base[@]}" "$@" --output "$WORK/$name" \
    >"$WORK/$name.log" 2>&1 || { cat "$WORK/$name.log"; fail "$name: training failed"; }
  echo "$SECONDS s: $name: $(grep '^topiary: done' "$WORK/$name.log")"
}
run dense minilm_sst2_dense --set stages.0.until=200it --set stages.0.modifiers.0.lr.warmup=20it
grep -q "pretrained $PRETRAINED: 103 tensors loaded; new: fc.weight, fc.bias" "$WORK/dense.log" ||
  fail "the pretrained weights were not loaded"
"$PY" - "$WORK/dense/summary.json" <<'PY'
import json, sys
accuracy = json.load(open(sys.argv[1]))["final"]["accuracy"]
assert accuracy >= 0.80, f"dense MiniLM after 200 steps: dev accuracy {accuracy:.4f} < 0.80"
print(f"ok: dense MiniLM, 200 steps on 2 ranks: dev accuracy {accuracy:.4f}")
PY
prune=stages.0.modifiers.1.prune
run movement90 minilm_sst2_movement90 --set stages.0.until=40it --set stages.0.modifiers.0.lr.warmup=5it \
  --set $prune.start=5it --set $prune.end=30it --set $prune.every=5it \
  --set stages.0.modifiers.2.distill.teacher="$WORK/dense/final.h5"
grep -q "topiary: distilling from teacher $WORK/dense/final.h5" "$WORK/movement90.log" ||
  { cat "$WORK/movement90.log"; fail "the teacher was not loaded"; }
expect_user_error "$WORK/missing.h5" "$BIN" train --recipe "$SRC/recipes/minilm_sst2_movement90.yaml" \
  "${base[@]}" --set stages.0.modifiers.2.distill.teacher="$WORK/missing.h5" --output "$WORK/no_teacher"
# The 90% recipes shortened: 30 steps, the ramp from step 5 to 20; the distilling ones from the
# dense run above. run_at_90 NAME RECIPE ARGS...: such a run, which must end at 90%.
short=(--set stages.0.until=30it --set stages.0.modifiers.0.lr.warmup=5it
  --set "$prune.start=5it" --set "$prune.end=20it" --set "$prune.every=5it")
teacher=(--set stages.0.modifiers.2.distill.teacher="$WORK/dense/final.h5")
run_at_90() {
  local name=$1; shift
  run "$name" "$@" "${short[@]}" "${teacher[@]}"
  grep -q "accuracy .* at sparsity 0.9000" "$WORK/$name.log" ||
    { cat "$WORK/$name.log"; fail "$name: not at 90%"; }
}
run_at_90 gmp90 minilm_sst2_gmp90
# The same with layer-wise distillation: the hidden-state term changes what is learned.
run_at_90 gmp90_hidden minilm_sst2_gmp90 --set stages.0.modifiers.2.distill.hidden=1
# The same with the augment modifier on the WordPiece text (whole words deleted and masked with
# [MASK], [CLS] and [SEP] kept): a copy of the recipe with the modifier added.
sed 's|^\( *\)- distill: .*$|&\n\1- augment: {delete: 0.1, mask: 0.1, span: 1}|' \
  "$SRC/recipes/minilm_sst2_gmp90.yaml" >"$WORK/gmp90_augment.yaml"
grep -q "^ *- augment: {delete: 0.1" "$WORK/gmp90_augment.yaml" || fail "augment not added to the recipe"
run_at_90 gmp90_augment "$WORK/gmp90_augment.yaml"
run heads minilm_heads "${short[@]}"
"$BIN" thin "$WORK/heads/final.h5" -o "$WORK/heads_thin.h5" >"$WORK/thin.log"
grep -q "layers.0.ffn: 1536 -> 1536 neurons; heads 12 -> 6" "$WORK/thin.log" ||
  { cat "$WORK/thin.log"; fail "heads not thinned 12 -> 6"; }

sed -n "2,121p" "$DATA/sst2/dev.tsv" | cut -f1 >"$WORK/sentences.txt"
for model in dense/final.h5 movement90/final.h5 heads_thin.h5; do
  name=${model%%/*}; name=${name%.h5}
  "$BIN" export "$WORK/$model" --format hf -o "$WORK/hf_$name" >"$WORK/export_$name.log"
  "$BIN" predict "$WORK/$model" --input "$WORK/sentences.txt" --logits >"$WORK/predict_$name.jsonl"
  "$PY" - "$WORK/hf_$name" "$WORK/sentences.txt" "$WORK/predict_$name.jsonl" "$name" <<'PY'
import json, sys, warnings
import torch
from safetensors.torch import load_file
from transformers import AutoModelForSequenceClassification, AutoTokenizer
from transformers.utils import logging
logging.set_verbosity_error()
folder, sentences, predicted, name = sys.argv[1:]
model = AutoModelForSequenceClassification.from_pretrained(folder, trust_remote_code=True).eval()
tokenizer = AutoTokenizer.from_pretrained(folder, trust_remote_code=True)
texts = [line.rstrip("\n") for line in open(sentences)]
batch = tokenizer(texts, padding=True, truncation=True, max_length=66, return_tensors="pt")
with torch.no_grad():
    logits = model(**batch).logits
ours = torch.tensor([json.loads(line)["logits"] for line in open(predicted)])
difference = (logits - ours).abs().max().item()
assert difference < 1e-4, f"{name}: transformers and topiary predict differ by {difference}"
weights = load_file(folder + "/model.safetensors")
linear = [k for k in weights if ".encoder." in k and k.endswith("weight") and "LayerNorm" not in k]
zeros = sum((weights[k] == 0).sum().item() for k in linear) / sum(weights[k].numel() for k in linear)
if name == "movement90":
    assert abs(zeros - 0.9) < 0.005, f"movement90: {zeros:.4f} of the encoder's linear weights zero"
if name == "heads_thin":
    shapes = {tuple(weights[f"bert.encoder.layer.{i}.attention.self.query.weight"].shape) for i in range(6)}
    assert shapes == {(192, 384)}, f"thinned query shapes {shapes}"
print(f"ok: {name}: transformers logits = topiary predict (max difference {difference:.2e}); "
      f"encoder linear weights zero: {zeros:.4f}")
PY
done
for name in gmp90 gmp90_hidden gmp90_augment; do
  "$BIN" predict "$WORK/$name/final.h5" --input "$WORK/sentences.txt" --logits >"$WORK/predict_$name.jsonl"
done
"$PY" - "$WORK"/predict_gmp90{,_hidden,_augment}.jsonl <<'PY'
import json, sys
import torch
plain, hidden, augment = (torch.tensor([json.loads(line)["logits"] for line in open(path)])
                          for path in sys.argv[1:])
for name, other in (("distill.hidden 1", hidden), ("augment", augment)):
    difference = (plain - other).abs().max().item()
    assert difference > 1e-3, f"{name} left the model unchanged (logits differ by {difference})"
    print(f"ok: gmp90 with and without {name} differ (max logit difference {difference:.3f})")
PY
echo "ok: MiniLM fine-tuned, pruned and exported back in $SECONDS s"
