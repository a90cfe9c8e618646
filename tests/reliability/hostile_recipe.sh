# Nothing in a recipe or dataset is executed, relative paths resolve against the
# recipe's directory, and training writes nothing outside the declared output directory (the
# dataset and recipe files stay byte-identical).
source "$(dirname "$0")/../lib.sh"
mkdir -p "$WORK/recipes/data" "$WORK/elsewhere"
prepare_sst2
mv "$WORK/sst2.h5" "$WORK/recipes/data/sst2.h5"
canary="$WORK/pwned"
# Shell, YAML-tag and variable tricks in every kind of text value: all must stay plain text.
cat >"$WORK/recipes/hostile.yaml" <<YAML
name: "\$(touch $canary)"
description: "\`touch $canary\`; \${cmd}"
variables: {cmd: "\$(touch $canary)", path: data/sst2.h5}
data: {path: "\${path}"}
model: {type: textcnn, embedding_dim: 16, filters: 8, widths: [2, 3], max_length: 30}
training: {batch_size: 64, eval_every: 20it}
stages:
  - name: "; touch $canary"
    until: 40it
    modifiers:
      - prune: {targets: ["convs.*.weight"], final_sparsity: 0.5, start: 10it, end: 30it, every: 10it}
YAML
before_hash=$(sha256sum "$WORK/recipes/data/sst2.h5" "$WORK/recipes/hostile.yaml")
before_files=$(cd "$WORK" && find . -path ./out -prune -o -print | sort)
# Run from another directory: the data path must resolve against the recipe, not the cwd.
(cd "$WORK/elsewhere" && mpi 2 train --recipe ../recipes/hostile.yaml --output "$WORK/out" >"$WORK/log.txt")
"$BIN" recipe dump "$WORK/recipes/hostile.yaml" >"$WORK/dump.yaml"
grep -q "path: $WORK/recipes/data/sst2.h5" "$WORK/dump.yaml" || { cat "$WORK/dump.yaml"; fail "data.path not resolved against the recipe's directory"; }
grep -qF 'touch' "$WORK/dump.yaml" || fail "the text values were lost"
[ ! -e "$canary" ] || fail "something in the recipe was executed"
[ "$before_hash" = "$(sha256sum "$WORK/recipes/data/sst2.h5" "$WORK/recipes/hostile.yaml")" ] ||
  fail "training modified its dataset or recipe"
after_files=$(cd "$WORK" && find . -path ./out -prune -o -print | sort)
new=$(comm -13 <(echo "$before_files") <(echo "$after_files") | grep -v -e '^./log.txt$' -e '^./dump.yaml$' || true)
[ -z "$new" ] || fail "training wrote outside its output directory: $new"
[ -f "$WORK/out/final.h5" ] || fail "no final checkpoint"
# A YAML tag that other loaders would turn into an object is refused or read as text, never run.
printf 'data: {path: !!python/object/apply:os.system ["touch %s"]}\nstages: [{until: 1ep}]\n' "$canary" >"$WORK/tag.yaml"
"$BIN" recipe check "$WORK/tag.yaml" >/dev/null 2>&1 || true
[ ! -e "$canary" ] || fail "a YAML tag was executed"
echo "ok: recipe text stayed text, data resolved next to the recipe, nothing written outside $WORK/out"
