# shellcheck shell=bash
# Sourced by the minilm_* scripts, after they set SRC: the work folder and binary they share, and
# the tokenizer settings every SST-2 dataset they prepare for MiniLM uses, so those datasets stay
# interchangeable.
# shellcheck disable=SC2034  # MODEL_NAME is read by the scripts that source this file
MODEL_NAME=all-minilm-l6-v2
WORK=${WORK:-${XDG_CACHE_HOME:-$HOME/.cache}/topiary/minilm-cpu}
BIN=$WORK/bin/topiary

minilm_prepare() {
  "$BIN" prepare --format tsv --text-column sentence --label-column label --tokenizer wordpiece \
    --vocab "$WORK/.pretrained/$MODEL_NAME" --max-length 66 "$@"
}
