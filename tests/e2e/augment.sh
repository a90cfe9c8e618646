#!/usr/bin/env bash
# Length bucketing and the `augment` modifier (EDA: delete, swap, insert, mask) changes what a classifier
# trains on, only in the stage that has it, and stays deterministic: a 2-rank run stopped in the
# augmented stage and resumed ends bitwise equal to the uninterrupted run; on a language-model
# dataset the modifier is refused with its file:line:col.
# "Only in the stage that has it", by checkpoints: moving the modifier to the second stage leaves
# step 30 (the first stage's end) bitwise equal to the unaugmented run's and changes the end;
# adding it to the second stage changes the end of the run that augments the first stage only.
# Bucketing changes the batches: under a token budget (training.max_tokens) batches of similar
# length need fewer micro-batches, and the weights differ from the same run without bucketing.
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
AUGMENT='{augment: {delete: 0.1, swap: 0.1, insert: 0.05, mask: 0.05, span: 2}}'
"$BIN" recipe plan "$WORK/aug.yaml" --dataset-size 654 >"$WORK/plan.txt"
grep -q "^stage augmented: .*; augment delete 0.1 swap 0.1 insert 0.05 mask 0.05 (span 2)$" "$WORK/plan.txt" &&
  grep -q "^stage plain: " "$WORK/plan.txt" && ! grep -q "^stage plain: .*augment" "$WORK/plan.txt" ||
  { cat "$WORK/plan.txt"; fail "plan does not show the augmentation in stage augmented only"; }
mpi 2 train --recipe "$WORK/aug.yaml" --output "$WORK/full" --checkpoint-every 10it >/dev/null
mpi 2 train --recipe "$WORK/aug.yaml" --output "$WORK/split" --checkpoint-every 10it --stop-at 17 >/dev/null
mpi 2 train --recipe "$WORK/aug.yaml" --output "$WORK/split" --resume "$WORK/split" >"$WORK/resume.log"
grep -q "at step 17" "$WORK/resume.log" || { cat "$WORK/resume.log"; fail "did not resume at step 17"; }
# The same recipe without augmentation (the augment modifier removed) trains differently; with
# it in the second stage only (late) or in both stages (both) it acts only from step 30 on.
mpi 2 train --recipe "$WORK/aug.yaml" --set 'stages.0.modifiers=[]' --output "$WORK/plain" \
  --checkpoint-every 10it >/dev/null
mpi 2 train --recipe "$WORK/aug.yaml" --set 'stages.0.modifiers=[]' --set "stages.1.modifiers=[$AUGMENT]" \
  --output "$WORK/late" --checkpoint-every 10it >/dev/null
mpi 2 train --recipe "$WORK/aug.yaml" --set "stages.1.modifiers=[$AUGMENT]" --output "$WORK/both" \
  --checkpoint-every 10it >/dev/null
# Length bucketing (training.bucket_by_length) with augmentation, against the same run without it,
# both under a token budget of 160 padded tokens per micro-batch (each rank's 16 rows).
mpi 2 train --recipe "$WORK/aug.yaml" --set training.max_tokens=160 --output "$WORK/unbucketed" >/dev/null
mpi 2 train --recipe "$WORK/aug.yaml" --set training.max_tokens=160 --set training.bucket_by_length=4 \
  --output "$WORK/bucketed" >/dev/null
"$PY" - "$WORK" <<'PY'
import json, sys, h5py
work = sys.argv[1]
def weights(path):
    with h5py.File(f"{work}/{path}", "r") as f:
        return {k: f["weights"][k][()].tobytes() for k in f["weights"]}
def same(a, b):
    a, b = weights(a), weights(b)
    return a.keys() == b.keys() and all(a[k] == b[k] for k in a)
end, step30 = "final.h5", "checkpoints/step-00000030.h5"
full = weights(f"full/{end}")
for k, v in weights(f"split/{end}").items():
    assert full[k] == v, f"{k} differs after resume"
assert not same(f"full/{end}", f"plain/{end}"), "augmentation changed nothing"
print("ok: augmented run resumed bitwise; differs from the unaugmented run")
assert same(f"late/{step30}", f"plain/{step30}"), "augment in stage plain changed stage augmented (steps 0-30)"
assert not same(f"late/{end}", f"plain/{end}"), "augment in stage plain (steps 30-40) changed nothing"
assert same(f"both/{step30}", f"full/{step30}"), "augment in stage plain changed stage augmented (steps 0-30)"
assert not same(f"both/{end}", f"full/{end}"), \
    "the first stage's augmentation carried on into stage plain (steps 30-40 trained as if augmented)"
print("ok: augmentation acts only in its stage (step-30 checkpoints equal, ends differ)")
micro = {r: json.load(open(f"{work}/{r}/summary.json"))["micro_batches_rank0"] for r in ("unbucketed", "bucketed")}
assert micro["bucketed"] < micro["unbucketed"], f"bucketing did not reduce micro-batches under max_tokens: {micro}"
assert not same(f"bucketed/{end}", f"unbucketed/{end}"), "bucket_by_length changed nothing"
print(f"ok: bucketed batches need {micro['bucketed']} micro-batches vs {micro['unbucketed']} unbucketed; weights differ")
PY
head -n 200 "$DATA/tinyshakespeare/input.txt" > "$WORK/lm.txt"
"$BIN" prepare --format text --tokenizer char --input "$WORK/lm.txt" --output "$WORK/lm.h5" >/dev/null
expect_user_error "aug.yaml:10:18: key 'stages.0.modifiers.0.augment'" "$BIN" train --recipe "$WORK/aug.yaml" --set data.path="$WORK/lm.h5" \
  --set model.type=gpt --set model.max_positions=16 --set model.heads=2 --set model.layers=1 --set model.ffn=16 --output "$WORK/lm"
# Length bucketing is refused for LM data.
expect_user_error "bucket_by_length applies to classification" "$BIN" train --recipe "$WORK/aug.yaml" \
  --set 'stages.0.modifiers=[]' --set training.bucket_by_length=4 --set data.path="$WORK/lm.h5" \
  --set model.type=gpt --set model.max_positions=16 --set model.heads=2 --set model.layers=1 --set model.ffn=16 --output "$WORK/lm2"
echo "augment: ok"
