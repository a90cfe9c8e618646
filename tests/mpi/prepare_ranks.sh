#!/usr/bin/env bash
# Parallel sharded prepare: 1, 2 and 4 ranks give the same dataset (same vocabulary,
# same token ids, same train/valid documents) for char and word tokenizers on real corpora, and
# the same as the in-memory prepare of the same file (below --shard-mb); the
# sharded dataset trains; a rerun on unchanged input is a no-op; a bad byte in any shard is the
# same clear error on every rank count; new options replace the old shards.
source "$(dirname "$0")/../lib.sh"

shakespeare="$DATA/tinyshakespeare/input.txt"
wiki="$DATA/wikitext2/wiki.valid.tokens"

prep() {  # ranks out [flags...]
  local n=$1 out=$2; shift 2
  mpi "$n" prepare --format text --output "$out" "$@" > "$out.log"
}
compare() {  # a.h5 b.h5: same vocabulary and splits (b may be an in-memory dataset)
  "$PY" - "$1" "$2" <<'PY'
import sys, h5py, numpy as np, os
def load(path):
    with h5py.File(path, "r") as f:
        vocab = [v.decode() if isinstance(v, bytes) else v for v in f["vocabulary"][()]]
        if f.attrs.get("layout") != "sharded":
            return vocab, None, {split: (f[split]["tokens"][()], np.diff(f[split]["offsets"][()]))
                                 for split in ("train", "valid")}
        shards = [s.decode() if isinstance(s, bytes) else s for s in f["shards"][()]]
    splits = {}
    for split in ("train", "valid"):
        tokens, lengths = [], []
        for s in shards:
            with h5py.File(os.path.join(os.path.dirname(path), s), "r") as g:
                tokens.append(g[split]["tokens"][()]); lengths.append(np.diff(g[split]["offsets"][()]))
        splits[split] = (np.concatenate(tokens), np.concatenate(lengths))
    return vocab, len(shards), splits
va, na, sa = load(sys.argv[1]); vb, nb, sb = load(sys.argv[2])
assert va == vb, "vocabularies differ"
assert na == nb or nb is None, (na, nb)
for split in ("train", "valid"):
    assert np.array_equal(sa[split][0], sb[split][0]), split + " tokens differ"
    assert np.array_equal(sa[split][1], sb[split][1]), split + " documents differ"
print(f"same: {len(va)} tokens in vocabulary, {na} shards, {len(sa['train'][1])} train / {len(sa['valid'][1])} valid documents, {len(sa['train'][0])} train tokens")
PY
}

# Char tokenizer, Tiny Shakespeare (1.1 MB) in 0.1 MiB shards.
for n in 1 2 4; do prep "$n" "$WORK/char$n.h5" --input "$shakespeare" --tokenizer char --shard-mb 0.1; done
grep -q "shards: 11" "$WORK/char1.h5.log" || { cat "$WORK/char1.h5.log"; fail "expected 11 shards"; }
compare "$WORK/char1.h5" "$WORK/char2.h5"
compare "$WORK/char1.h5" "$WORK/char4.h5"
"$BIN" prepare --format text --input "$shakespeare" --tokenizer char --output "$WORK/char_memory.h5" > "$WORK/char_memory.log"
grep -q shards "$WORK/char_memory.log" && fail "the 1.1 MB file took the sharded path at the default --shard-mb"
compare "$WORK/char2.h5" "$WORK/char_memory.h5"

# Word tokenizer (vocabulary counts merged over ranks), WikiText-2 valid in 0.1 MiB shards.
for n in 1 2 4; do prep "$n" "$WORK/word$n.h5" --input "$wiki" --tokenizer word --shard-mb 0.1 --min-frequency 2; done
compare "$WORK/word1.h5" "$WORK/word2.h5"
compare "$WORK/word1.h5" "$WORK/word4.h5"
"$BIN" prepare --format text --input "$wiki" --tokenizer word --min-frequency 2 --output "$WORK/word_memory.h5" > "$WORK/word_memory.log"
compare "$WORK/word4.h5" "$WORK/word_memory.h5"
# A --valid file: the same on both paths too.
prep 2 "$WORK/word_file.h5" --input "$wiki" --valid "$DATA/wikitext2/wiki.test.tokens" --tokenizer word --shard-mb 0.1
"$BIN" prepare --format text --input "$wiki" --valid "$DATA/wikitext2/wiki.test.tokens" --tokenizer word --output "$WORK/word_file_memory.h5" > "$WORK/word_file_memory.log"
compare "$WORK/word_file.h5" "$WORK/word_file_memory.h5"

