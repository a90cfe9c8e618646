# Acceptance: python/topiary_h5 (h5py + the venv's torch) rebuilds every model family
# from `topiary export` files and reproduces the C++ results. Classifiers (TextCNN, Transformer,
# BiGRU, BiLSTM; formats dense, bitmask, csr, nm; fp16 and bf16 values; hand-thinned per-layer
# sizes; BiGRU and BiLSTM thinned by `topiary thin`): logits equal `topiary predict --logits` on the same texts within 1e-5. GPT (tied and
# untied): the validation loss equals `topiary eval` within 1e-5 relative, and the greedy
# continuation of a prompt equals `topiary predict --prompt`. Texts go through the Python
# tokenizer, so word/char tokenization, <unk>, and both truncations are covered.
source "$(dirname "$0")/../lib.sh"
SECONDS=0
# min-frequency 2 leaves rarer words out (-> <unk>); max-length 45 truncates at prepare time.
"$BIN" prepare --format tsv --input "$DATA/sst2/dev.tsv" --valid "$DATA/sst2/dev.tsv" \
  --output "$WORK/dev.h5" --min-frequency 2 --max-length 45 >/dev/null
# Edge cases, one text per line (--format text): case, punctuation, UTF-8, a long text, and a
# line of control characters only, which gives no tokens at all.
long="$(head -n 30 "$DATA/sst2/train.tsv" | cut -f1 | tr '\n' ' ')"
printf '%s\n' "IT'S A Charming, often-affecting JOURNEY!!!" "naïve café — “quoted” 😀 text" \
  "  leading and trailing spaces  " "x" "\$100 (a) [b] {c} <d> ~e ^f \`g\` |h| \\i" "$long" \
  $'\x01\x02' \
  >"$WORK/edge.txt"

train() {  # name recipe extra-args...
  local name=$1 recipe=$2; shift 2
  "$BIN" train --recipe "$recipe" --set data.path="$WORK/dev.h5" --set training.batch_size=16 \
    --output "$WORK/$name" "$@" >"$WORK/$name.log" 2>&1 || { cat "$WORK/$name.log"; fail "train $name"; }
}
export_as() {  # name format [dtype]: writes $WORK/<name>.<format>.<dtype>.h5
  local name=$1 format=$2 dtype=${3:-fp32}
  "$BIN" export "$WORK/$name/final.h5" -o "$WORK/$name.$format.$dtype.h5" --format "$format" \
    --dtype "$dtype" >/dev/null
}
predict() {  # export: C++ logits for dev.tsv and edge.txt next to it
  "$BIN" predict "$1" --input "$DATA/sst2/dev.tsv" --format tsv --label-column label --logits \
    >"$1.dev.jsonl" 2>/dev/null
  "$BIN" predict "$1" --input "$WORK/edge.txt" --format text --logits >"$1.edge.jsonl"
}
unstructured='[{name: s, until: 30it, modifiers: [{prune: {method: magnitude, targets: TARGETS, final_sparsity: 0.6, start: 5it, end: 20it, every: 5it}}]}]'

# TextCNN, 2:4 (so nm stays nm), model.max_length 30 < prepare's 45.
train textcnn "$SRC/recipes/nm_2of4.yaml" --set model.embedding_dim=16 --set model.filters=8 \
  --set model.max_length=30 --set stages.0.until=10it --set stages.1.until=20it \
  --set stages.1.modifiers.0.prune.start=10it --set stages.1.modifiers.0.prune.end=10it \
  --set training.eval_every=20it
for f in dense bitmask csr nm; do export_as textcnn $f; done
export_as textcnn nm fp16
# Transformer, 60% of the block weights pruned; max_positions 16 < some inputs.
train transformer "$SRC/tests/data/recipes/tiny_layer.yaml" --set model.type=transformer \
  --set model.embedding_dim=16 --set model.heads=2 --set model.layers=2 --set model.ffn=24 \
  --set model.max_positions=16 --set model.max_length=0 --set model.dropout=0.1 \
  --set "stages=${unstructured/TARGETS/[\"layers.*.attention.*.weight\", \"layers.*.ffn.*.weight\"]}"
export_as transformer csr
export_as transformer dense
export_as transformer bitmask bf16
# BiGRU (2 layers) and BiLSTM, recurrent weights pruned.
for rnn in bigru bilstm; do
  train $rnn "$SRC/tests/data/recipes/tiny_layer.yaml" --set model.type=$rnn \
    --set model.embedding_dim=16 --set model.hidden=8 --set model.layers=$([ $rnn = bigru ] && echo 2 || echo 1) \
    --set model.max_length=0 --set "stages=${unstructured/TARGETS/[\"rnn.weight_*\", \"fc.weight\"]}"
