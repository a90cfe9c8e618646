#!/usr/bin/env python3
"""Tables of bench/peers/run.sh from its raw results.tsv: steps/s per config and the ratios.

  peer_table.py RESULTS.tsv N [TITLE]

TITLE names another model (bench/peers/bert.sh); the goals printed are the TextCNN bench's and
are left out then.

Rows: round, who (topiary|peer), mode (dense|masked), wall(N), wall(2N), cpu(N), cpu(2N).
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
  print(f"{'config':<16}{'steps/s (median)':>18}   per round")
  for key in [k for k in [("topiary", "dense"), ("topiary", "masked"), ("peer", "dense"), ("peer", "masked")] if k in sps]:
      print(f"{key[0] + ' ' + key[1]:<16}{med(sps[key]):>18.2f}   " + " ".join(f"{x:.2f}" for x in sps[key]))
  def ratio(name, xs, goal):
      goal_text = f"   goal {goal}" if title is None else ""
      print(f"{name:<44}{med(xs):>7.3f}   " + " ".join(f"{x:.3f}" for x in xs) + goal_text)
  print()
  ratio("Topiary masked/dense step time (overhead)", [d / m for d, m in zip(sps[("topiary", "dense")], sps[("topiary", "masked")])], "<= 1.03")
  if ("peer", "dense") not in sps:
      return
  ratio("Topiary/peer steps/s, dense", [a / b for a, b in zip(sps[("topiary", "dense")], sps[("peer", "dense")])], "-")
  ratio("Topiary/peer steps/s, masked", [a / b for a, b in zip(sps[("topiary", "masked")], sps[("peer", "masked")])], ">= 1.3")
  ratio("peer masked/dense step time (overhead)", [d / m for d, m in zip(sps[("peer", "dense")], sps[("peer", "masked")])], "-")
table("wall", 3)
table("cpu", 5)