# The sharded dataset is a dataset: inspect and a few training steps read it.
"$BIN" data inspect "$WORK/char2.h5" > "$WORK/inspect.txt"
grep -q "language_model\|language model" "$WORK/inspect.txt" || { cat "$WORK/inspect.txt"; fail "inspect"; }
cat > "$WORK/gpt.yaml" <<YAML
name: sharded_smoke
seed: 1
data: {path: $WORK/char2.h5}
model: {type: gpt, embedding_dim: 32, layers: 1, heads: 2, ffn: 64, max_positions: 32, dropout: 0.0}
training: {batch_size: 8, optimizer: adam, lr: 0.001, eval_every: 1000it, threads: 1}
stages:
  - name: dense
    until: 3it
YAML
"$BIN" train --recipe "$WORK/gpt.yaml" --output "$WORK/run" > "$WORK/train.log" 2>&1 || { cat "$WORK/train.log"; fail "train on a sharded dataset"; }

# Rerun on unchanged input: nothing is written.
cp "$WORK/char2.h5.log" "$WORK/char2.first.log"
before=$(stat -c %Y.%s "$WORK/char2.h5"; ls -l --time-style=+%s.%N "$WORK/char2.h5.shards" | md5sum)
sleep 1
prep 2 "$WORK/char2.h5" --input "$shakespeare" --tokenizer char --shard-mb 0.1
grep -q "up to date" "$WORK/char2.h5.log" || { cat "$WORK/char2.h5.log"; fail "rerun was not a no-op"; }
after=$(stat -c %Y.%s "$WORK/char2.h5"; ls -l --time-style=+%s.%N "$WORK/char2.h5.shards" | md5sum)
[ "$before" = "$after" ] || fail "rerun touched the output"
grep -q "nothing tokenized" "$WORK/char2.h5.log" || { cat "$WORK/char2.h5.log"; fail "rerun tokenized"; }
# The no-op reports the first run's counts (from the manifest).
[ "$(grep -E "documents|tokens: " "$WORK/char2.h5.log")" = "$(grep -E "documents|tokens: " "$WORK/char2.first.log")" ] ||
  fail "rerun counts differ: $(cat "$WORK/char2.h5.log") vs $(cat "$WORK/char2.first.log")"

# One changed byte in the middle of an input: the checksums differ, so the dataset is rebuilt.
cp "$shakespeare" "$WORK/shake_copy.txt"
prep 2 "$WORK/copy.h5" --input "$WORK/shake_copy.txt" --tokenizer char --shard-mb 0.1
printf 'Q' | dd of="$WORK/shake_copy.txt" bs=1 seek=500000 conv=notrunc status=none
prep 2 "$WORK/copy.h5" --input "$WORK/shake_copy.txt" --tokenizer char --shard-mb 0.1
grep -q "wrote" "$WORK/copy.h5.log" || { cat "$WORK/copy.h5.log"; fail "a changed input was taken as up to date"; }

# Other options: a new dataset replaces the old shards (none left behind).
prep 2 "$WORK/char2.h5" --input "$shakespeare" --tokenizer char --shard-mb 0.1 --seed 7
grep -q "wrote" "$WORK/char2.h5.log" || fail "new seed did not rewrite"
[ "$(ls "$WORK/char2.h5.shards" | wc -l)" -eq 11 ] || { ls "$WORK/char2.h5.shards"; fail "stale shards left"; }

# A bad byte deep in the file: the same file:line error from 1 and 4 ranks.
{ head -c 700000 "$shakespeare"; printf '\nbad \xff byte\n'; tail -c +700001 "$shakespeare"; } > "$WORK/bad.txt"
line=$(( $(head -c 700000 "$shakespeare" | wc -l) + 2 ))
expect_user_error "bad.txt:$line: invalid UTF-8 byte 0xff" mpi 1 prepare --format text --input "$WORK/bad.txt" --output "$WORK/bad.h5" --shard-mb 0.1
expect_user_error "bad.txt:$line: invalid UTF-8 byte 0xff" mpi 4 prepare --format text --input "$WORK/bad.txt" --output "$WORK/bad.h5" --shard-mb 0.1
[ ! -e "$WORK/bad.h5" ] || fail "a failed prepare left a dataset"
prep 4 "$WORK/skip.h5" --input "$WORK/bad.txt" --shard-mb 0.1 --on-bad skip
grep -q "skipped 1 bad records" "$WORK/skip.h5.log" || { cat "$WORK/skip.h5.log"; fail "skip count"; }
grep -q "bad.txt:$line" "$WORK/skip.h5.log" || { cat "$WORK/skip.h5.log"; fail "skip message names the line"; }
echo "prepare_ranks: ok"
