#!/usr/bin/env bash
# The container image, built with Podman from this build (launch/container/build.sh --from-build;
# building from source in the image takes too long for every CI run), runs real
# jobs as a non-root user on a read-only root filesystem:
#  - the image: user `topiary` (uid 1000), a `topiary --version` health check, every library found;
#  - `topiary prepare` + a short prune recipe on 2 ranks inside one container, outputs in a
#    bind-mounted folder owned by the invoking user and written as that user. CI runs as root,
#    so there the test plays an unprivileged invoking user (uid 4242) who owns the folder;
#  - the same job as one mpirun over two containers on one Podman network (launcher + worker,
#    ssh between them, launch/container/mpi-job.sh): identical weights, masks and optimizer
#    state, bit for bit, to the one-container run;
#  - preemption: SIGTERM to the launcher container makes both ranks write a checkpoint; the
#    relaunch with TOPIARY_RESUME_FROM resumes and ends bit for bit where an uninterrupted run ends;
#  - the image's size and cold start (`podman run ... --version`) are printed.
source "$(dirname "$0")/../lib.sh"
command -v podman >/dev/null || fail "podman is not installed (launch/setup.sh installs it)"
source "$SRC/launch/container/engine.sh"
CONTAINER_ENGINE=podman container_engine
export CONTAINERS_CONF="$SRC/tests/container/containers.conf"
tag=localhost/topiary:test
net=topiary-test-$$
cleanup() {
  "${ENGINE[@]}" rm -f -t 0 "launcher-$$" "worker-$$" >/dev/null 2>&1 || true
  "${ENGINE[@]}" network rm -f "$net" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
# Podman's own warnings about health-check timers (no systemd in a sandbox) are noise here.
run() { "${ENGINE[@]}" run "$@" 2> >(grep -v -e healthcheck -e 'systemd' >&2); }

"$SRC/launch/container/build.sh" --tag "$tag" --from-build "$(dirname "$(dirname "$BIN")")" >"$WORK/build.log" 2>&1 ||
  { tail -30 "$WORK/build.log"; fail "the image did not build"; }
grep "built $tag" "$WORK/build.log"

[ "$("${ENGINE[@]}" image inspect --format '{{.Config.User}}' "$tag")" = topiary ] || fail "the image's user is not topiary"
"${ENGINE[@]}" image inspect --format '{{json .HealthCheck}}' "$tag" | grep -q '"topiary","--version"' ||
  fail "no topiary --version health check"
[ "$(run --rm --network none --entrypoint id "$tag" -u)" = 1000 ] || fail "the default user is not uid 1000"
run --rm --network none "$tag" --version | grep -q "^topiary " || fail "topiary --version"

# The invoking user: this one, or an unprivileged stand-in when the tests run as root.
uid=$(id -u) gid=$(id -g)
[ "$uid" -ne 0 ] || { uid=4242; gid=4242; }
out=$WORK/out
mkdir -p "$out"
chown "$uid:$gid" "$out"
as_user=(--read-only --user "$uid:$gid" -v "$out:/out")
run --rm --network none "${as_user[@]}" --entrypoint touch "$tag" /opt/topiary/x 2>/dev/null &&
  fail "the root filesystem is writable"
cat >"$out/prune.yaml" <<'YAML'
name: container_prune
seed: 1
data: {path: /out/sst2.h5}
model: {type: textcnn, embedding_dim: 32, filters: 16, widths: [3, 4], dropout: 0.5, max_length: 40}
training: {batch_size: 64, optimizer: adam, lr: 0.003, eval_every: 20it, threads: 1}
stages:
  - name: dense
    until: 20it
  - name: prune
    until: 60it
    modifiers:
      - prune: {method: magnitude, scope: global, targets: ["convs.*.weight", "fc.weight"], final_sparsity: 0.8, start: 20it, end: 50it, every: 10it, schedule: cubic}
YAML
chown "$uid:$gid" "$out/prune.yaml"
run --rm --network none "${as_user[@]}" -v "$DATA/sst2:/data:ro" "$tag" prepare --format tsv \
  --input /data/dev.tsv --text-column sentence --label-column label --valid-fraction 0.2 \
  --output /out/sst2.h5 >"$WORK/prepare.log" || { cat "$WORK/prepare.log"; fail "prepare in the container"; }
run --rm --network none "${as_user[@]}" --entrypoint topiary-mpirun "$tag" -np 2 topiary train \
  --recipe /out/prune.yaml --output /out/one >"$WORK/one.log" 2>&1 || { cat "$WORK/one.log"; fail "2-rank train in one container"; }
grep -q "on 2 rank(s)" "$WORK/one.log" || { cat "$WORK/one.log"; fail "not 2 ranks"; }
grep -q "sparsity 0.7999" "$WORK/one.log" || { cat "$WORK/one.log"; fail "the prune recipe did not reach 0.8"; }
not_theirs=$(find "$out" ! -uid "$uid" -print)
[ -z "$not_theirs" ] || fail "outputs not owned by uid $uid: $not_theirs"

# Two containers, one job: the launcher takes rank 0, the worker rank 1.
mkdir -p "$WORK/keys"
ssh-keygen -q -t ed25519 -N "" -f "$WORK/keys/id_ed25519"
cp "$WORK/keys/id_ed25519.pub" "$WORK/keys/authorized_keys"
chown -R "$uid:$gid" "$WORK/keys"
"${ENGINE[@]}" network create "$net" >/dev/null
job=("${as_user[@]}" --network "$net" -e TOPIARY_SSH_DIR=/keys -v "$WORK/keys:/keys:ro" --entrypoint mpi-job.sh)
run -d --name "worker-$$" --hostname worker --network-alias worker "${job[@]}" "$tag" worker >/dev/null
run --rm --name "launcher-$$" --hostname launcher --network-alias launcher "${job[@]}" "$tag" launch launcher,worker -- \
  topiary train --recipe /out/prune.yaml --output /out/two >"$WORK/two.log" 2>&1 ||
  { cat "$WORK/two.log"; "${ENGINE[@]}" logs "worker-$$" | tail -20; fail "the two-container job"; }
grep -q "ranks: 0@launcher/cpu 1@worker/cpu" "$WORK/two.log" || { cat "$WORK/two.log"; fail "ranks not on the two containers"; }
"$PY" - "$out/one/final.h5" "$out/two/final.h5" <<'PY'
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1]), h5py.File(sys.argv[2])
names = []
for group in ("weights", "masks", "optimizer"):
    for name in a[group]:
        assert np.array_equal(a[group][name][()], b[group][name][()]), f"{group}/{name} differs"
        names.append(name)
