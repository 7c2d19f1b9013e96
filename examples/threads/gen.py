#!/usr/bin/env python3
"""gen.py - the traces of examples/threads: a reference and a candidate
emulator whose threads do the same work under other tids, split, pooled
or not at all, with keys that stop early and start late.

    gen.py [-h] [-f] [--seed N] [DIR]

Writes to DIR (by default data/ beside this script) ref.jsonl.gz and
cand.jsonl.gz, JSON Lines events {"op", "lr", "tid", "ts"} in time order
(ts in nanoseconds), and truth.tsv, the planted truth, one fact a line:

  class       ref_tid  cand_tids     op   lr
  renamed     14       9             -    -     the same thread, another tid
  split       5        40,41,42      -    -     its keys divided over three
  pool        8        50,51,52,53   -    -     every key shared by a pool
  no-analog   15       -             -    -     none of its keys fires
  missing     15       -             set  0x..  a key of that thread
  moved       22       9             set  0x..  fires on another thread
  stops-early 14       9             set  0x..  fires in the first 30% only
  starts-late 17       21            set  0x..  fires in the last 30% only
  extra       -        60            set  0x..  the candidate's own work

A stops-early or starts-late key fires in the candidate at the
reference's rate, but only in its window, so about 30% as often.  Every
other key fires at random times over the whole span of both sides, each
count within 10% of the reference's.  The same seed gives the same
files, byte for byte (gzip without a name or a time).  DIR must be empty
or new unless -f is given.
"""

import argparse
import gzip
import os
import random
import sys

# The reference's threads: (tid, what the candidate does with it, the
# candidate's tids, number of keys, fires).  Every thread but the one
# without analog also waits on a shared call site (WAIT_SHARE of its
# fires), as threads of one program do, and some call helpers that
# another thread calls too (HELPERS).
THREADS = [
    (14, "renamed", [9], 7, 3000),
    (22, "renamed", [14], 5, 2000),
    (17, "renamed", [21], 5, 1500),
    (6, "renamed", [11], 4, 1000),
    (5, "split", [40, 41, 42], 9, 2400),
    (8, "pool", [50, 51, 52, 53], 6, 2000),
    (15, "no-analog", [], 3, 600),
]
WAIT_SHARE = 0.05
# Helpers that two threads call: (the reference threads, fires on each).
HELPERS = [((14, 22), 100), ((17, 8), 60)]
# Keys with a planted fate: (class, reference thread, candidate tid
# firing it or None for the thread's own, share of the thread's fires).
SPECIAL = [
    ("stops-early", 14, None, 0.05),
    ("stops-early", 14, None, 0.04),
    ("stops-early", 6, None, 0.06),
    ("starts-late", 17, None, 0.06),
    ("starts-late", 6, None, 0.05),
    ("moved", 22, 9, 0.08),
]
# The split: the share of the reference thread's keys each of the three
# candidate threads takes, none of them half.
SPLIT = [3, 3, 3]
# The candidate's own thread: tid, keys, fires.
EXTRA = (60, 2, 300)
WINDOW = 0.3
OPS = ["set", "wait", "release", "signal", "read", "write"]
# Each side's span: first ts and length, in ns.
SPANS = {"ref": (1000000000, 2000000000), "cand": (250000000, 1900000000)}


def new_lr(rng, used):
    """A call site not used yet."""
    while True:
        lr = 0x82000000 + 4 * rng.randrange(0x100000)
        if lr not in used:
            used.add(lr)
            return "0x%08x" % lr


