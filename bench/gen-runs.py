#!/usr/bin/env python3
"""gen-runs.py - a deterministic pair of histograms with per-run counts.

usage: gen-runs.py [--seed N] [--keys N] [--runs N] [--cand-runs N] OUTDIR

Writes OUTDIR/ref.hist and OUTDIR/cand.hist, trace-hist output as a
merged histogram of several runs would look, for trace-join --runs:
key columns op and lr, then count, and the tally columns tid (counts),
ts (range) and run (counts: the run values 1..R, in trace-hist's order,
runs where the key did not fire left out).

--keys is the number of keys in the join (the union of the two sides):
90% of them on both sides, 5% only in REF, 5% only in CAND.  Each key
has a rate, log-uniform from 0.2 to 2000 events a run; each run's count
is Poisson (so small keys are absent from some runs and tie often);
a matched key's candidate rate is the reference's times 1 (80% of keys),
0.3 or 3.  --runs (default 5) runs on the REF side, --cand-runs (default
the same) on the CAND side.  The rows are sorted as trace-hist sorts
them (count descending, then key), which it does here in Python; pipe
through trace-hist to check.  Same arguments, same bytes.
"""
import argparse
import math
import os
import random


def poisson(rnd, lam):
    """A Poisson draw: Knuth's product for small means, else rounded normal."""
    if lam < 30:
        limit, k, p = math.exp(-lam), 0, rnd.random()
        while p > limit:
            k += 1
            p *= rnd.random()
        return k
    return max(0, int(round(rnd.gauss(lam, math.sqrt(lam)))))


def side_rows(rnd, keys, nruns, rates):
    rows = []
    for (op, lr), rate in zip(keys, rates):
        if rate is None:
            continue
        per = [poisson(rnd, rate) for _ in range(nruns)]
        count = sum(per)
        if count == 0:
            continue
        ntid = 1 + min(3, int(math.log10(count + 1)))
        tids = sorted(rnd.sample(range(1, 40), ntid))
        share = [count // ntid] * ntid
        share[0] += count - sum(share)
        tid = ",".join("%d:%d" % (t, c) for t, c in zip(tids, share) if c > 0)
        lo = rnd.randrange(10**9, 2 * 10**9)
        ts = "%d..%d" % (lo, lo + rnd.randrange(1, 10**9))
        run = ",".join("%d:%d" % (r + 1, c) for r, c in enumerate(per) if c > 0)
        rows.append((count, op, lr, tid, ts, run))
    # trace-hist: count descending, then the key columns (op, then lr as
    # a number: all lr values here have the same width, so as text).
    rows.sort(key=lambda r: (-r[0], r[1], r[2]))
    return rows


def write(path, rows):
    with open(path, "w") as f:
        f.write("op\tlr\tcount\ttid\tts\trun\n")
        for count, op, lr, tid, ts, run in rows:
            f.write("%s\t%s\t%d\t%s\t%s\t%s\n" % (op, lr, count, tid, ts, run))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keys", type=int, default=100000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--cand-runs", type=int, default=None)
    ap.add_argument("outdir")
    a = ap.parse_args()
    cruns = a.runs if a.cand_runs is None else a.cand_runs
    rnd = random.Random(a.seed)
    ops = ("set", "release", "wait", "signal")
    keys = [(ops[i % 4], "0x%08x" % (0x82000000 + 4 * i)) for i in range(a.keys)]
    ref, cand = [], []
    for _ in keys:
        rate = math.exp(rnd.uniform(math.log(0.2), math.log(2000)))
        u = rnd.random()
        if u < 0.05:
            ref.append(rate)
            cand.append(None)
        elif u < 0.10:
            ref.append(None)
            cand.append(rate)
        else:
            f = rnd.random()
            ref.append(rate)
            cand.append(rate * (1 if f < 0.8 else 0.3 if f < 0.9 else 3))
    os.makedirs(a.outdir, exist_ok=True)
    write(os.path.join(a.outdir, "ref.hist"), side_rows(rnd, keys, a.runs, ref))
    write(os.path.join(a.outdir, "cand.hist"), side_rows(rnd, keys, cruns, cand))


if __name__ == "__main__":
    main()
