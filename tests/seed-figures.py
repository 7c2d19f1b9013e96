#!/usr/bin/env python3
"""seed-figures.py - run the seed script (diff.py) and dump its figures.

    seed-figures.py SEED_DIFF DIR [--canary-hist]

Runs SEED_DIFF on DIR/canary.jsonl, DIR/ours-iat.jsonl and DIR/ours-lr.jsonl
(its hard-coded paths are rewritten; its report goes to a temporary
directory) and prints, as JSON, every figure it computes: the histograms,
totals, missing, matched, under-firing and extra keys, the per-tid table
and the family counts.  Lists are sorted so that the output is stable even
where diff.py's own order is arbitrary (ties).  With --canary-hist, prints
the reference histogram as TSV instead: op, lr, count, tids, handles.
"""
import contextlib, io, json, os, re, sys, tempfile


def run_seed(script, d):
    src = open(script).read()
    out = tempfile.mkdtemp(prefix="seed-figures.")
    paths = {
        "BASE": d, "OUT": out,
        "CANARY": os.path.join(d, "canary.jsonl"),
        "OURS_IAT": os.path.join(d, "ours-iat.jsonl"),
        "OURS_LR": os.path.join(d, "ours-lr.jsonl"),
    }
    for name, val in paths.items():
        src, n = re.subn(r"^%s = .*$" % name, "%s = %r" % (name, val), src,
                         count=1, flags=re.M)
        if n != 1:
            sys.exit("seed-figures: no '%s = ' line in %s" % (name, script))
    ns = {"__name__": "__seed__"}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(src, script, "exec"), ns)
    return ns, out


def hex32(v):
    return "0x%08x" % (v & 0xFFFFFFFF)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    ns, out = run_seed(sys.argv[1], sys.argv[2])
    c, o = ns["canary_oplr"], ns["ours_oplr"]
    key = lambda k: (k[0], k[1])

    if "--canary-hist" in sys.argv[3:]:
        for k in sorted(c, key=key):
            tids = ",".join(str(t) for t in sorted(ns["canary_oplr_tids"][k]))
            hs = ",".join(hex32(h) for h in sorted(ns["canary_oplr_handles"][k]))
            print("%s\t%s\t%d\t%s\t%s" % (k[0], hex32(k[1]), c[k], tids, hs))
        return

    def row(k, *vals):
        return [k[0], hex32(k[1])] + list(vals)

    # The per-tid table as the seed printed it.
    tids = []
    rep = ns["lines"]
    start = rep.index("| canary tid | total fires | matched-LR fires | "
                      "missing-LR fires | distinct LRs | analog in ours? |")
    for line in rep[start + 2:]:
        if not line.startswith("|"):
            break
        cells = [x.strip() for x in line.strip("|").split("|")]
        tids.append([int(cells[0])] + [int(x.replace(",", ""))
                                       for x in cells[1:5]] + [cells[5]])
    tids.sort(key=lambda r: (-r[1], r[0]))

    fig = {
        "headline": ns["headline"].split(" ")[0],
        "totals": {
            "ref_fires": ns["total_canary"], "cand_fires": ns["total_ours"],
            "ref_keys": len(c), "cand_keys": len(o),
            "missing_keys": len(ns["missing_in_ours"]),
            "missing_fires": ns["missing_canary_count"],
            "matched_keys": len(ns["matched_lrs"]),
            "matched_fires": ns["matched_canary_count"],
            "extra_keys": len(ns["extra_in_ours"]),
            "under_keys": len(ns["under_firing"]),
        },
        "missing": sorted((row(k, c[k]) for k in ns["missing_in_ours"]),
                          key=lambda r: (-r[2], r[0], r[1])),
        "matched": sorted((row(k, c[k], o[k]) for k in ns["matched_lrs"]),
                          key=lambda r: (-r[2], r[0], r[1])),
        "under": sorted((row(k, cc, oo) for k, cc, oo in ns["under_firing"]),
                        key=lambda r: (-r[2], r[0], r[1])),
        "extra": sorted((row(k, o[k]) for k in ns["extra_in_ours"]),
                        key=lambda r: (-r[2], r[0], r[1])),
        "tids": tids,
        "gamma": {"in": ns["in_gamma"], "out": ns["out_of_gamma"]},
    }
    json.dump(fig, sys.stdout, indent=1, sort_keys=True)
    print()
    for f in os.listdir(out):
        os.unlink(os.path.join(out, f))
    os.rmdir(out)


main()