print(f"two containers = one container: {len(names)} tensors identical")
PY
# Preemption: SIGTERM to the launcher (what Kubernetes sends) reaches both ranks through mpirun;
# they write a checkpoint and stop; a relaunch with TOPIARY_RESUME_FROM continues from it and
# ends bit for bit where an uninterrupted run ends.
long=(topiary train --recipe /out/prune.yaml --set stages.1.until=800it)
run --rm --name "launcher-$$" --hostname launcher --network-alias launcher "${job[@]}" "$tag" launch launcher,worker -- \
  "${long[@]}" --output /out/full >"$WORK/full.log" 2>&1 || { cat "$WORK/full.log"; fail "the long job"; }
run -d --name "launcher-$$" --hostname launcher --network-alias launcher "${job[@]}" "$tag" launch launcher,worker -- \
  "${long[@]}" --output /out/pre >/dev/null
for _ in $(seq 600); do
  [ -s "$out/pre/metrics.jsonl" ] && [ "$(wc -l <"$out/pre/metrics.jsonl")" -ge 2 ] && break
  sleep 0.1
done
"${ENGINE[@]}" kill --signal TERM "launcher-$$" >/dev/null
code=$("${ENGINE[@]}" wait "launcher-$$")
"${ENGINE[@]}" logs "launcher-$$" >"$WORK/pre.log" 2>&1
"${ENGINE[@]}" rm -f "launcher-$$" >/dev/null 2>&1
grep -q "preempted (SIGTERM): checkpoint at step" "$WORK/pre.log" || { cat "$WORK/pre.log"; fail "no checkpoint on SIGTERM (exit $code)"; }
ls "$out/pre/checkpoints/"step-*.h5 >/dev/null || fail "no checkpoint file after SIGTERM"
run --rm --name "launcher-$$" --hostname launcher --network-alias launcher "${job[@]}" \
  -e TOPIARY_RESUME_FROM=/out/pre "$tag" launch launcher,worker -- "${long[@]}" --output /out/pre >"$WORK/resume.log" 2>&1 ||
  { cat "$WORK/resume.log"; fail "the relaunch"; }
grep -q "resuming from /out/pre" "$WORK/resume.log" || { cat "$WORK/resume.log"; fail "the relaunch did not resume"; }
"$PY" - "$out/full/final.h5" "$out/pre/final.h5" <<'PY'
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1]), h5py.File(sys.argv[2])
for group in ("weights", "masks", "optimizer"):
    for name in a[group]:
        assert np.array_equal(a[group][name][()], b[group][name][()]), f"{group}/{name} differs"
print(f"preempted at step {int(h5py.File(sorted(__import__('glob').glob(sys.argv[2].replace('final.h5', 'checkpoints/step-*.h5')))[0]).attrs['step'])}, relaunched: equals the uninterrupted run")
PY
not_theirs=$(find "$out" ! -uid "$uid" -print)
[ -z "$not_theirs" ] || fail "outputs not owned by uid $uid: $not_theirs"

size=$("${ENGINE[@]}" image inspect --format '{{.Size}}' "$tag")
start=$(date +%s.%N)
run --rm --network none "$tag" --version >/dev/null
echo "image $tag: $((size / 1024 / 1024)) MiB; cold start (podman run --rm ... --version): $(echo "$(date +%s.%N) - $start" | bc) s"
"${ENGINE[@]}" image prune -f >/dev/null 2>&1 || true
echo "image: ok"
