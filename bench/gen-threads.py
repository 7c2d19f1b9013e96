#!/usr/bin/env python3
"""Write a histogram pair for the thread map's cost: THREADS threads a
side over KEYS keys, each thread firing about PER keys, the candidate's
threads the reference's renamed with a little noise.

usage: bench/gen-threads.py [--seed N] [--threads N] [--keys N] [--per N] DIR
"""
import argparse
import os
import random
import sys


def main():
    ap = argparse.ArgumentParser(usage=__doc__.split("usage: ")[1].strip())
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1000)
    ap.add_argument("--keys", type=int, default=10000)
    ap.add_argument("--per", type=int, default=50)
    ap.add_argument("dir")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    ref, cand = {}, {}
    for t in range(1, a.threads + 1):
        for k in rnd.sample(range(a.keys), a.per):
            c = rnd.randint(1, 100)
            ref.setdefault(k, {})[t] = c
            cand.setdefault(k, {})[t + a.threads] = max(1, c + rnd.randint(-5, 5))
    os.makedirs(a.dir, exist_ok=True)
    for name, side in (("ref.hist", ref), ("cand.hist", cand)):
        with open(os.path.join(a.dir, name), "w") as f:
            f.write("op\tcount\ttid\n")
            for k in sorted(side):
                tl = sorted(side[k].items(), key=lambda e: (-e[1], e[0]))
                f.write("k%d\t%d\t%s\n" % (k, sum(c for _, c in tl),
                        ",".join("%d:%d" % e for e in tl)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
