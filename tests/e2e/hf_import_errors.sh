#!/usr/bin/env bash
# `topiary import hf` reads the pretrained MiniLM and refuses broken Hugging Face folders with
# exit 2 and one line naming the file and the tensor or key: a truncated model.safetensors, a
# header offset past the end of the data, a dtype Topiary does not read, a config.json whose
# sizes disagree with the weights, an architecture it does not implement. A recipe naming such
# a folder fails the same way before training starts.
source "$(dirname "$0")/../lib.sh"
need_pretrained
"$BIN" import hf "$PRETRAINED" -o "$WORK/minilm.h5" >"$WORK/import.log"
grep -q "bert, 6 layers, hidden 384, 12 heads, ffn 1536, vocabulary 30522, 103 tensors" \
  "$WORK/import.log" || { cat "$WORK/import.log"; fail "import summary"; }

# broken COPY: a copy of the model folder (weights copied so that they can be damaged).
broken() {
  rm -rf "$WORK/$1"
  mkdir -p "$WORK/$1"
  cp "$PRETRAINED"/{config.json,model.safetensors,tokenizer.json} "$WORK/$1/"
}
broken truncated
truncate -s 50000000 "$WORK/truncated/model.safetensors"
expect_user_error "$WORK/truncated/model.safetensors: tensor '" \
  "$BIN" import hf "$WORK/truncated" -o "$WORK/x.h5"
grep -q "lie outside the .* data bytes (truncated file?)" "$WORK/err.txt" || fail "truncation not said"

