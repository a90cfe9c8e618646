#!/usr/bin/env bash
# Killing `topiary prepare` mid-way leaves no dataset that `train` or `data inspect` would
# accept: not for a first run (no manifest yet), and after a previous good run the
# previous dataset stays complete and readable. Both the sharded (parallel) path and the
# one-file path are killed with SIGKILL while they are writing.
source "$(dirname "$0")/../lib.sh"

shakespeare="$DATA/tinyshakespeare/input.txt"
for i in $(seq 12); do cat "$shakespeare"; done > "$WORK/big.txt"   # ~13 MB
head -c 2000000 "$shakespeare" > "$WORK/small.txt"

kill_when_shards_appear() {  # out cmd...: start cmd, SIGKILL it once a shard file is complete
  local out=$1; shift
  "$@" > "$WORK/killed.log" 2>&1 &
  local pid=$!
  for _ in $(seq 600); do
    if compgen -G "$out.shards/*.h5" > /dev/null; then break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  kill -9 "$pid" 2>/dev/null || fail "prepare finished before it could be killed"
  wait "$pid" 2>/dev/null || true
  compgen -G "$out.shards/*.h5" > /dev/null || fail "no shard was written before the kill"
}
refused() {  # path: neither inspect nor train accept it
  expect_user_error "$1" "$BIN" data inspect "$1"
  cat > "$WORK/r.yaml" <<YAML
name: after_kill
data: {path: $1}
model: {type: gpt, embedding_dim: 16, layers: 1, heads: 2, ffn: 32, max_positions: 16}
training: {batch_size: 4, optimizer: adam, lr: 0.001, threads: 1}
stages: [{name: s, until: 2it}]
YAML
  expect_user_error "$1" "$BIN" train --recipe "$WORK/r.yaml" --output "$WORK/r-run"
}

# 1. First sharded run killed: shard files exist, but there is no dataset at --output.
kill_when_shards_appear "$WORK/a.h5" "$BIN" prepare --format text --tokenizer word \
  --input "$WORK/big.txt" --output "$WORK/a.h5" --shard-mb 1
[ ! -e "$WORK/a.h5" ] || fail "a killed first run left a manifest"
refused "$WORK/a.h5"

# 2. A good dataset, then a killed rerun on other input: the old dataset is still whole.
"$BIN" prepare --format text --tokenizer word --input "$WORK/small.txt" --output "$WORK/b.h5" --shard-mb 1 > "$WORK/good.log"
"$BIN" data inspect "$WORK/b.h5" > "$WORK/before.txt"
kill_when_shards_appear "$WORK/b.h5" "$BIN" prepare --format text --tokenizer word \
  --input "$WORK/big.txt" --output "$WORK/b.h5" --shard-mb 1
"$BIN" data inspect "$WORK/b.h5" > "$WORK/after.txt" || fail "the previous dataset was damaged"
diff "$WORK/before.txt" "$WORK/after.txt" || fail "the previous dataset changed"
# A finished rerun then replaces it and removes the killed run's leftovers.
"$BIN" prepare --format text --tokenizer word --input "$WORK/big.txt" --output "$WORK/b.h5" --shard-mb 1 > "$WORK/final.log"
n=$(grep -o 'shards: [0-9]*' "$WORK/final.log" | grep -o '[0-9]*')
[ "$(ls "$WORK/b.h5.shards" | wc -l)" -eq "$n" ] || { ls -la "$WORK/b.h5.shards"; fail "leftovers after a finished rerun"; }

# 3. The one-file path killed while writing: only a temporary file may remain. Its write
# window is a fraction of a second, so a loaded machine may miss it: then the run is
# repeated on three times the input (the finished dataset is removed first).
kill_one_file_prepare() {  # copies: succeeds only when the kill hit the write
  local copies=$1
  for _ in $(seq "$copies"); do cat "$DATA/sst2/train.tsv"; done |
    awk 'NR == 1 || !/^sentence\t/' > "$WORK/sst2xN.tsv"
  rm -rf "$WORK/c.h5" "$WORK/c.h5".tmp*
  "$BIN" prepare --format tsv --input "$WORK/sst2xN.tsv" --output "$WORK/c.h5" > "$WORK/c.log" 2>&1 &
  local pid=$!
  for _ in $(seq 3000); do
    compgen -G "$WORK/c.h5.tmp*" > /dev/null && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.01
  done
  if ! kill -9 "$pid" 2>/dev/null; then wait "$pid" 2>/dev/null; return 1; fi
  wait "$pid" 2>/dev/null || true
  compgen -G "$WORK/c.h5.tmp*" > /dev/null || return 1
}
killed=0
for copies in 3 9 27; do
  if kill_one_file_prepare "$copies"; then killed=1; break; fi
  echo "one-file prepare of $copies copies finished before the kill; retrying with more"
done
[ "$killed" = 1 ] || fail "one-file prepare finished before it could be killed (27 copies)"
[ ! -e "$WORK/c.h5" ] || fail "a killed one-file prepare left a dataset"
refused "$WORK/c.h5"
echo "prepare_kill: ok"