def plan(rng):
    """The keys: one dict per (op, lr) with its class, reference thread
    and count, and for each side a list of (tid, count, window)."""
    used = set()
    keys = []
    wait = {"op": "wait", "lr": new_lr(rng, used), "class": "shared",
            "ref_tid": None, "ref": [], "cand": []}
    keys.append(wait)
    for tid, role, ctids, nkeys, fires in THREADS:
        special = [s for s in SPECIAL if s[1] == tid]
        shares = [rng.uniform(1, 3) for _ in range(nkeys - len(special))]
        rest = 1 - sum(s[3] for s in special) - \
            (WAIT_SHARE if role != "no-analog" else 0)
        tkeys = []
        for w in shares:
            tkeys.append(("plain", None, rest * w / sum(shares)))
        tkeys += [(s[0], s[2], s[3]) for s in special]
        # The split: each candidate thread takes SPLIT[i] of the plain
        # keys, in the order drawn.
        owner = []
        for i, n in enumerate(SPLIT if role == "split" else []):
            owner += [ctids[i]] * n
        for i, (cls, to, share) in enumerate(tkeys):
            n = max(20, round(fires * share))
            k = {"op": rng.choice(OPS), "lr": new_lr(rng, used),
                 "class": cls if role != "no-analog" else "missing",
                 "ref_tid": tid, "ref": [(tid, n, (0, 1))], "cand": []}
            if role == "no-analog":
                pass
            elif cls == "moved":
                k["cand"] = [(to, noisy(rng, n), (0, 1))]
                k["cand_tids"] = [to]
            elif cls in ("stops-early", "starts-late"):
                win = (0, WINDOW) if cls == "stops-early" else (1 - WINDOW, 1)
                k["cand"] = [(ctids[0], noisy(rng, n * WINDOW), win)]
            elif role == "split":
                k["cand"] = [(owner[i], noisy(rng, n), (0, 1))]
            else:
                k["cand"] = [(ctids, noisy(rng, n), (0, 1))]
            k.setdefault("cand_tids", ctids)
            keys.append(k)
        if role != "no-analog":
            n = round(fires * WAIT_SHARE)
            wait["ref"].append((tid, n, (0, 1)))
            wait["cand"].append((ctids, noisy(rng, n), (0, 1)))
    cand_of = {t[0]: t[2] for t in THREADS}
    for tids, n in HELPERS:
        keys.append({"op": rng.choice(OPS), "lr": new_lr(rng, used),
                     "class": "helper", "ref_tid": None,
                     "ref": [(t, n, (0, 1)) for t in tids],
                     "cand": [(cand_of[t], noisy(rng, n), (0, 1))
                              for t in tids]})
    tid, nkeys, fires = EXTRA
    for _ in range(nkeys):
        keys.append({"op": rng.choice(OPS), "lr": new_lr(rng, used),
                     "class": "extra", "ref_tid": None, "ref": [],
                     "cand": [(tid, fires // nkeys, (0, 1))],
                     "cand_tids": [tid]})
    return keys


def noisy(rng, n):
    """n within 10%, at least 1."""
    return max(1, round(n * rng.uniform(0.9, 1.1)))


def events(rng, keys, side):
    """The JSON Lines events of a side, in time order.  A list of tids
    (a pool, or the candidate's threads of the shared wait) takes each
    event at random from the list."""
    start, span = SPANS[side]
    ev = []
    for k in keys:
        for tids, n, (lo, hi) in k[side]:
            for _ in range(n):
                tid = rng.choice(tids) if isinstance(tids, list) else tids
                # Keep a margin inside the window, so that the first and
                # the last events of a side are those of whole-span keys.
                f = rng.uniform(lo + 0.01, hi - 0.01)
                ev.append((start + int(f * span), k["op"], k["lr"], tid))
    ev.sort()
    return "".join('{"op": "%s", "lr": "%s", "tid": %d, "ts": %d}\n'
                   % (op, lr, tid, ts) for ts, op, lr, tid in ev)


def truth(keys):
    """The lines of truth.tsv, header first."""
    def tids(t):
        return ",".join(str(x) for x in t) if t else "-"
    rows = []
    for tid, role, ctids, _, _ in THREADS:
        rows.append((role, str(tid), tids(ctids), "-", "-"))
    for k in keys:
        if k["class"] in ("plain", "shared", "helper"):
            continue
        rows.append((k["class"],
                     str(k["ref_tid"]) if k["ref_tid"] is not None else "-",
                     tids(k["cand_tids"]), k["op"], k["lr"]))
    rows.sort(key=lambda r: (r[0], int(r[1]) if r[1] != "-" else -1, r[3:]))
    return ["class\tref_tid\tcand_tids\top\tlr"] + ["\t".join(r) for r in rows]


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
        description="Write the traces of examples/threads and their truth.")
    ap.add_argument("-f", action="store_true",
                    help="write into a non-empty DIR")
    ap.add_argument("--seed", type=int, default=14, help="default 14")
    ap.add_argument("dir", nargs="?", default=os.path.join(here, "data"))
    a = ap.parse_args()
    if os.path.isdir(a.dir) and os.listdir(a.dir) and not a.f:
        print("gen.py: %s: directory not empty (-f writes into it)" % a.dir,
              file=sys.stderr)
        return 2
    os.makedirs(a.dir, exist_ok=True)
    rng = random.Random(a.seed)
    keys = plan(rng)
    for side in ("ref", "cand"):
        write_gz(os.path.join(a.dir, side + ".jsonl.gz"),
                 events(rng, keys, side))
    with open(os.path.join(a.dir, "truth.tsv"), "w") as f:
        f.write("\n".join(truth(keys)) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
