#!/usr/bin/env python3
"""gen-traces.py - generate a deterministic, seed-shaped pair of traces.

usage: gen-traces.py [--seed N] [--events N] [--ours-ratio F] [--gzip] OUTDIR

Writes OUTDIR/canary.jsonl (reference trace, decimal integers) and
OUTDIR/ours-iat.jsonl, OUTDIR/ours-lr.jsonl (candidate traces, hex strings)
shaped like the inputs of the seed analysis (../shared/seed/diff.py).

The key space -- the (op, lr) call sites, their roles (missing in ours,
under-firing, matched, extra in ours), threads and handles -- depends on
--seed only; --events scales the counts, so a 1,000,000-event trace has the
same keys as a 3,000-event one (--events must be at least twice the number
of keys, 200 at most).  Ours gets about --ours-ratio x --events events
(at least one per ours key).  Same arguments, same bytes.

Shape, per seed:
  * ~75-100 canary (op, lr) keys over 20 canary tids, Zipf-ish counts;
  * the seed's gamma / wedge / LR_FN_NOTES addresses among them;
  * one LR fired with both ops (one op matched, the other missing);
  * keys missing in ours, large and tiny, counts distinct except one tie
    (0x82508510 / 0x82508524, both set);
  * under-firing matched keys (ours < 0.5 x canary), two of them tied in
    canary count; matched keys firing about as often or more;
  * a few keys only in ours (the wedge LRs 0x82450314 / 0x82450D2C among them);
  * canary tids 15, 27, 28 and one more fire only on missing keys;
  * canary lines: keys reordered, extra whitespace, fn JSON-escaped
    ("Nt\\u0053etEvent"), a few lines with op but no fn;
  * ours lines: hex in either case, "0x" or "0X", a few records with PCs
    outside the six known ones (the seed ignores them).
"""
import argparse
import gzip
import os
import random
import shutil
import sys

SET_FNS = ("NtSetEvent", "XEvent::Set", "KeSetEvent")
REL_FNS = ("NtReleaseSemaphore", "xeKeReleaseSemaphore")
# JSON-escaped spellings (as they appear in the file; the parser must
# unescape "\u0053" to "S" before looking for "Set").
ESCAPED = {
    "NtSetEvent": ("Nt\\u0053etEvent", "\\u004etSetEvent", "NtSet\\u0045vent"),
    "XEvent::Set": ("XEvent::\\u0053et", "XEvent\\u003a\\u003aSet", "XEvent::S\\u0065t"),
    "KeSetEvent": ("Ke\\u0053etEvent", "KeSe\\u0074Event"),
    "NtReleaseSemaphore": ("Nt\\u0052eleaseSemaphore", "NtRelease\\u0053emaphore",
                           "Nt\\u0052e\\u006cease\\u0053emaphore"),
    "xeKeReleaseSemaphore": ("xeKe\\u0052eleaseSemaphore", "xeKeRe\\u006Cease\\u0053emaphore"),
}

# PC -> op, as in diff.py's OURS_IAT_OP.
IAT_PC = {  # fn that the thunk stands for -> IAT thunk pc
    "KeSetEvent": 0x8284DDDC, "XEvent::Set": 0x8284DDDC,
    "NtSetEvent": 0x8284DF5C,
    "xeKeReleaseSemaphore": 0x8284E49C,
    "NtReleaseSemaphore": 0x8284E07C,
}
WRAPPER_PC = {"set": 0x824AA2F0, "release": 0x824AB158}
# PCs that are not in the six; the seed drops these records.
OTHER_PCS = (0x8284E0BC, 0x8284DE1C, 0x824AB1A0, 0x82450218)

STORY_TIDS = (6, 10, 14, 15, 17, 27, 28)
ORPHAN_TIDS = (15, 27, 28)  # plus one seed-chosen tid
OURS_TIDS = (1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13, 16)


class Key:
    __slots__ = ("op", "lr", "role", "w", "fn", "tids", "handles", "src",
                 "otids", "ohandles", "c", "o", "ratio")

    def __init__(self, op, lr, role, w=0.0):
        self.op, self.lr, self.role, self.w = op, lr, role, w
        self.fn = None
        self.tids = []      # [(tid, share)], primary first
        self.handles = []   # weighted list (repetitions)
        self.src = "iat"    # iat | lr | both (ours)
        self.otids = []
        self.ohandles = []
        self.c = 0          # canary count
        self.o = 0          # ours count
        self.ratio = 1.0


