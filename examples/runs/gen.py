#!/usr/bin/env python3
"""gen.py - the traces of examples/runs: five runs of a reference and five
of a candidate engine, with keys planted in known classes.

    gen.py [-h] [-f] [--seed N] [DIR]

Writes to DIR (by default data/ beside this script) ref-1.jsonl.gz ..
ref-5.jsonl.gz, cand-1.jsonl.gz .. cand-5.jsonl.gz, JSON Lines events
{"op", "lr", "tid", "ts"}, and truth.tsv, one line per call site: op, lr,
its planted class, and in how many runs of each side it fires.  The same
seed gives the same files, byte for byte (gzip without a name or a time).
DIR must be empty or new unless -f is given.

The classes:

  matched          fires about as often in every run of both sides
  missing          fires in all 5 reference runs, in no candidate run
  missing-one-run  fires in one reference run only, in no candidate run
  under            fires in every run of both sides, but the candidate
                   under a tenth as often as the reference
  over             fires in every run of both sides, the candidate at
                   least three times as often
  flaky            fires in some runs of a side and not in others
  extra            fires in all 5 candidate runs, in no reference run

The runs of a side differ in length (90% to 110% of the workload) and in
noise (each count within 10% of its expected value, before rounding), so
counts vary from run to run and rates per 1,000 fires vary less.
"""

import argparse
import gzip
import os
import random
import sys

RUNS = 5
OPS = ["set", "wait", "release", "signal", "read", "write"]
TIDS = [5, 9, 14, 17, 22]

# (class, reference count per run, candidate count per run, reference
# runs fired, candidate runs fired, number of call sites).  Counts are for
# a run of length 1.0; None means every run.
PLAN = [
    ("matched", (10, 120), "same", None, None, 24),
    ("missing", (15, 45), 0, None, (), 3),
    ("missing-one-run", (30, 30), 0, (3,), (), 1),
    ("under", (30, 60), 0.08, None, None, 3),
    ("over", (10, 20), 3.5, None, None, 2),
    ("flaky", (12, 16), "same", None, (2, 5), 1),
    ("flaky", (12, 16), "same", (1, 3, 4), (1, 2, 4), 1),
    ("flaky", (12, 16), "same", (), (3, 4), 1),
    ("extra", (20, 20), "same", (), None, 1),
]


def plan_sites(rng):
    """One dict per call site: op, lr, tid, class, base counts, runs."""
    sites = []
    used = set()
    for cls, (lo, hi), cand, ref_runs, cand_runs, n in PLAN:
        for _ in range(n):
            while True:
                lr = 0x82000000 + 4 * rng.randrange(0x100000)
                if lr not in used:
                    used.add(lr)
                    break
            base = rng.randint(lo, hi)
            if cand == "same":
                cbase = base
            elif cand == 0:
                cbase = 0
            else:
                cbase = base * cand
            everyone = tuple(range(1, RUNS + 1))
            rr = everyone if ref_runs is None else ref_runs
            cr = everyone if cand_runs is None else cand_runs
            if cls == "extra":
                base = 0
            sites.append({
                "op": rng.choice(OPS),
                "lr": "0x%08x" % lr,
                "tids": rng.sample(TIDS, rng.randint(1, 2)),
                "class": cls,
                "ref": (base, rr if base else ()),
                "cand": (cbase, cr if cbase else ()),
            })
    return sites


def count(rng, base, length):
    """A run's count of a site: base scaled by the run's length, within
    10% noise, at least 1."""
    return max(1, round(base * length * rng.uniform(0.9, 1.1)))


def run_events(rng, sites, side, run):
    """The events of one run of a side, in time order."""
    length = rng.uniform(0.9, 1.1)
    bag = []
    for s in sites:
        base, runs = s[side]
        if run in runs:
            bag += [s] * count(rng, base, length)
    rng.shuffle(bag)
    ts = 1000000000 * run + rng.randrange(1000000)
    out = []
    for s in bag:
        ts += rng.randint(200, 5000)
        out.append('{"op": "%s", "lr": "%s", "tid": %d, "ts": %d}\n'
                   % (s["op"], s["lr"], rng.choice(s["tids"]), ts))
    return "".join(out)


def write_gz(path, text):
    """Write text gzip-compressed, with no file name and no time stamp."""
    with open(path, "wb") as f:
        with gzip.GzipFile(filename="", mode="wb", compresslevel=9,
                           fileobj=f, mtime=0) as z:
            z.write(text.encode())


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(
        usage="gen.py [-h] [-f] [--seed N] [DIR]",
        description="Write the traces of examples/runs and their truth.")
    ap.add_argument("-f", action="store_true",
                    help="write into a non-empty DIR")
    ap.add_argument("--seed", type=int, default=13, help="default 13")
    ap.add_argument("dir", nargs="?", default=os.path.join(here, "data"))
    a = ap.parse_args()
    if os.path.isdir(a.dir) and os.listdir(a.dir) and not a.f:
        print("gen.py: %s: directory not empty (-f writes into it)" % a.dir,
              file=sys.stderr)
        return 2
    os.makedirs(a.dir, exist_ok=True)
    rng = random.Random(a.seed)
    sites = plan_sites(rng)
    for side in ("ref", "cand"):
        for run in range(1, RUNS + 1):
            write_gz(os.path.join(a.dir, "%s-%d.jsonl.gz" % (side, run)),
                     run_events(rng, sites, side, run))
    with open(os.path.join(a.dir, "truth.tsv"), "w") as f:
        f.write("op\tlr\tclass\tref_runs\tcand_runs\n")
        for s in sorted(sites, key=lambda s: (s["class"], s["lr"])):
            f.write("%s\t%s\t%s\t%d\t%d\n" % (s["op"], s["lr"], s["class"],
                    len(s["ref"][1]), len(s["cand"][1])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
