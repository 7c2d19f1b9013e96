#!/usr/bin/env python3
"""Write a histogram pair whose thread map has a bit of everything: each
reference thread fires a random set of keys, and the candidate has it
renamed with noise, split over 2-4 threads (with some overlap), as a pool
of identical workers, merged into the thread before, or has an unrelated
thread instead.  The thread map's tests compare the ways it is computed
on many seeds.

usage: tests/gen-thread-maps.py SEED DIR   (writes DIR/ref.hist, DIR/cand.hist)
"""
import os
import random
import sys


def main():
    if len(sys.argv) != 3:
        sys.stderr.write("usage: tests/gen-thread-maps.py SEED DIR\n")
        return 2
    seed = int(sys.argv[1])
    rnd = random.Random(seed)
    nkeys = rnd.choice([5, 20, 100, 400])
    nthreads = rnd.choice([1, 2, 5, 12, 40])

    def profile():
        keys = rnd.sample(range(nkeys), rnd.randint(1, nkeys))
        return {k: rnd.choice([1, 1, 2, 3, 7, 50, rnd.randint(1, 1000)])
                for k in keys}

    ref = {t: profile() for t in range(nthreads)}
    cand = []
    for p in ref.values():
        mode = rnd.random()
        if mode < 0.3:
            q = {k: max(1, c + rnd.randint(-1, 1))
                 for k, c in p.items() if rnd.random() < 0.9}
            cand.append(q)
        elif mode < 0.55:
            parts = rnd.randint(2, 4)
            for i in range(parts):
                q = {k: c for k, c in p.items()
                     if k % parts == i or rnd.random() < 0.1}
                cand.append(q)
        elif mode < 0.7:
            cand += [dict(p) for _ in range(rnd.randint(2, 5))]
        elif mode < 0.85 and cand:
            for k, c in p.items():
                cand[-1][k] = cand[-1].get(k, 0) + c
        else:
            cand.append(profile())
    os.makedirs(sys.argv[2], exist_ok=True)
    # tids spelled so that their order is not the order made
    for name, side, base in (("ref.hist", list(ref.values()), 100),
                             ("cand.hist", cand, 5000)):
        rows = {}
        for t, p in enumerate(side):
            for k, c in p.items():
                rows.setdefault(k, {})[base + t * 7 % 1000] = c
        with open(os.path.join(sys.argv[2], name), "w") as f:
            f.write("op\tcount\ttid\n")
            for k in sorted(rows):
                tl = sorted(rows[k].items(), key=lambda e: (-e[1], e[0]))
                f.write("k%d\t%d\t%s\n" % (k, sum(c for _, c in tl),
                        ",".join("%d:%d" % e for e in tl)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
