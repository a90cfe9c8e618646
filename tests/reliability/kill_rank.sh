# Acceptance: kill -9 one rank of a plain 2-rank mpirun training job mid-training; the job ends
# non-zero within 30 s, no process of it is left behind, and Topiary (not only mpirun) names the
# killed rank.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/long_run.bash"
trap 'kill_tree; rm -rf "$WORK"' EXIT
prepare_sst2
mpirun --bind-to none -np 2 "$BIN" train "${LONG_RUN[@]}" >"$WORK/log.txt" 2>&1 &
JOB=$!
wait_for_training "$WORK/log.txt" 60
ranks=($(pgrep -P "$JOB" -x topiary))
[ "${#ranks[@]}" -eq 2 ] || fail "expected 2 rank processes under mpirun, found ${ranks[*]:-none}"
victim=${ranks[1]}
victim_rank=$(tr '\0' '\n' <"/proc/$victim/environ" | sed -n 's/^OMPI_COMM_WORLD_RANK=//p')
kill -9 "$victim"
wait_exit "$JOB" 30
code=$EXIT_CODE
tail -n 8 "$WORK/log.txt"
[ "$code" != timeout ] || fail "job still running 30 s after a rank was killed"
[ "$code" -ne 0 ] || fail "job exited 0 after a rank was killed"
sleep 0.5
left=$(pgrep -f -- "$WORK/" || true)
[ -z "$left" ] || { ps -o pid,args -p $left; fail "processes left behind: $left"; }
# Topiary itself must name the killed rank, after its "topiary: rank R (host): " prefix. mpirun's
# "mpirun noticed that process rank N ... exited on signal 9" names it too, but is the launcher's.
grep -Eq "^topiary: rank [0-9]+ \([^)]*\): .*\brank $victim_rank \(" "$WORK/log.txt" ||
  fail "no message from Topiary names the killed rank $victim_rank (mpirun's own does not count)"
echo "ok: job exited $code ${ELAPSED_MS} ms after rank $victim_rank was killed; nothing left behind; Topiary named the rank"
