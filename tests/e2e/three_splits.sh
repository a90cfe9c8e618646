# Acceptance: three splits. `prepare --test` holds the GLUE dev set out as a test split beside a
# validation split carved from train; training (and so model selection) never reads it: two
# datasets that differ only in their test split train to the same metrics, bit for bit.
# `eval --split test` scores exactly the test file (checked against `predict` on the raw dev
# sentences), on 1 and 2 ranks; a dataset without a test split, a test split for language-model
# data, and a test label the training data lacks are errors that name the problem.
source "$(dirname "$0")/../lib.sh"
split_args=(--format tsv --input "$DATA/sst2/train.tsv" --valid-fraction 0.05 --seed 7)
"$BIN" prepare "${split_args[@]}" --test "$DATA/sst2/dev.tsv" --output "$WORK/sst2.h5" \
  >"$WORK/prepare.txt"
grep -q "examples: train .*, valid .*, test 872" "$WORK/prepare.txt" ||
  { cat "$WORK/prepare.txt"; fail "prepare did not report the 872 test examples"; }
"$BIN" data inspect "$WORK/sst2.h5" | grep -q "^test: 872 examples" || fail "inspect shows no test split"
head -301 "$DATA/sst2/dev.tsv" >"$WORK/dev300.tsv"
"$BIN" prepare "${split_args[@]}" --test "$WORK/dev300.tsv" --output "$WORK/other.h5" >/dev/null

cp "$SRC/tests/data/recipes/tiny_layer.yaml" "$WORK/recipe.yaml"
mpi 2 train --recipe "$WORK/recipe.yaml" --output "$WORK/run" >/dev/null
sed -i 's#path: sst2.h5#path: other.h5#' "$WORK/recipe.yaml"
mpi 2 train --recipe "$WORK/recipe.yaml" --output "$WORK/run_other" >/dev/null
"$PY" - "$WORK/run/metrics.jsonl" "$WORK/run_other/metrics.jsonl" <<'PY'
import json, sys
def evals(path):
    return [{k: e[k] for k in ("step", "loss", "accuracy", "macro_f1")}
            for e in map(json.loads, open(path)) if e["event"] == "eval"]
a, b = evals(sys.argv[1]), evals(sys.argv[2])
assert a and a == b, f"the test split changed training:\n{a}\n{b}"
print(f"ok: {len(a)} evaluations identical whatever the test split holds")
PY

final="$WORK/run/final.h5"
[ -f "$final" ] || final=$(ls "$WORK"/run/*.h5 | tail -1)
"$BIN" eval "$final" --split test --json >"$WORK/test1.json"
mpi 2 eval "$final" --split test --json >"$WORK/test2.json"
"$BIN" eval "$final" --split valid --json >"$WORK/valid.json"
"$BIN" predict "$final" --input "$DATA/sst2/dev.tsv" --format tsv --text-column sentence \
  --label-column label >"$WORK/predict.jsonl" 2>"$WORK/predict.txt"
"$PY" - "$WORK/test1.json" "$WORK/test2.json" "$WORK/valid.json" "$WORK/predict.jsonl" <<'PY'
import json, sys
one, two, valid = (json.load(open(p)) for p in sys.argv[1:4])
rows = [json.loads(line) for line in open(sys.argv[4]) if line.strip()]
assert one["split"] == "test" and one["examples"] == two["examples"] == 872, one
assert valid["split"] == "valid" and valid["examples"] != 872, valid
assert abs(one["accuracy"] - two["accuracy"]) < 1e-12, (one, two)
assert len(rows) == 872, len(rows)
correct = sum(str(r["label"]) == str(r["gold"]) for r in rows)
assert correct == round(one["accuracy"] * 872), (correct, one["accuracy"])
print(f"ok: eval --split test = predict on dev.tsv: {correct}/872 = {one['accuracy']:.4f} "
      f"(valid {valid['accuracy']:.4f})")
PY

# The same train/valid split (a --test file takes nothing from --input), without a test split.
"$BIN" prepare "${split_args[@]}" --output "$WORK/no_test.h5" >/dev/null
"$BIN" eval "$final" --data "$WORK/no_test.h5" --split valid --json >"$WORK/valid_again.json"
cmp -s <("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["accuracy"], d["loss"])' "$WORK/valid.json") \
  <("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["accuracy"], d["loss"])' "$WORK/valid_again.json") ||
  fail "the validation split changed when --test was left out"
expect_user_error "has no test split" "$BIN" eval "$final" --data "$WORK/no_test.h5" --split test
expect_user_error "--test and --test-fraction are for classification" \
  "$BIN" prepare --format text --input "$DATA/tinyshakespeare/input.txt" --test-fraction 0.1 \
  --output "$WORK/lm.h5"
printf 'sentence\tlabel\nfine\t1\nodd\tneutral\n' >"$WORK/bad_test.tsv"
expect_user_error "bad_test.tsv:3: label 'neutral'" \
  "$BIN" prepare "${split_args[@]}" --test "$WORK/bad_test.tsv" --output "$WORK/bad.h5"
[ ! -e "$WORK/bad.h5" ] || fail "a failed prepare left $WORK/bad.h5"
echo "ok: three splits"
