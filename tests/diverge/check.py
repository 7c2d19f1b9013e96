#!/usr/bin/env python3
"""check.py - check trace-diverge's hunks against the two event streams.

    check.py [--by COL] [--map FILE] [--minimal] [--keys COLS]
             REF.tsv CAND.tsv HUNKS.tsv

For every compared pair of sequences, independently of the tool's own
alignment: the hunks, in order, must be an edit script of the pair
(every event outside the hunks equal, in order, on both sides; deleted
hunks take reference events only, inserted candidate events only;
positions as trace-diverge(1) defines them), ref_keys and cand_keys the
first five keys of each hunk, ref_ts and cand_ts the ts of its first
event, and hunks separated by at least one equal event (lost ones may
touch others).  With
--minimal, the script's edits (events in hunks) must number the edit
distance computed by dynamic programming (no lost hunk allowed).
Unpaired rows must give the thread's event count.  Prints "ok" or the
first problem and exits 1.
"""
import sys


def enc(v):
    return v.replace('%', '%25').replace(',', '%2c').replace(':', '%3a')


def read(path, keys, by, names=None):
    seqs = {}
    with open(path) as f:
        hdr = f.readline().rstrip('\n').split('\t')
        ki = [hdr.index(k) for k in keys]
        bi = hdr.index(by) if by else None
        ti = hdr.index('ts') if 'ts' in hdr else None
        for line in f:
            r = line.rstrip('\n').split('\t')
            t = r[bi] if by else ''
            if names is not None:
                t = names.get(t, enc(t))
            else:
                t = enc(t)
            key = ':'.join(enc(r[i]) for i in ki)
            seqs.setdefault(t, []).append((key, r[ti] if ti is not None else ''))
    return seqs


def read_map(path):
    """Name every thread of the map's connected groups, per side."""
    up = {}

    def find(v):
        while up[v] != v:
            v = up[v]
        return v
    with open(path) as f:
        hdr = f.readline().rstrip('\n').split('\t')
        ri, ci = hdr.index('ref_tid'), hdr.index('cand_tid')
        for line in f:
            r = line.rstrip('\n').split('\t')
            a, b = ('R', r[ri]), ('C', r[ci])
            up.setdefault(a, a)
            up.setdefault(b, b)
            up[find(a)] = find(b)
    comp = {}
    for v in up:
        comp.setdefault(find(v), []).append(v)

    def order(v):
        try:
            return (0, int(v), '')
        except ValueError:
            return (1, 0, v)
    names = ({}, {})
    pairs = []
    for vs in comp.values():
        nm = []
        for s, side in enumerate('RC'):
            vals = sorted((v for (t, v) in vs if t == side), key=order)
            n = ','.join(enc(v) for v in vals)
            for v in vals:
                names[s][v] = n
            nm.append(n)
        pairs.append(tuple(nm))
    return names, pairs


def dist(a, b):
    n, m = len(a), len(b)
    prev = list(range(m + 1))
    for i in range(1, n + 1):
        cur = [i] + [0] * m
        for j in range(1, m + 1):
            if a[i - 1] == b[j - 1]:
                cur[j] = prev[j - 1]
            else:
                cur[j] = 1 + min(prev[j], cur[j - 1])
        prev = cur
    return prev[m]


def main(argv):
    by = None
    mapf = None
    minimal = False
    keys = ['op', 'lr']
    while argv and argv[0].startswith('--'):
        o = argv.pop(0)
        if o == '--by':
            by = argv.pop(0)
        elif o == '--map':
            mapf = argv.pop(0)
        elif o == '--minimal':
            minimal = True
        elif o == '--keys':
            keys = argv.pop(0).split(',')
    ref, cand, hunks = argv
    names, mpairs = read_map(mapf) if mapf else ((None, None), [])
    R, C = read(ref, keys, by, names[0]), read(cand, keys, by, names[1])
    rows = {}
    unp = []
    with open(hunks) as f:
        hdr = f.readline().rstrip('\n').split('\t')
        for line in f:
            h = dict(zip(hdr, line.rstrip('\n').split('\t')))
            if h['kind'] == 'unpaired':
                unp.append(h)
                continue
            rows.setdefault((h['ref_thread'], h['cand_thread']), []).append(h)
    for h in unp:
        t, s = (h['ref_thread'], R) if h['ref_thread'] else (h['cand_thread'], C)
        if len(s.get(t, [])) != int(h['ref_len']) + int(h['cand_len']):
            return 'unpaired %s: %s events, row says %s' % (t, len(s.get(t, [])), h)
    pairs = set(rows)
    if not by:
        pairs.add(('', ''))
    elif mapf:
        pairs.update(p for p in mpairs if p[0] in R and p[1] in C)
    else:
        for t in R:
            if t in C:
                pairs.add((t, t))
    for (rt, ct) in sorted(pairs):
        a, b = R.get(rt, []), C.get(ct, [])
        x = y = 0
        edits = 0
        last_end = None
        last_kind = None
        for h in rows.get((rt, ct), []):
            rp, rl, cp, cl = (int(h[k]) for k in ('ref_pos', 'ref_len', 'cand_pos', 'cand_len'))
            k = h['kind']
            sx, sy = rp - (rl > 0), cp - (cl > 0)
            want = {'deleted': (rl > 0 and cl == 0), 'inserted': (rl == 0 and cl > 0),
                    'changed': (rl > 0 and cl > 0), 'lost': True}[k]
            if not want:
                return 'bad lengths for %s: %s' % (k, h)
            if sx - x != sy - y or sx < x:
                return 'pair %s/%s: hunk %s does not follow equal events from %d,%d' % (rt, ct, h, x, y)
            if k != 'lost' and last_kind != 'lost' and last_end == (sx, sy):
                return 'pair %s/%s: hunks touch: %s' % (rt, ct, h)
            for i in range(sx - x):
                if a[x + i][0] != b[y + i][0]:
                    return 'pair %s/%s: ref %d and cand %d differ outside hunks' % (rt, ct, x + i + 1, y + i + 1)
            for s, (seq, p, l) in enumerate(((a, sx, rl), (b, sy, cl))):
                side = ('ref', 'cand')[s]
                ks = ','.join(e[0] for e in seq[p:p + min(l, 5)])
                if ks != h[side + '_keys']:
                    return '%s_keys of %s: want %s' % (side, h, ks)
                ts = seq[p][1] if l > 0 else ''
                if ts != h[side + '_ts']:
                    return '%s_ts of %s: want %s' % (side, h, ts)
            if k == 'lost' and minimal:
                return 'lost hunk with --minimal: %s' % h
            edits += rl + cl
            x, y = sx + rl, sy + cl
            last_end = (x, y)
            last_kind = k
        if len(a) - x != len(b) - y:
            return 'pair %s/%s: tails differ in length after %d,%d' % (rt, ct, x, y)
        for i in range(len(a) - x):
            if a[x + i][0] != b[y + i][0]:
                return 'pair %s/%s: ref %d and cand %d differ after the last hunk' % (rt, ct, x + i + 1, y + i + 1)
        if minimal:
            d = dist([e[0] for e in a], [e[0] for e in b])
            if d != edits:
                return 'pair %s/%s: %d edits, the edit distance is %d' % (rt, ct, edits, d)
    return 'ok'


if __name__ == '__main__':
    r = main(sys.argv[1:])
    print(r)
    sys.exit(0 if r == 'ok' else 1)
