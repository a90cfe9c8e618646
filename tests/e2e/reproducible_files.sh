# Acceptance: the files Topiary writes are a function of their contents, not of when they were
# written, so their checksums identify them: the same prepare, the same 2-rank training run and
# the same export, each repeated in a later second, give byte-identical files. Both runs use the
# same paths (checkpoints record their recipe and data paths) and are then moved aside.
source "$(dirname "$0")/../lib.sh"
cp "$SRC/tests/data/recipes/tiny_layer.yaml" "$WORK/recipe.yaml"
for run in first second; do
  "$BIN" prepare --input "$DATA/sst2/train.tsv" --valid "$DATA/sst2/dev.tsv" \
    --output "$WORK/sst2.h5" >/dev/null
  mpi 2 train --recipe "$WORK/recipe.yaml" --output "$WORK/run" >/dev/null
  "$BIN" export "$WORK/run/final.h5" --format csr -o "$WORK/model.h5" >/dev/null
  mkdir "$WORK/$run" && mv "$WORK/sst2.h5" "$WORK/run" "$WORK/model.h5" "$WORK/$run/"
  sleep 1.1  # HDF5 records object times in whole seconds
done
files=(sst2.h5 run/final.h5 "run/best/$(ls "$WORK/first/run/best")" model.h5)
for file in "${files[@]}"; do
  [ -s "$WORK/first/$file" ] || fail "$file was not written"
  a=$(sha256sum <"$WORK/first/$file") b=$(sha256sum <"$WORK/second/$file")
  [ "$a" = "$b" ] || fail "$file differs between two identical runs (${a%% *} vs ${b%% *})"
done
echo "ok: ${files[*]} are byte-identical across two runs"