done
export_as bigru bitmask
export_as bigru csr fp16
export_as bilstm dense
# `topiary thin` on both: units whose readers unread_units.py masks go; the 2-layer BiGRU gets
# per-layer sizes [7, 6] (PerLayerRNN in Python), the BiLSTM one smaller layer of 6.
for rnn in bigru bilstm; do
  cp "$WORK/$rnn/final.h5" "$WORK/${rnn}_units.h5"
  if [ $rnn = bigru ]; then units="0f:0,2 0r:5 1f:1,2,3 1r:4,6"; else units="0f:0,7 0r:1,2,3"; fi
  "$PY" "$SRC/tests/e2e/unread_units.py" "$WORK/${rnn}_units.h5" $units >/dev/null
  "$BIN" thin "$WORK/${rnn}_units.h5" -o "$WORK/${rnn}_thin.h5" >"$WORK/${rnn}_thin.txt"
  "$BIN" export "$WORK/${rnn}_thin.h5" -o "$WORK/${rnn}_thin.thinned.fp32.h5" --format csr >/dev/null
done
grep -q "rnn layer 1 reverse: 8 -> 6 hidden units" "$WORK/bigru_thin.txt" || fail "bigru not thinned"
# Thinned models (per-layer sizes in the model description, as `topiary thin` writes them),
# made here by slicing exports with h5py: layer 0 of the transformer keeps head 1 of 2 and 10
# FFN neurons; the TextCNN's width-4 convolution keeps 5 of 8 filters.
"$PY" - "$WORK" <<'PY'
import json, shutil, sys
import h5py, numpy as np
work = sys.argv[1]
def thin(source, target, changes, slices):  # slices: dense parameter name -> numpy index
    shutil.copy(f"{work}/{source}", f"{work}/{target}")
    with h5py.File(f"{work}/{target}", "r+") as f:
        spec = json.loads(f.attrs["model"])
        spec.update(changes)
        f.attrs["model"] = json.dumps(spec)
        for name, index in slices.items():
            group = f[f"weights/{name}"]
            assert group.attrs["encoding"] == "dense" and f.attrs["dtype"] == "fp32", name
            values = group["values"][()].reshape(tuple(group["shape"][()]))[index]
            del group["shape"], group["values"]
            group["shape"] = np.array(values.shape, np.int64)
            group["values"] = values.reshape(-1)
second = (slice(8, 16),)  # head 1 of 2: rows 8..15 (head width 16 / 2)
neurons = (slice(0, 10),)
thin("transformer.dense.fp32.h5", "transformer.thinned.fp32.h5",
     {"heads_per_layer": [1, 2], "ffn_per_layer": [10, 24]},
     {**{f"layers.0.attention.{p}.{w}": second for p in "qkv" for w in ("weight", "bias")},
      "layers.0.attention.o.weight": (slice(None),) + second,
      "layers.0.ffn.up.weight": neurons, "layers.0.ffn.up.bias": neurons,
      "layers.0.ffn.down.weight": (slice(None),) + neurons})
keep = np.r_[0:8, 8:13, 16:24]
thin("textcnn.dense.fp32.h5", "textcnn.thinned.fp32.h5", {"filters_per_width": [8, 5, 8]},
     {"convs.1.weight": (slice(0, 5),), "convs.1.bias": (slice(0, 5),),
      "fc.weight": (slice(None), keep)})
