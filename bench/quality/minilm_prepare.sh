# shellcheck shell=bash
# Sourced by the minilm_* scripts: every SST-2 dataset they prepare for MiniLM uses the same
# tokenizer settings, so their datasets stay interchangeable. Needs BIN and WORK set.
minilm_prepare() {
  "$BIN" prepare --format tsv --text-column sentence --label-column label --tokenizer wordpiece \
    --vocab "$WORK/.pretrained/all-minilm-l6-v2" --max-length 66 "$@"
}
