#!/usr/bin/env bash
# Length bucketing and the `augment` modifier (EDA: delete, swap, insert, mask) changes what a classifier
# trains on, only in the stage that has it, and stays deterministic: a 2-rank run stopped in the
# augmented stage and resumed ends bitwise equal to the uninterrupted run; on a language-model
# dataset the modifier is refused with its file:line:col.
source "$(dirname "$0")/../lib.sh"
"$BIN" prepare --format tsv --input "$DATA/sst2/dev.tsv" --valid-fraction 0.25 --output "$WORK/dev.h5" >/dev/null
cat > "$WORK/aug.yaml" <<YAML
name: augment
seed: 3
data: {path: $WORK/dev.h5}
model: {type: textcnn, embedding_dim: 16, filters: 8, widths: [3, 4], dropout: 0.0, max_length: 40}
training: {batch_size: 32, optimizer: adam, lr: 0.003, eval_every: 1000it, threads: 1}
stages:
  - name: augmented
    until: 30it
    modifiers:
      - augment: {delete: 0.1, swap: 0.1, insert: 0.05, mask: 0.05, span: 2}
  - name: plain
    until: 40it
YAML
"$BIN" recipe plan "$WORK/aug.yaml" --dataset-size 654 | grep -q "augment delete 0.1 swap 0.1 insert 0.05 mask 0.05 (span 2)" \
  || fail "plan does not show the augmentation"
mpi 2 train --recipe "$WORK/aug.yaml" --output "$WORK/full" >/dev/null
mpi 2 train --recipe "$WORK/aug.yaml" --output "$WORK/split" --checkpoint-every 10it --stop-at 17 >/dev/null
mpi 2 train --recipe "$WORK/aug.yaml" --output "$WORK/split" --resume "$WORK/split" >"$WORK/resume.log"
grep -q "at step 17" "$WORK/resume.log" || { cat "$WORK/resume.log"; fail "did not resume at step 17"; }
# The same recipe without augmentation (the augment modifier removed) trains differently.
mpi 2 train --recipe "$WORK/aug.yaml" --set 'stages.0.modifiers=[]' --output "$WORK/plain" >/dev/null
"$PY" - "$WORK/full/final.h5" "$WORK/split/final.h5" "$WORK/plain/final.h5" <<'PY'
import sys, h5py
full, split, plain = (h5py.File(p, "r") for p in sys.argv[1:4])
for k in full["weights"]:
    assert full["weights"][k][()].tobytes() == split["weights"][k][()].tobytes(), f"{k} differs after resume"
assert any(full["weights"][k][()].tobytes() != plain["weights"][k][()].tobytes() for k in full["weights"]), \
    "augmentation changed nothing"
print("ok: augmented run resumed bitwise; differs from the unaugmented run")
PY
head -n 200 "$DATA/tinyshakespeare/input.txt" > "$WORK/lm.txt"
"$BIN" prepare --format text --tokenizer char --input "$WORK/lm.txt" --output "$WORK/lm.h5" >/dev/null
expect_user_error "aug.yaml:10:18: key 'stages.0.modifiers.0.augment'" "$BIN" train --recipe "$WORK/aug.yaml" --set data.path="$WORK/lm.h5" \
  --set model.type=gpt --set model.max_positions=16 --set model.heads=2 --set model.layers=1 --set model.ffn=16 --output "$WORK/lm"
# Length bucketing (training.bucket_by_length) with augmentation: trains, and is refused for LM data.
mpi 2 train --recipe "$WORK/aug.yaml" --set training.bucket_by_length=4 --output "$WORK/bucketed" >/dev/null
[ -f "$WORK/bucketed/final.h5" ] || fail "bucketed run wrote no final checkpoint"
expect_user_error "bucket_by_length applies to classification" "$BIN" train --recipe "$WORK/aug.yaml" \
  --set 'stages.0.modifiers=[]' --set training.bucket_by_length=4 --set data.path="$WORK/lm.h5" \
  --set model.type=gpt --set model.max_positions=16 --set model.heads=2 --set model.layers=1 --set model.ffn=16 --output "$WORK/lm2"
echo "augment: ok"