# Damaged headers and dtypes written with the safetensors package itself.
broken offsets
broken dtype
"$PY" - "$WORK/offsets/model.safetensors" "$WORK/dtype/model.safetensors" <<'PY'
import json, struct, sys
import torch
from safetensors.torch import load_file, save_file
path = sys.argv[1]
raw = open(path, "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
header = json.loads(raw[8:8 + n])
header["pooler.dense.bias"]["data_offsets"] = [len(raw), len(raw) + 1536]
text = json.dumps(header).encode()
open(path, "wb").write(struct.pack("<Q", len(text)) + text + raw[8 + n:])
tensors = load_file(sys.argv[2])
tensors["pooler.dense.weight"] = tensors["pooler.dense.weight"].double()
save_file(tensors, sys.argv[2])
PY
expect_user_error "$WORK/offsets/model.safetensors: tensor 'pooler.dense.bias': data_offsets [" \
  "$BIN" import hf "$WORK/offsets" -o "$WORK/x.h5"
expect_user_error "$WORK/dtype/model.safetensors: tensor 'pooler.dense.weight': dtype 'F64' is not supported" \
  "$BIN" import hf "$WORK/dtype" -o "$WORK/x.h5"

broken shape
sed -i 's/"hidden_size": 384/"hidden_size": 768/' "$WORK/shape/config.json"
expect_user_error "$WORK/shape/model.safetensors: tensor '" \
  "$BIN" import hf "$WORK/shape" -o "$WORK/x.h5"
grep -q "config.json gives \[" "$WORK/err.txt" || fail "the expected shape is not named"

broken activation
sed -i 's/"hidden_act": "gelu"/"hidden_act": "gelu_new"/' "$WORK/activation/config.json"
expect_user_error "$WORK/activation/config.json: key 'hidden_act' is \"gelu_new\"; only \"gelu\" is supported" \
  "$BIN" import hf "$WORK/activation" -o "$WORK/x.h5"
broken positions
sed -i 's/"position_embedding_type": "absolute"/"position_embedding_type": "relative_key"/' \
  "$WORK/positions/config.json"
expect_user_error "key 'position_embedding_type' is \"relative_key\"" \
  "$BIN" import hf "$WORK/positions" -o "$WORK/x.h5"
broken family
sed -i 's/"model_type": "bert"/"model_type": "roberta"/' "$WORK/family/config.json"
expect_user_error "$WORK/family/config.json: key 'model_type' is \"roberta\"; only \"bert\"" \
  "$BIN" import hf "$WORK/family" -o "$WORK/x.h5"
expect_user_error "$WORK/none: no such pretrained model" \
  "$BIN" import hf "$WORK/none" -o "$WORK/x.h5"
[ ! -e "$WORK/x.h5" ] || fail "a refused import left an output file"

# A recipe whose model.from is broken fails before training, naming the same file.
prepare_sst2
cat >"$WORK/recipe.yaml" <<YAML
data: {path: $WORK/sst2.h5}
model: {type: bert, from: $WORK/activation}
stages: [{name: fine-tune, until: 1ep}]
YAML
expect_user_error "key 'hidden_act'" "$BIN" train --recipe "$WORK/recipe.yaml" --output "$WORK/run"
# And a dataset not tokenized with the model's vocabulary is refused, saying how to prepare it.
sed -i "s|from: $WORK/activation|from: $WORK/minilm.h5|" "$WORK/recipe.yaml"
expect_user_error "prepare it with \`--tokenizer wordpiece --vocab $WORK/minilm.h5\`" \
  "$BIN" train --recipe "$WORK/recipe.yaml" --output "$WORK/run"
# The imported file serves as --vocab and as model.from, like the folder it came from.
"$BIN" prepare --format tsv --input "$DATA/sst2/dev.tsv" --valid-fraction 0.1 --tokenizer wordpiece \
  --vocab "$WORK/minilm.h5" --output "$WORK/dev_wp.h5" >/dev/null
"$BIN" prepare --format tsv --input "$DATA/sst2/dev.tsv" --valid-fraction 0.1 --tokenizer wordpiece \
  --vocab "$PRETRAINED" --output "$WORK/dev_wp_folder.h5" >/dev/null
"$PY" - "$WORK/dev_wp.h5" "$WORK/dev_wp_folder.h5" <<'PY'
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
for split in ("train", "valid"):
    for key in ("tokens", "offsets", "labels"):
        assert np.array_equal(a[split][key][()], b[split][key][()]), (split, key)
PY
sed -i "s|data: {path: $WORK/sst2.h5}|data: {path: $WORK/dev_wp.h5}|" "$WORK/recipe.yaml"
"$BIN" train --recipe "$WORK/recipe.yaml" --set 'stages.0.until=2it' --output "$WORK/run" >"$WORK/train.log"
grep -q "pretrained $WORK/minilm.h5: 103 tensors loaded; new: fc.weight, fc.bias" "$WORK/train.log" ||
  { cat "$WORK/train.log"; fail "training from the imported file"; }
# What a BERT recipe refuses: architecture keys, a model-side max_length (it would cut [SEP]).
expect_user_error "model.layers': is set by the pretrained model's config.json" \
  "$BIN" train --recipe "$WORK/recipe.yaml" --set model.layers=2 --output "$WORK/run2"
expect_user_error "truncate with \`topiary prepare --tokenizer wordpiece --max-length N\`" \
  "$BIN" train --recipe "$WORK/recipe.yaml" --set model.max_length=32 --output "$WORK/run2"
# Layer-wise distillation matches the layers one to one: a teacher without them (a TextCNN) is
# refused at the first step, and a student that is not a BERT before training starts.
cat >"$WORK/textcnn.yaml" <<YAML
data: {path: $WORK/dev_wp.h5}
model: {type: textcnn}
stages: [{name: train, until: 2it}]
YAML
"$BIN" train --recipe "$WORK/textcnn.yaml" --output "$WORK/textcnn" >/dev/null
expect_user_error "hidden needs a student and a teacher with hidden states of the same shapes (model.type bert): the student has 6 layers, the teacher 0" \
  "$BIN" train --recipe "$WORK/recipe.yaml" --set 'stages.0.until=2it' \
  --set "stages.0.modifiers=[{distill: {teacher: $WORK/textcnn/final.h5, hidden: 1}}]" --output "$WORK/run3"
expect_user_error "hidden (layer-wise distillation) needs model.type bert, whose layers it matches one to one; this recipe's is 'textcnn'" \
  "$BIN" train --recipe "$WORK/textcnn.yaml" \
  --set "stages.0.modifiers=[{distill: {teacher: $WORK/run/final.h5, hidden: 1}}]" --output "$WORK/run4"
echo "ok: import hf and its refusals"
