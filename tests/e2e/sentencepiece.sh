#!/usr/bin/env bash
# The SentencePiece tokenizer travels with the data. A BPE model trained by `prepare`
# on SST-2 dev and a unigram model on WikiText-2 go dataset -> checkpoint -> export, and
# `topiary predict` (C++) and python/topiary_h5 (the `sentencepiece` package) cut text the same
# way: classifier logits equal within 1e-5, greedy LM continuations identical.
source "$(dirname "$0")/../lib.sh"
SECONDS=0
"$BIN" prepare --format tsv --input "$DATA/sst2/dev.tsv" --valid-fraction 0.2 \
  --tokenizer sentencepiece --sp-model-type bpe --sp-vocab-size 800 --output "$WORK/sst2_sp.h5" >"$WORK/prep1.log"
"$BIN" data inspect "$WORK/sst2_sp.h5" | grep -q "sentencepiece (" || fail "inspect does not name the tokenizer"
# WikiText-2 paragraphs (long lines, so greedy decoding produces words, not only <eos>).
# Its "<unk>" markers are dropped so that the model learns words rather than <unk>.
head -n 600 "$DATA/wikitext2/wiki.valid.tokens" | sed 's/ <unk>//g' >"$WORK/lm_train.txt"
sed -n '601,700p' "$DATA/wikitext2/wiki.valid.tokens" | sed 's/ <unk>//g' >"$WORK/lm_valid.txt"
"$BIN" prepare --format text --input "$WORK/lm_train.txt" --valid "$WORK/lm_valid.txt" \
  --tokenizer sentencepiece --sp-model-type unigram --sp-vocab-size 1000 --output "$WORK/lm_sp.h5" >"$WORK/prep2.log"

"$BIN" train --recipe "$SRC/recipes/gmp_global90.yaml" --set data.path="$WORK/sst2_sp.h5" \
  --set model.embedding_dim=16 --set model.filters=8 --set training.batch_size=16 \
  --set training.eval_every=20it --set stages.0.until=10it --set stages.1.until=20it \
  --set stages.1.modifiers.0.prune.start=10it --set stages.1.modifiers.0.prune.end=15it \
  --set stages.1.modifiers.1.prune.start=10it --set stages.1.modifiers.1.prune.end=15it \
  --set stages.1.modifiers.0.prune.every=5it --set stages.1.modifiers.1.prune.every=5it \
  --output "$WORK/cls" >"$WORK/cls.log" 2>&1 || { cat "$WORK/cls.log"; fail "train classifier"; }
"$BIN" train --recipe "$SRC/recipes/gpt_char.yaml" --set data.path="$WORK/lm_sp.h5" \
  --set model.embedding_dim=16 --set model.heads=2 --set model.layers=1 --set model.ffn=32 \
  --set model.max_positions=16 --set training.eval_every=150it --set 'stages=[{name: s, until: 150it}]' \
  --output "$WORK/lm" >"$WORK/lm.log" 2>&1 || { cat "$WORK/lm.log"; fail "train LM"; }
"$BIN" export "$WORK/cls/final.h5" -o "$WORK/cls.h5" --format bitmask >/dev/null
"$BIN" export "$WORK/lm/final.h5" -o "$WORK/lm.h5" --format dense >/dev/null

printf '%s\n' "An UTTERLY charming, often-affecting journey!!" "naïve café — “quoted” 😀 text" "x" \
  >"$WORK/edge.txt"
"$BIN" predict "$WORK/cls.h5" --input "$WORK/edge.txt" --format text --logits >"$WORK/edge.jsonl"
"$BIN" predict "$WORK/cls/final.h5" --input "$WORK/edge.txt" --format text --logits >"$WORK/edge_ckpt.jsonl"
prompt="The game was "
"$BIN" predict "$WORK/lm.h5" --prompt "$prompt" --tokens 20 --temperature 0 >"$WORK/gen.txt"

PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$SRC/python" "$PY" - "$WORK" "$prompt" <<'PY'
import json, sys
import numpy as np
from topiary_h5 import load_export, read_lines
work, prompt = sys.argv[1:3]
m = load_export(f"{work}/cls.h5")
assert m.tokenizer.kind == "sentencepiece", m.tokenizer.kind
texts = read_lines(f"{work}/edge.txt")
for jsonl in ("edge.jsonl", "edge_ckpt.jsonl"):
    cpp = np.array([json.loads(l)["logits"] for l in open(f"{work}/{jsonl}")])
    diff = float(np.abs(cpp - m.classify(texts).double().numpy()).max())
    print(f"classifier ({jsonl}): max |logit diff| {diff:.2e}")
    assert diff <= 1e-5, diff
ids = m.encode_text("an utterly charming journey")
assert len(ids) >= 4 and all(i > 1 for i in ids), ids
lm = load_export(f"{work}/lm.h5")
generated = prompt + lm.tokenizer.decode(lm.generate(prompt, 20))
cpp_text = open(f"{work}/gen.txt", encoding="utf-8").read()[:-1]
print(f"python: {generated!r}\nc++:    {cpp_text!r}")
assert generated == cpp_text
PY
echo "sentencepiece: ok in ${SECONDS}s"
