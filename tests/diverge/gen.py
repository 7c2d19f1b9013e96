#!/usr/bin/env python3
"""gen.py - event streams for trace-diverge tests, with known edits.

    gen.py --seed N --threads T --events E --edits K [--alpha A]
           [--cand-tids OFFSET] [--shuffle] [--burst B] OUTDIR

Writes OUTDIR/ref.tsv and OUTDIR/cand.tsv (op, lr, tid, ts): T threads
of about E events each, keys drawn from A values; the candidate's
threads are the reference's with K random edits each (delete, insert
or change a run of 1-3 events).  Threads interleave at random (the
same way on both sides unless --shuffle); with --burst B they run in
bursts of B events.  --cand-tids adds OFFSET to the candidate's tids.
"""
import argparse
import os
import random


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--events', type=int, default=100)
    ap.add_argument('--edits', type=int, default=3)
    ap.add_argument('--alpha', type=int, default=8)
    ap.add_argument('--cand-tids', type=int, default=0)
    ap.add_argument('--shuffle', action='store_true')
    ap.add_argument('--burst', type=int, default=1)
    ap.add_argument('out')
    a = ap.parse_args()
    rnd = random.Random(a.seed)

    def key():
        v = rnd.randrange(a.alpha)
        return ('op%d' % (v % 3), '0x%x' % (0x1000 + v))

    ref, cand = {}, {}
    for t in range(a.threads):
        s = [key() for _ in range(a.events)]
        c = list(s)
        for _ in range(a.edits):
            i = rnd.randrange(len(c) + 1)
            n = rnd.randint(1, 3)
            what = rnd.choice(('del', 'ins', 'chg'))
            if what == 'del':
                del c[i:i + n]
            elif what == 'ins':
                c[i:i] = [key() for _ in range(n)]
            else:
                c[i:i + n] = [key() for _ in range(n)]
        ref[t] = s
        cand[t] = c

    def order(seqs, r):
        left = {t: 0 for t in seqs}
        out = []
        while any(left[t] < len(seqs[t]) for t in seqs):
            live = [t for t in seqs if left[t] < len(seqs[t])]
            t = r.choice(live)
            for _ in range(a.burst):
                if left[t] < len(seqs[t]):
                    out.append((t, seqs[t][left[t]]))
                    left[t] += 1
        return out

    os.makedirs(a.out, exist_ok=True)
    r1 = random.Random(a.seed * 7 + 1)
    r2 = random.Random(a.seed * 7 + 1) if not a.shuffle else random.Random(a.seed * 7 + 2)
    for name, seqs, r, off in (('ref', ref, r1, 0), ('cand', cand, r2, a.cand_tids)):
        with open(os.path.join(a.out, name + '.tsv'), 'w') as f:
            f.write('op\tlr\ttid\tts\n')
            for i, (t, (op, lr)) in enumerate(order(seqs, r)):
                f.write('%s\t%s\t%d\t%d\n' % (op, lr, t + 1 + off, 1000 + i))


if __name__ == '__main__':
    main()
