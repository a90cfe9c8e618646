# Acceptance: bad recipes and bad data give one clear error line and exit code 2.
source "$(dirname "$0")/../lib.sh"
prepare_sst2
r="$SRC/tests/data/recipes/tiny_layer.yaml"
cp "$r" "$WORK/recipe.yaml"
# Recipe: unknown key, wrong type, target matching no parameter.
sed 's/^seed: 3/seed: 3\nsede: 4/' "$r" >"$WORK/unknown.yaml"
expect_user_error "sede" "$BIN" train --recipe "$WORK/unknown.yaml"
expect_user_error "unknown.yaml:5" "$BIN" recipe check "$WORK/unknown.yaml"
sed 's/lr: 0.002/lr: fast/' "$r" >"$WORK/type.yaml"
expect_user_error "training.lr" "$BIN" train --recipe "$WORK/type.yaml"
sed 's/"fc.weight"/"classifier.*"/' "$r" >"$WORK/target.yaml"
expect_user_error "matches no parameter" mpirun --bind-to none -np 2 "$BIN" train --recipe "$WORK/target.yaml"
# Data: missing column, empty file, missing dataset file.
expect_user_error "nosuch" "$BIN" prepare --format tsv --input "$DATA/sst2/train.tsv" \
  --text-column nosuch --label-column label --output "$WORK/x.h5"
: >"$WORK/empty.tsv"
expect_user_error "empty.tsv" "$BIN" prepare --format tsv --input "$WORK/empty.tsv" --output "$WORK/x.h5"
expect_user_error "missing.h5" "$BIN" train --recipe "$WORK/recipe.yaml" --set data.path="$WORK/missing.h5"
expect_user_error "--nosuch" "$BIN" train --recipe "$WORK/recipe.yaml" --nosuch
# A mistyped collective deadline is refused, not turned into a deadline of a millisecond.
TOPIARY_COLLECTIVE_TIMEOUT=5min expect_user_error \
  "TOPIARY_COLLECTIVE_TIMEOUT: expected a positive number of seconds, found '5min'" \
  "$BIN" train --recipe "$WORK/recipe.yaml" --set data.path="$WORK/sst2.h5"
[ ! -e "$WORK/x.h5" ] || fail "a failed prepare left an output file"
echo "ok: all bad inputs rejected"