def die(msg):
    sys.stderr.write(f"gen-traces: {msg}\n")
    sys.exit(2)


# ----------------------------------------------------------------------
# Key space (depends on the seed only)
# ----------------------------------------------------------------------
def build_keys(rng):
    keys = []
    # Named keys (the seed's gamma / wedge / LR_FN_NOTES addresses).
    named = [
        ("set", 0x82508510, "missing", 0.34),   # tid 15 pair, tied
        ("set", 0x82508524, "missing", 0.34),
        ("set", 0x82506C90, "missing", 0.30),   # tid 27
        ("set", 0x82506F9C, "missing", 0.27),   # tid 28
        ("set", 0x824AAFC8, "missing", 0.045),  # tids 27, 28
        ("set", 0x82508358, "missing", 0.02),
        ("set", 0x824D292C, "missing", 0.006),
        ("release", 0x82450CE0, "missing", -2),  # tiny (about 2 in 3000)
        ("release", 0x824AB168, "under", 0.16),
        ("release", 0x824D229C, "under", 0.21),
        ("set", 0x824D2A44, "under", 0.09),
        ("set", 0x824AA304, "similar", 0.05),
    ]
    for op, lr, role, w in named:
        keys.append(Key(op, lr, role, w))
    named_lrs = {lr for _, lr, _, _ in named} | {0x82450D2C, 0x82450314}

    n_total = rng.randint(75, 100)
    n_rand = n_total - len(named)
    n_both = 3
    lrs = []
    seen = set(named_lrs)
    while len(lrs) < n_rand - n_both:
        lr = 0x82100000 + rng.randrange(0x500000 // 4) * 4
        if lr not in seen:
            seen.add(lr)
            lrs.append(lr)
    # roles for the random keys: fixed proportions, seed-chosen places
    n_miss = round(0.35 * n_rand)
    n_under = round(0.20 * n_rand)
    roles = (["missing"] * n_miss + ["under"] * n_under +
             ["similar"] * (n_rand - n_miss - n_under))
    rng.shuffle(roles)
    ranks = list(range(1, n_rand + 1))
    rng.shuffle(ranks)
    rand_keys = []
    # the first n_both LRs get both ops; the first of them is set=similar,
    # release=missing for sure
    both = lrs[:n_both]
    idx = 0
    for lr in lrs:
        ops = ("set", "release") if lr in both else (rng.choice(("set", "set", "release")),)
        for op in ops:
            rand_keys.append(Key(op, lr, roles[idx], 1.0 / ranks[idx] ** 1.15))
            idx += 1
    k0, k1 = rand_keys[0], rand_keys[1]
    if k0.role != "similar":
        j = next(i for i, k in enumerate(rand_keys) if i > 1 and k.role == "similar")
        k0.role, rand_keys[j].role = rand_keys[j].role, k0.role
    if k1.role != "missing":
        j = next(i for i, k in enumerate(rand_keys) if i > 1 and k.role == "missing")
        k1.role, rand_keys[j].role = rand_keys[j].role, k1.role
    keys.extend(rand_keys)

    # tiny missing keys (counts about 1..3 in 3000 events)
    rmiss = [k for k in rand_keys if k.role == "missing" and k is not k1]
    for k, t in zip(rng.sample(rmiss, 3), (-1, -1.5, -3)):
        k.w = t
    W = sum(k.w for k in keys if k.w > 0)
    for k in keys:
        if k.w < 0:
            k.w = W * (-k.w) / 3000.0
    # matched tie: the 3rd and 4th heaviest random under-firing keys
    unders = sorted((k for k in rand_keys if k.role == "under"), key=lambda k: -k.w)
    tie_m = (unders[2], unders[3])
    m = (tie_m[0].w + tie_m[1].w) / 2
    tie_m[0].w = tie_m[1].w = m
    tie_c = (keys[0], keys[1])

    # fn per key
    for k in keys:
        fns = SET_FNS if k.op == "set" else REL_FNS
        k.fn = fns[rng.randrange(len(fns))]
    for k in keys:
        if k.lr in (0x824AA304,):
            k.fn = "NtSetEvent"
        elif k.lr == 0x824AAFC8:
            k.fn = "KeSetEvent"
        elif k.lr == 0x824AB168:
            k.fn = "NtReleaseSemaphore"

    # extras: only in ours
    extras = [Key("release", 0x82450314, "extra"), Key("release", 0x82450D2C, "extra")]
    extras[0].w, extras[1].w = 0.05, 0.015
    n_x = rng.randint(2, 4)
    while n_x:
        lr = 0x82100000 + rng.randrange(0x500000 // 4) * 4
        if lr in seen:
            continue
        seen.add(lr)
        k = Key(rng.choice(("set", "release")), lr, "extra")
        k.w = rng.uniform(0.002, 0.01)
        extras.append(k)
        n_x -= 1
    for k in extras:
        fns = SET_FNS if k.op == "set" else REL_FNS
        k.fn = fns[rng.randrange(len(fns))]

    # canary tids
    others = rng.sample([t for t in range(1, 48) if t not in STORY_TIDS], 13)
    ctids = list(STORY_TIDS) + others
    orphans = list(ORPHAN_TIDS) + [others[0]]
    nonorph = [t for t in ctids if t not in orphans]
    fixed_tids = {
        0x82508510: [15, 14], 0x82508524: [15, 14], 0x82506C90: [27],
        0x82506F9C: [28], 0x824AAFC8: [27, 28], 0x82508358: [15, None],
        0x824D292C: [14], 0x82450CE0: [17], 0x824AB168: [10, 6, 17],
        0x824D229C: [14, None], 0x824D2A44: [14, None], 0x824AA304: [6, 10],
    }
    rr = nonorph[:]
    rng.shuffle(rr)
    rr_i = 0
    orphan4_done = False
    for k in keys:
        if k.lr in fixed_tids:
            tl = [t if t is not None else rng.choice([x for x in nonorph if x != 14])
                  for t in fixed_tids[k.lr]]
        elif k.role == "missing":
            if not orphan4_done and k.w < 0.05:
                tl = [orphans[3]]
                orphan4_done = True
            else:
                pool = [t for t in ctids if t != orphans[3]]
                tl = [rng.choice(pool)]
                for _ in range(rng.choice((0, 0, 1, 2))):
                    t = rng.choice(pool)
                    if t not in tl:
                        tl.append(t)
        else:
            if rr_i < len(rr):
                tl = [rr[rr_i]]
                rr_i += 1
            else:
                tl = [rng.choice(nonorph)]
            for _ in range(rng.choice((0, 1, 1, 2))):
                t = rng.choice(nonorph)
                if t not in tl:
                    tl.append(t)
        p = rng.uniform(0.5, 0.9) if len(tl) > 1 else 1.0
        k.tids = [(tl[0], p)] + [(t, (1 - p) / (len(tl) - 1)) for t in tl[1:]]
    # the 4th orphan must fire: make sure one missing key carries it alone
    if not orphan4_done:
        k = next(k for k in keys if k.role == "missing" and k.lr not in fixed_tids)
        k.tids = [(orphans[3], 1.0)]

    # canary handles: decimal ints from one pool; several per key
    hpool = sorted(rng.sample(range(0x1000, 0x1400, 4), 48))
    for k in keys:
        n = rng.choice((1, 2, 2, 3, 3, 4, 5))
        hs = rng.sample(hpool, n)
        k.handles = []
        for i, h in enumerate(hs):
            k.handles += [h] * max(1, 8 >> i)
    # ours handles: their own namespace (0x1050 is the work semaphore)
    opool = sorted(set(rng.sample(range(0x1000, 0x1200, 4), 40)) | {0x1050})
    ours_keys = [k for k in keys if k.role != "missing"] + extras
    wrapper_ret = {0x824AA304, 0x824AAFC8, 0x824AB168}
    for k in ours_keys:
        if k.lr in wrapper_ret:
            k.src = "iat"
        elif k.role == "extra" and k.lr in (0x82450314, 0x82450D2C):
            k.src = "lr"
        else:
            r = rng.random()
            k.src = "iat" if r < 0.5 else "lr" if r < 0.85 else "both"
        n = rng.choice((1, 1, 2, 3))
        hs = rng.sample(opool, n)
        if k.lr in (0x82450314, 0x824AB168):
            hs[0] = 0x1050
        k.ohandles = []
        for i, h in enumerate(hs):
            k.ohandles += [h] * max(1, 8 >> i)
        tl = [rng.choice(OURS_TIDS)]
        if rng.random() < 0.4:
            t = rng.choice(OURS_TIDS)
            if t not in tl:
                tl.append(t)
        p = rng.uniform(0.6, 0.95) if len(tl) > 1 else 1.0
        k.otids = [(tl[0], p)] + [(t, 1 - p) for t in tl[1:]]
        if k.role == "under":
            k.ratio = rng.choice((rng.uniform(0.005, 0.05), rng.uniform(0.05, 0.42)))
        elif k.role == "similar":
            # "same" keys keep their ratio; "over" keys take up the rest of
            # the --ours-ratio budget
            k.ratio = rng.uniform(0.85, 1.2)
            if rng.random() < 0.35:
                k.role = "over"
    sims = [k for k in ours_keys if k.role in ("similar", "over")]
    for k in sims[:3]:
        k.role = "over"
    return keys, extras, tie_c, tie_m


# ----------------------------------------------------------------------
# Counts (depend on --events and --ours-ratio)
# ----------------------------------------------------------------------
def alloc_counts(keys, n, tie_c, tie_m):
    if n < 2 * len(keys):
        die(f"--events must be at least {2 * len(keys)} for seed's {len(keys)} canary keys")
    W = sum(k.w for k in keys)
    for k in keys:
        k.c = max(1, int(n * k.w / W))
    ties = set(map(id, tie_c + tie_m))
    absorb = [k for k in keys if k.role != "missing" and id(k) not in ties]

    def take(d):  # move d events to (d > 0) / from (d < 0) the absorbers
        while d:
            big = max(absorb, key=lambda k: k.c)
            if d > 0:
                big.c += d
                return
            step = min(-d, big.c - 1)
            if step <= 0:  # very few events: take from any untied key
                big = max((k for k in keys if id(k) not in ties), key=lambda k: k.c)
                step = min(-d, big.c - 1)
                if step <= 0:
                    die("--events too small")
            big.c -= step
            d += step

    take(n - sum(k.c for k in keys))
    # missing counts distinct, except the designated tie (when there are
    # enough events to pay for it)
    miss = sorted((k for k in keys if k.role == "missing" and k is not tie_c[1]),
                  key=lambda k: k.c)
    used = set()
    want = []
    for k in miss:
        c = k.c
        while c in used:
            c += 1
        used.add(c)
        want.append(c)
    cost = sum(c - k.c for k, c in zip(miss, want))
    if cost <= 0.2 * sum(k.c - 1 for k in absorb):
        for k, c in zip(miss, want):
            if c != k.c:
                take(-(c - k.c))
                k.c = c
    d = tie_c[0].c - tie_c[1].c
    tie_c[1].c += d
    take(-d)


def alloc_ours(keys, extras, m):
    matched = [k for k in keys if k.role != "missing"]
    for k in extras:
        k.o = max(1, round(m * k.w))
    for k in matched:
        if k.role in ("under", "similar"):
            k.o = max(1, round(k.c * k.ratio))
        if k.role == "under" and k.c >= 10 and k.o * 2 >= k.c:
            k.o = (k.c - 1) // 2
    sim = [k for k in matched if k.role == "over"]
    rest = m - sum(k.o for k in extras) - sum(k.o for k in matched if k.role != "over")
    base = sum(k.c * k.ratio for k in sim)
    for k in sim:
        k.o = max(1, int(rest * k.c * k.ratio / base)) if rest > 0 else 1
    left = rest - sum(k.o for k in sim)
    if left > 0:
        max(sim, key=lambda k: k.c).o += left


def split(total, shares):
    """Split total over shares (primary first), every part >= 1 if possible."""
    n = len(shares)
    if total < n:
        return [1] * total + [0] * (n - total)
    parts = [0] + [max(1, int(total * s)) for s in shares[1:]]
    parts[0] = total - sum(parts)
    while parts[0] < 1:
        i = max(range(1, n), key=lambda j: parts[j])
        parts[i] -= 1
        parts[0] += 1
    return parts


# ----------------------------------------------------------------------
# Writers
# ----------------------------------------------------------------------
SEPS = ((", ", ": "), (",", ":"), (" , ", " : "), (",  ", ":\t"), (",\t", ": "))


def hexstr(v, rng, style):
    """style 0 lower, 1 upper, 2 mixed; 0X prefix now and then."""
    s = f"{v:08x}"
    if style == 1:
        s = s.upper()
    elif style == 2:
        s = "".join(ch.upper() if rng.random() < 0.5 else ch for ch in s)
    return ("0X" if rng.random() < 0.08 else "0x") + s


def slow_line(items, rng):
    """items: [(key, json-value-text)]; reorder, vary whitespace."""
    items = list(items)
    if rng.random() < 0.5:
        rng.shuffle(items)
    sep, col = SEPS[rng.randrange(len(SEPS))]
    body = sep.join(f'"{k}"{col}{v}' for k, v in items)
    r = rng.random()
    if r < 0.3:
        body = "{ " + body + " }"
    else:
        body = "{" + body + "}"
    r = rng.random()
    if r < 0.15:
        body = "  " + body
    elif r < 0.3:
        body = body + " \t "
    return body + "\n"


def write_canary(path, keys, rng):
    slots = []  # (pre, mid, key, tid)
    seq = []
    for k in keys:
        parts = split(k.c, [s for _, s in k.tids])
        for (tid, _), c in zip(k.tids, parts):
            if not c:
                continue
            si = len(slots)
            cnt = ', "count": 1' if k.op == "release" else ""
            pre = f'{{"op": "{k.op}", "fn": "{k.fn}", "handle": '
            mid = f'{cnt}, "lr": {k.lr}, "tid": {tid}, "host_ns": '
            slots.append((pre, mid, k, tid))
            seq += [si] * c
    rng.shuffle(seq)
    rnd = rng.random
    ns = 278000000 + rng.randrange(1000000)
    out = []
    with open(path, "w", encoding="ascii", newline="\n") as f:
        for si in seq:
            pre, mid, k, tid = slots[si]
            hs = k.handles
            h = hs[int(rnd() * len(hs))]
            ns += 1 + int(rnd() * 90000)
            if rnd() < 0.9:
                out.append(f"{pre}{h}{mid}{ns}}}\n")
            else:
                r = rnd()
                fn = k.fn
                if r < 0.4:
                    esc = ESCAPED[fn]
                    fn = esc[int(rnd() * len(esc))]
                items = [("op", f'"{k.op}"')]
                if r >= 0.9:
                    items = [("op", f'"{k.op}"')]     # op only, no fn
                else:
                    items.append(("fn", f'"{fn}"'))
                items.append(("handle", str(h)))
                if k.op == "release":
                    items.append(("count", "1"))
                items += [("lr", str(k.lr)), ("tid", str(tid)), ("host_ns", str(ns))]
                out.append(slow_line(items, rng))
            if len(out) >= 65536:
                f.writelines(out)
                out.clear()
        f.writelines(out)


def pc_spellings(pc):
    lo = f"0x{pc:08x}"
    return (lo, "0x" + lo[2:].upper(), lo, "0x" + lo[2:].upper())


def write_ours(path, entries, junk, junk_lrs, rng, cycle0):
    """entries: [(key, pc, tid, count)]; junk: number of other-PC records
    on LRs from junk_lrs."""
    slots = []
    seq = []
    for k, pc, tid, c in entries:
        if not c:
            continue
        si = len(slots)
        pcs = pc_spellings(pc)[rng.randrange(4)]
        lrs = f"0x{k.lr:08X}" if rng.random() < 0.7 else f"0x{k.lr:08x}"
        r4 = "0x00000001" if k.op == "release" else "0x00000000"
        hw = tid % 6
        pre = f'{{"pc": "{pcs}", "tid": {tid}, "hw": {hw}, "cycle": '
        post = f'", "r4": "{r4}", "lr": "{lrs}"}}\n'
        hstr = {h: f"0x{h:08X}" for h in k.ohandles}
        slots.append((pre, post, k, pc, tid, hstr))
        seq += [si] * c
    seq += [-1] * junk
    rng.shuffle(seq)
    rnd = rng.random
    cyc = cycle0
    out = []
    with open(path, "w", encoding="ascii", newline="\n") as f:
        for si in seq:
            cyc += 1 + int(rnd() * 4000)
            if si < 0:
                pc = OTHER_PCS[int(rnd() * len(OTHER_PCS))]
                lr = junk_lrs[int(rnd() * len(junk_lrs))]
                tid = OURS_TIDS[int(rnd() * len(OURS_TIDS))]
                h = 0x1000 + 4 * int(rnd() * 64)
                out.append(slow_line([
                    ("pc", f'"{hexstr(pc, rng, int(rnd() * 3))}"'), ("tid", str(tid)),
                    ("hw", str(tid % 6)), ("cycle", str(cyc)),
                    ("r3", f'"{hexstr(h, rng, 1)}"'), ("r4", '"0x00000000"'),
                    ("lr", f'"{hexstr(lr, rng, int(rnd() * 3))}"')], rng))
                continue
            pre, post, k, pc, tid, hstr = slots[si]
            hs = k.ohandles
            h = hs[int(rnd() * len(hs))]
            if rnd() < 0.88:
                out.append(f'{pre}{cyc}, "r3": "{hstr[h]}{post}')
            else:
                r4 = 1 if k.op == "release" else 0
                out.append(slow_line([
                    ("pc", f'"{hexstr(pc, rng, int(rnd() * 3))}"'), ("tid", str(tid)),
                    ("hw", str(tid % 6)), ("cycle", str(cyc)),
                    ("r3", f'"{hexstr(h, rng, int(rnd() * 3))}"'),
                    ("r4", f'"{hexstr(r4, rng, 0)}"'),
                    ("lr", f'"{hexstr(k.lr, rng, int(rnd() * 3))}"')], rng))
            if len(out) >= 65536:
                f.writelines(out)
                out.clear()
        f.writelines(out)



def gz_copy(path):
    with open(path, "rb") as src, open(path + ".gz", "wb") as raw:
        with gzip.GzipFile(filename=os.path.basename(path), mode="wb",
                           fileobj=raw, mtime=0, compresslevel=6) as gz:
            shutil.copyfileobj(src, gz, 1 << 20)


def main():
    ap = argparse.ArgumentParser(
        description="Generate deterministic seed-shaped canary/ours trace files.")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--events", type=int, default=2000,
                    help="number of canary events (default 2000)")
    ap.add_argument("--ours-ratio", type=float, default=0.55,
                    help="ours events per canary event (default 0.55)")
    ap.add_argument("--gzip", action="store_true",
                    help="also write .gz copies of the three files")
    ap.add_argument("outdir")
    a = ap.parse_args()
    if a.events < 1:
        die("--events must be positive")
    if a.ours_ratio < 0:
        die("--ours-ratio must not be negative")

    rng = random.Random(a.seed)
    keys, extras, tie_c, tie_m = build_keys(rng)
    alloc_counts(keys, a.events, tie_c, tie_m)
    alloc_ours(keys, extras, round(a.ours_ratio * a.events))

    # the event streams get their own generators so that the key space
    # above does not depend on --events
    erng = random.Random(a.seed * 1000003 + 17)
    os.makedirs(a.outdir, exist_ok=True)
    write_canary(os.path.join(a.outdir, "canary.jsonl"), keys, erng)

    iat, lrt = [], []
    for k in [k for k in keys if k.role != "missing"] + extras:
        if k.src == "both" and k.o >= 2:
            parts = [(iat, (k.o * 3 + 4) // 5), (lrt, k.o - (k.o * 3 + 4) // 5)]
        else:
            parts = [(iat if k.src in ("iat", "both") else lrt, k.o)]
        for dest, o in parts:
            pc = IAT_PC[k.fn] if dest is iat else WRAPPER_PC[k.op]
            for (tid, _), c in zip(k.otids, split(o, [s for _, s in k.otids])):
                dest.append((k, pc, tid, c))
    # other-PC records: half of them on LRs that ours never fires otherwise
    junk_lrs = [k.lr for k in keys if k.role == "missing"][:6] + \
        [0x82100000 + erng.randrange(0x500000 // 4) * 4 for _ in range(6)]
    n_iat = sum(e[3] for e in iat)
    n_lr = sum(e[3] for e in lrt)
    write_ours(os.path.join(a.outdir, "ours-iat.jsonl"), iat,
               max(2, n_iat // 80), junk_lrs, erng, 1200000)
    write_ours(os.path.join(a.outdir, "ours-lr.jsonl"), lrt,
               max(2, n_lr // 80), junk_lrs, erng, 1250000)
    if a.gzip:
        for name in ("canary.jsonl", "ours-iat.jsonl", "ours-lr.jsonl"):
            gz_copy(os.path.join(a.outdir, name))


if __name__ == "__main__":
    main()