PY
for e in "$WORK"/*.fp*.h5 "$WORK"/*.bf16.h5; do predict "$e"; done

# GPT on Tiny Shakespeare: lines 1-150 train, 151-200 validate. One model on characters, tied
# and dense; one on bytes, untied (head.weight), with 2:4 block weights, exported as nm.
head -n 150 "$DATA/tinyshakespeare/input.txt" >"$WORK/lm_train.txt"
sed -n '151,200p' "$DATA/tinyshakespeare/input.txt" >"$WORK/lm_valid.txt"
for tokenizer in char byte; do
  "$BIN" prepare --format text --tokenizer $tokenizer --input "$WORK/lm_train.txt" \
    --valid "$WORK/lm_valid.txt" --output "$WORK/lm_$tokenizer.h5" >/dev/null
done
gpt() {  # name tokenizer extra-args...
  local name=$1 tokenizer=$2; shift 2
  "$BIN" train --recipe "$SRC/recipes/gpt_char.yaml" --set data.path="$WORK/lm_$tokenizer.h5" \
    --set model.embedding_dim=16 --set model.heads=2 --set model.layers=2 --set model.ffn=32 \
    --set model.max_positions=24 --set training.eval_every=30it --output "$WORK/$name" "$@" \
    >"$WORK/$name.log" 2>&1 || { cat "$WORK/$name.log"; fail "train $name"; }
  "$BIN" eval "$WORK/$name/final.h5" --json >"$WORK/$name.eval.json"
}
gpt gpt_tied char --set 'stages=[{name: s, until: 30it}]'
gpt gpt_untied byte --set model.tie_embeddings=false --set 'stages=[{name: s, until: 30it, modifiers: [{prune: {method: magnitude, pattern: "2:4", targets: ["layers.*.attention.*.weight", "layers.*.ffn.*.weight"], final_sparsity: 0.5, start: 10it, end: 10it, every: 1it, schedule: oneshot}}]}]'
export_as gpt_tied dense
export_as gpt_untied nm
prompt="ROMEO: my lörd, "  # ö: <unk> for the char model, two bytes for the byte model
for e in gpt_tied.dense.fp32 gpt_untied.nm.fp32; do
  "$BIN" predict "$WORK/$e.h5" --prompt "$prompt" --tokens 40 --temperature 0 >"$WORK/$e.gen.txt"
done
echo "topiary side: ${SECONDS}s"

PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$SRC/python" "$PY" - "$WORK" "$DATA/sst2/dev.tsv" "$prompt" <<'PY'
import glob, json, os, sys
import numpy as np
from topiary_h5 import load_export, read_lines

work, dev_tsv, prompt = sys.argv[1:4]
# predict's readers: tsv = header + tab-separated fields, text as is; text = non-blank lines.
rows = [r.split("\t") for r in open(dev_tsv, encoding="utf-8").read().split("\n")[1:] if r]
dev = [r[0] for r in rows]
edge = read_lines(f"{work}/edge.txt")
failures = []

def compare(path, inputs, jsonl):
    cpp = np.array([json.loads(line)["logits"] for line in open(jsonl)], dtype=np.float64)
    py = m.classify(inputs).double().numpy()
    assert cpp.shape == py.shape, (jsonl, cpp.shape, py.shape)
    return float(np.abs(cpp - py).max())

exports = sorted(p for p in glob.glob(f"{work}/*.h5") if p.count(".") >= 3 and "gpt" not in p)
assert len(exports) == 15, exports
for path in exports:
    m = load_export(path)
    assert m.label_names == ["0", "1"] and set(m.model.state_dict()) == set(m.state_dict)
    name = os.path.basename(path)
    kinds = sorted(set(m.encodings.values()))
    fmt = name.split(".")[1]
    assert fmt in kinds or fmt in ("dense", "thinned"), (name, kinds)  # the format is really used
    ids = [m.encode_text(t) for t in dev]
    assert any(1 in x for x in ids), "no <unk> exercised"
    diff = max(compare(path, dev, f"{path}.dev.jsonl"), compare(path, edge, f"{path}.edge.jsonl"))
    print(f"{'ok' if diff <= 1e-5 else 'FAIL'}: {name:32s} {m.spec['type']:11s} {'+'.join(kinds):13s} max |logit diff| {diff:.2e}")
    if not diff <= 1e-5:
        failures.append(name)

for name, fmt in (("gpt_tied", "dense"), ("gpt_untied", "nm")):
    m = load_export(f"{work}/{name}.{fmt}.fp32.h5")
    assert ("head.weight" in m.state_dict) == (name == "gpt_untied"), sorted(m.state_dict)
    expected = json.load(open(f"{work}/{name}.eval.json"))
    stream = m.token_stream(read_lines(f"{work}/lm_valid.txt"))
    assert len(stream) - 1 == expected["tokens"], (len(stream) - 1, expected)
    loss = m.language_model_loss(stream)
    rel = abs(loss - expected["loss"]) / abs(expected["loss"])
    generated = prompt + m.tokenizer.decode(m.generate(prompt, 40))
    with open(f"{work}/{name}.{fmt}.fp32.gen.txt", "rb") as f:  # bytes may be any
        cpp_text = f.read()[:-1].decode("utf-8", "surrogateescape")
    same = generated == cpp_text
    print(f"{'ok' if rel <= 1e-5 and same else 'FAIL'}: {name} ({m.tokenizer.description}, {fmt}) valid loss {loss:.6f} vs eval "
          f"{expected['loss']:.6f} (rel {rel:.1e}); greedy text {'equal' if same else 'DIFFERS'}")
    if not (rel <= 1e-5 and same):
        failures.append(name)
        if not same:
            print(f"  python: {generated!r}\n  c++:    {cpp_text!r}")
sys.exit(f"FAIL: Python differs from topiary for {failures}" if failures else 0)
PY
echo "python_interop: ${SECONDS}s in all"
