#!/bin/sh
# seed-diff.sh CANARY OURS_IAT OURS_LR OUTDIR - run the seed analysis.
#
# Copies the seed script (env SEED_DIFF, default ../shared/seed/diff.py
# next to the repository) into a temporary directory, points its BASE,
# OUT, CANARY, OURS_IAT and OURS_LR assignments at the given files and
# runs it with python3, so OUTDIR gets report.md, divergent-tuples.csv
# and matched-tuples.csv.  Exit status 77 (skip) when the seed script or
# python3 is missing, 2 on a usage error.
set -eu

if [ $# -ne 4 ]; then
	echo "usage: seed-diff.sh CANARY OURS_IAT OURS_LR OUTDIR" >&2
	exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
seed=${SEED_DIFF:-$here/../../shared/seed/diff.py}
if [ ! -f "$seed" ]; then
	echo "seed-diff: seed script $seed not found" >&2
	exit 77
fi
if ! command -v python3 >/dev/null 2>&1; then
	echo "seed-diff: python3 not found" >&2
	exit 77
fi

# absolute path of an existing file
abs() {
	[ -f "$1" ] || { echo "seed-diff: $1: no such file" >&2; exit 2; }
	printf '%s/%s\n' "$(cd "$(dirname "$1")" && pwd)" "$(basename "$1")"
}
canary=$(abs "$1")
iat=$(abs "$2")
lr=$(abs "$3")
mkdir -p "$4"
out=$(cd "$4" && pwd)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/seed-diff.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

# Rewrite the five assignment lines (whatever their quoting) to Python
# string literals of the absolute paths; fail if any of them is missing.
python3 - "$seed" "$tmp/diff.py" "$tmp" "$out" "$canary" "$iat" "$lr" <<'EOF'
import re, sys
src, dst, base, out, canary, iat, lr = sys.argv[1:8]
want = {"BASE": base, "OUT": out, "CANARY": canary, "OURS_IAT": iat,
        "OURS_LR": lr}
done = set()
lines = []
with open(src, encoding="utf-8") as f:
    for line in f:
        m = re.match(r"([A-Z_]+)\s*=(?!=)", line)
        if m and m.group(1) in want and m.group(1) not in done:
            line = f"{m.group(1)} = {want[m.group(1)]!r}\n"
            done.add(m.group(1))
        lines.append(line)
missing = sorted(set(want) - done)
if missing:
    sys.exit(f"seed-diff: no assignment to {', '.join(missing)} in {src}")
with open(dst, "w", encoding="utf-8") as f:
    f.writelines(lines)
EOF

# The report contains non-ASCII text (gamma, arrows); make sure Python
# writes it as UTF-8 whatever the locale.  diff.py orders equal counts by
# set iteration order, which for its (op, lr) tuples depends on the string
# hash seed: fix it (unless set) so that reruns give the same bytes.
cd "$tmp"
PYTHONHASHSEED=${PYTHONHASHSEED:-0} PYTHONUTF8=1 PYTHONDONTWRITEBYTECODE=1 \
	python3 "$tmp/diff.py"
