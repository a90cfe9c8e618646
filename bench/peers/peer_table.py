#!/usr/bin/env python3
"""Tables of bench/peers/run.sh from its raw results.tsv: steps/s per config and the ratios.

  peer_table.py RESULTS.tsv N [TITLE]

TITLE names another model (bench/peers/bert.sh); the goals printed are the TextCNN bench's and
are left out then.

Rows: round, who (topiary, then one name per peer set-up: peer, strong), mode (dense|masked),
wall(N), wall(2N), cpu(N), cpu(2N). Ratios are Topiary against each peer, per round.
"""
import statistics, sys
rows = [l.split("\t") for l in open(sys.argv[1]).read().splitlines()]
n = int(sys.argv[2])
title = sys.argv[3] if len(sys.argv) > 3 else None
med = lambda xs: statistics.median(xs)
def table(clock, first):  # first: column of the N-step time; the 2N-step time follows it
  sps = {}  # (who, mode) -> [steps/s per round]
  for row in rows:
    who, mode = row[1], row[2]
    sps.setdefault((who, mode), []).append(n / (float(row[first + 1]) - float(row[first])))
  rounds = len(sps[("topiary", "dense")])
  print(f"\n{title or 'TextCNN SST-2, batch 64, 1 thread'}, step time = ({clock}(2N) - {clock}(N)) / N, N = {n}, {rounds} rounds")
  peers = [w for w in dict.fromkeys(row[1] for row in rows) if w != "topiary"]
  print(f"{'config':<16}{'steps/s (median)':>18}   per round")
  for who in ["topiary", *peers]:
    for mode in ("dense", "masked"):
      if (who, mode) in sps:
        xs = sps[(who, mode)]
        print(f"{who + ' ' + mode:<16}{med(xs):>18.2f}   " + " ".join(f"{x:.2f}" for x in xs))
  def ratio(name, xs, goal):
      goal_text = f"   goal {goal}" if title is None else ""
      print(f"{name:<44}{med(xs):>7.3f}   " + " ".join(f"{x:.3f}" for x in xs) + goal_text)
  print()
  ratio("Topiary masked/dense step time (overhead)", [d / m for d, m in zip(sps[("topiary", "dense")], sps[("topiary", "masked")])], "<= 1.03")
  for peer in peers:
    if (peer, "dense") not in sps:
      continue
    ratio(f"Topiary/{peer} steps/s, dense", [a / b for a, b in zip(sps[("topiary", "dense")], sps[(peer, "dense")])], "-")
    ratio(f"Topiary/{peer} steps/s, masked", [a / b for a, b in zip(sps[("topiary", "masked")], sps[(peer, "masked")])], ">= 1.3")
    ratio(f"{peer} masked/dense step time (overhead)", [d / m for d, m in zip(sps[(peer, "dense")], sps[(peer, "masked")])], "-")
table("wall", 3)
table("cpu", 5)
