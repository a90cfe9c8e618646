# Acceptance: each classifier family trains on real SST-2 on 2 ranks in a short budget
# and reaches its bar on the dev set: TextCNN >= 0.80, BiLSTM >= 0.80, Transformer >= 0.78.
source "$(dirname "$0")/../lib.sh"
prepare_sst2
cp "$SRC/tests/data/recipes/sst2_dense.yaml" "$WORK/recipe.yaml"
check() {  # name bar extra-args...
  local name=$1 bar=$2; shift 2
  mpi 2 train --recipe "$WORK/recipe.yaml" --output "$WORK/$name" "$@" >"$WORK/$name.log" || { cat "$WORK/$name.log"; fail "$name"; }
  "$PY" -c "import json,sys; s=json.load(open(sys.argv[1])); a=s['final_accuracy']; print(f'$name: dev accuracy {a:.4f} (bar $bar)'); sys.exit(0 if a >= $bar else 1)" \
    "$WORK/$name/summary.json" || fail "$name below its bar"
}
check textcnn 0.80
check bilstm 0.80 --set model.type=bilstm --set model.hidden=128 --set model.dropout=0.3 \
  --set training.batch_size=64 --set training.lr=0.002 --set 'stages=[{name: dense, until: 1ep}]'
check transformer 0.78 --set model.type=transformer --set model.layers=2 --set model.heads=4 \
  --set model.ffn=256 --set model.dropout=0.1 --set training.batch_size=64 --set training.lr=0.0005 \
  --set 'stages=[{name: dense, until: 400it}]'
