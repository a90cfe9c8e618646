# Acceptance: two network-namespace "hosts", one rank each over TCP. A short training job
# succeeds; then one host's rank is killed mid-run and the job must exit non-zero within 60 s
# with a message from Topiary (not only mpirun's) naming the lost rank. Addresses exist only
# inside the namespaces created here.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/long_run.bash"
source "$(dirname "$0")/netns_hosts.bash"
trap 'kill_tree; netns_cleanup; rm -rf "$WORK"' EXIT
netns_setup
prepare_sst2
export TOPIARY_COLLECTIVE_TIMEOUT=20

netns_mpirun "$BIN" train --recipe "$SRC/tests/data/recipes/tiny_layer.yaml" \
  --set "data.path=$WORK/sst2.h5" --set 'stages=[{name: short, until: 30it}]' \
  --set training.eval_every=30it --output "$WORK/short" >"$WORK/short.txt" 2>&1 ||
  { cat "$WORK/short.txt"; fail "two-host training failed"; }
grep -q 'on 2 rank(s)' "$WORK/short.txt" && grep -q '^topiary: done' "$WORK/short.txt" ||
  { cat "$WORK/short.txt"; fail "two-host training did not report 2 ranks and completion"; }
echo "ok: two-host training over TCP completed"

netns_mpirun "$BIN" train "${LONG_RUN[@]}" >"$WORK/log.txt" 2>&1 &
JOB=$!
wait_for_training "$WORK/log.txt" 60
victim=""
for pid in $(ip netns pids "$NS2"); do
  if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = topiary ]; then victim=$pid; fi
done
[ -n "$victim" ] || fail "no topiary rank found on host2"
kill -9 "$victim"
wait_exit "$JOB" 60
tail -n 12 "$WORK/log.txt"
[ "$EXIT_CODE" != timeout ] || fail "job still running 60 s after host2's rank was killed"
[ "$EXIT_CODE" -ne 0 ] || fail "job exited 0 after host2's rank was killed"
# Topiary itself must name the lost rank and its host, after its "topiary: rank R (host): " prefix;
# mpirun's "process rank 1 with PID ... on node 10.200.0.2 exited on signal 9" does not count.
grep -Eq '^topiary: rank [0-9]+ \([^)]*\): .*\brank 1 \(host2\)' "$WORK/log.txt" ||
  fail "no message from Topiary names the lost rank 1 (host2) (mpirun's own does not count)"
echo "ok: job exited $EXIT_CODE ${ELAPSED_MS} ms after host2's rank was killed; Topiary named rank 1 (host2)"
