# Sourced helper for failure tests: a training run long enough to be killed mid-way, and waits
# that never hang the test.
LONG_RUN=(--recipe "$SRC/tests/data/recipes/tiny_layer.yaml" --set "data.path=$WORK/sst2.h5"
          --set "stages=[{name: long, until: 100000it}]" --set training.eval_every=20it
          --output "$WORK/run")
# wait_for_training LOG SECONDS: until the first step line (the ranks are in the training loop).
wait_for_training() {
  local log=$1 limit=$2 i
  for ((i = 0; i < limit * 10; ++i)); do
    grep -q '^step ' "$log" 2>/dev/null && return 0
    sleep 0.1
  done
  cat "$log"; fail "training did not start within $limit s"
}
# wait_exit PID SECONDS: sets EXIT_CODE to the job's exit code, or "timeout"; ELAPSED_MS to
# the milliseconds waited.
now_ms() { echo $(($(date +%s%N) / 1000000)); }
wait_exit() {
  local pid=$1 limit=$2 start
  start=$(now_ms)
  EXIT_CODE=timeout
  while [ $(($(now_ms) - start)) -lt $((limit * 1000)) ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      EXIT_CODE=0
      wait "$pid" || EXIT_CODE=$?
      break
    fi
    sleep 0.1
  done
  ELAPSED_MS=$(($(now_ms) - start))
}
# Kills every process started by this test (they all name $WORK on their command line).
kill_tree() {
  local pids
  pids=$(pgrep -f -- "$WORK/" || true)
  [ -z "$pids" ] || kill -9 $pids 2>/dev/null || true
}
