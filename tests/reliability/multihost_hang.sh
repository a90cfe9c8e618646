# Two network-namespace "hosts", one rank each over TCP; host2's rank is frozen (SIGSTOP)
# mid-run, so mpirun sees nothing wrong. Topiary's collective deadline must end the job non-zero
# within 60 s with a message naming the collective and the lost rank (rank 1 on host2).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/long_run.bash"
source "$(dirname "$0")/netns_hosts.bash"
trap 'kill_tree; netns_cleanup; rm -rf "$WORK"' EXIT
netns_setup
prepare_sst2
export TOPIARY_COLLECTIVE_TIMEOUT=8

netns_mpirun "$BIN" train "${LONG_RUN[@]}" >"$WORK/log.txt" 2>&1 &
JOB=$!
wait_for_training "$WORK/log.txt" 60
victim=""
for pid in $(ip netns pids "$NS2"); do
  if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = topiary ]; then victim=$pid; fi
done
[ -n "$victim" ] || fail "no topiary rank found on host2"
kill -STOP "$victim"
wait_exit "$JOB" 60
cat "$WORK/log.txt"
[ "$EXIT_CODE" != timeout ] || fail "job still running 60 s after host2's rank hung"
[ "$EXIT_CODE" -ne 0 ] || fail "job exited 0 after host2's rank hung"
grep -q "did not complete within 8 s" "$WORK/log.txt" || fail "no deadline message"
grep -q "lost rank(s) that died or hang: rank 1 (host2)" "$WORK/log.txt" ||
  fail "deadline message does not name rank 1 on host2"
echo "ok: job exited $EXIT_CODE ${ELAPSED_MS} ms after host2's rank hung; rank 1 (host2) named"
