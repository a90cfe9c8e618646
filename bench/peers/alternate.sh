# shellcheck shell=bash
# Sourced by bench/peers/run.sh and bench/peers/bert.sh: Topiary's timed run and the alternating
# rounds, so both benches measure the same way. The caller sets BIN, PY, WORK, N, ROUNDS,
# results (the TSV rows go there), MASKED_MIN_SPARSITY (a masked run's overall sparsity is above
# it, a dense run's is not), writes $WORK/dense.yaml and $WORK/masked.yaml, and defines
# peer_wall MODE STEPS.

cpu_seconds() { awk '{ print $1 + $2 }' "$1"; } # /usr/bin/time -f "%U %S" output -> user + sys

topiary_wall() { # mode steps -> "wall_seconds cpu_seconds"
  local out=$WORK/run-$1-$2 wall
  rm -rf "$out"
  /usr/bin/time -f "%U %S" -o "$out.cpu" \
    "$BIN" train --recipe "$WORK/$1.yaml" --set "stages.0.until=$2it" --output "$out" >"$out.log" 2>&1
  wall=$("$PY" -c 'import json,sys
s = json.load(open(sys.argv[1]))
assert (s["overall_sparsity"] > float(sys.argv[3])) == (sys.argv[2] == "masked"), s["overall_sparsity"]
print(s["wall_seconds"])' "$out/summary.json" "$1" "$MASKED_MIN_SPARSITY")
  echo "$wall $(cpu_seconds "$out.cpu")"
}

# shellcheck disable=SC2154  # results, N and ROUNDS come from the caller
run_rounds() { # who... : each configuration for N and 2N steps, alternating, ROUNDS times
  local r who mode w1 c1 w2 c2
  for r in $(seq 1 "$ROUNDS"); do
    for who in "$@"; do
      for mode in dense masked; do
        read -r w1 c1 < <("${who}_wall" "$mode" "$N")
        read -r w2 c2 < <("${who}_wall" "$mode" $((2 * N)))
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$who" "$mode" "$w1" "$w2" "$c1" "$c2" |
          tee -a "$results" >&2
      done
    done
  done
}
