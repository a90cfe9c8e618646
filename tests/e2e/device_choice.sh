#!/usr/bin/env bash
# training.device: `cuda` without a usable GPU is exit 2 with a message naming the device, on one
# rank and on two; `auto` trains on the CPU and says so, per rank; a checkpoint does not record
# the device, so a run resumes under another training.device; the CLI does not link
# libtorch_cuda (it is loaded only when a GPU is used).
source "$(dirname "$0")/../lib.sh"
prepare_sst2
cp "$SRC/tests/data/recipes/tiny_layer.yaml" "$WORK/recipe.yaml"

if "$BIN" --version | grep -qE "^Training device: CUDA"; then
  echo "this machine has a CUDA device: the no-GPU checks do not apply"
else
  expect_user_error "training.device: cuda was asked for, but no CUDA device is usable" \
    "$BIN" train --recipe "$WORK/recipe.yaml" --output "$WORK/cuda" --set training.device=cuda
  expect_user_error "training.device: cuda was asked for" \
    mpi 2 train --recipe "$WORK/recipe.yaml" --output "$WORK/cuda2" --set training.device=cuda
  [ ! -e "$WORK/cuda/final.h5" ] || fail "a cuda run without a GPU wrote a checkpoint"
fi
expect_user_error "nccl carries CUDA tensors only" \
  "$BIN" train --recipe "$WORK/recipe.yaml" --output "$WORK/nccl" --set training.device=cpu \
  --set training.comm=nccl

mpi 2 train --recipe "$WORK/recipe.yaml" --output "$WORK/auto" --stop-at 20 >"$WORK/auto.log"
grep -E '^topiary: ranks: 0@[^ ]+/cpu 1@[^ ]+/cpu$' "$WORK/auto.log" || { cat "$WORK/auto.log"; fail "no per-rank device line"; }
grep -E 'on 2 rank\(s\) \[mpi, tensors: mpi\] on CPU' "$WORK/auto.log" || { cat "$WORK/auto.log"; fail "no device in the banner"; }
mpi 2 train --recipe "$WORK/recipe.yaml" --output "$WORK/auto" --resume "$WORK/auto" \
  --set training.device=cpu --set training.comm=mpi >"$WORK/resume.log"
grep -q "resumed from .* at step 20" "$WORK/resume.log" || { cat "$WORK/resume.log"; fail "did not resume under another training.device"; }
echo "ok: a checkpoint from training.device=auto resumes with training.device=cpu"

if ldd "$BIN" | grep -q libtorch_cuda; then fail "the CLI links libtorch_cuda"; fi
echo "ok: the CLI does not link libtorch_cuda"
