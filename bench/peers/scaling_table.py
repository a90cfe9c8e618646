#!/usr/bin/env python3
"""Tables of bench/peers/scaling.sh from its raw scaling.tsv: steps/s and 2-rank efficiency.

  scaling_table.py SCALING.tsv N MODE

Rows: round, who (topiary|peer|strong|sparse), ranks, seconds per step, exposed share (Topiary:
the share of rank 0's step time spent waiting for the gradient exchange; "-" for the peers).
Older files hold topiary and peer only.
"""
import statistics, sys
rows = [l.split("\t") for l in open(sys.argv[1]).read().splitlines()]
n, mode = int(sys.argv[2]), sys.argv[3]
sps = {}  # (who, ranks) -> [steps/s per round]
exposed = {}  # (who, ranks) -> [share per round]
for r, who, ranks, seconds, share in rows:
    sps.setdefault((who, int(ranks)), []).append(1 / float(seconds))
    if share != "-":
        exposed.setdefault((who, int(ranks)), []).append(float(share))
med = statistics.median
rounds = len(sps[("topiary", 1)])
print(f"\nTextCNN SST-2 {mode}, 64 examples per rank per step, 1 thread per rank, N = {n}, {rounds} rounds")
print("Topiary: (wall(2N) - wall(N)) / N; peers: their timed steps / N after 10 warm-up steps")
print(f"{'config':<18}{'steps/s (median)':>18}{'examples/s':>12}   per round (steps/s)")
whos = [w for w in ("topiary", "peer", "strong", "sparse") if (w, 1) in sps]
for who in whos:
    for ranks in (1, 2):
        xs = sps[(who, ranks)]
        print(f"{who + ' ' + str(ranks) + ' rank(s)':<18}{med(xs):>18.2f}{64 * ranks * med(xs):>12.0f}   "
              + " ".join(f"{x:.2f}" for x in xs))
print()
eff = {who: [b / a for a, b in zip(sps[(who, 1)], sps[(who, 2)])] for who in whos}
names = {"topiary": "Topiary 2-rank efficiency", "peer": "peer DDP (gloo) 2-rank efficiency",
         "strong": "strong DDP (gloo) 2-rank efficiency",
         "sparse": "sparse-embedding DDP 2-rank eff."}
for who in whos:
    goal = ">= 0.9 and >= every DDP peer's" if who == "topiary" else "-"
    print(f"{names[who]:<36}{med(eff[who]):>7.3f}   " + " ".join(f"{x:.3f}" for x in eff[who]) + f"   goal {goal}")
for who in whos[1:]:
    ratio = [t / p for t, p in zip(sps[("topiary", 2)], sps[(who, 2)])]
    print(f"{'Topiary/' + who + ' 2-rank steps/s':<36}{med(ratio):>7.3f}   " + " ".join(f"{x:.3f}" for x in ratio))
for ranks in (1, 2):
    xs = exposed.get(("topiary", ranks))
    if xs:
        name = f"Topiary {ranks}-rank exposed exchange"
        print(f"{name:<36}{med(xs):>7.3f}   " + " ".join(f"{x:.3f}" for x in xs)
              + "   share of rank 0's step time waiting for the exchange")
