#!/bin/sh
# valgrind.sh - every stage of the demo pipeline under valgrind: no
# memory errors and no definite leaks (status 99 otherwise).  Run by
# `make check-valgrind`; the bats suite runs it when valgrind exists.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
b=$top/bin
ex=$top/examples/xenia
d=$top/tests/data/parity
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
vg() {
	valgrind -q --error-exitcode=99 --leak-check=full \
	    --errors-for-leak-kinds=definite --show-leak-kinds=definite "$@"
}
vg "$b/trace-normalize" -s "$ex/canary.schema" -o "$out/c.ev" "$d/canary.jsonl"
gzip -c "$d/ours-iat.jsonl" > "$out/iat.gz"
zstd -q -c "$d/ours-lr.jsonl" > "$out/lr.zst"
vg "$b/trace-normalize" -q -s "$ex/ours.schema" -o "$out/o.ev" "$out/iat.gz" "$out/lr.zst"
vg "$b/trace-key" -o "$out/c.k" "$out/c.ev"
vg "$b/trace-key" -o "$out/o.k" "$out/o.ev"
vg "$b/trace-hist" -o "$out/c.h" "$out/c.k"
vg "$b/trace-hist" -o "$out/o.h" "$out/o.k"
vg "$b/trace-join" --names canary,ours -o "$out/j" "$out/c.h" "$out/o.h"
for f in md json html; do
	vg "$b/trace-report" -f "$f" --family gamma="$ex/gamma.addrs" \
	    --watch "$ex/wedge.addrs" --notes "$ex/lr.notes" --csv "$out" \
	    -o "$out/report.$f" "$out/j"
done
# trace-diverge exits 1 when the traces diverge, as they do here
for f in tsv md; do
	vg "$b/trace-diverge" --by tid -f "$f" -o "$out/d.$f" "$out/c.ev" \
	    "$out/o.ev" || [ $? = 1 ]
	vg "$b/trace-diverge" -k op -f "$f" --window 200 --max-edits 50 \
	    -o "$out/w.$f" "$out/c.k" "$out/o.k" || [ $? = 1 ]
	# event streams without --by: compared in step, stored, aligned
	vg "$b/trace-diverge" -f "$f" --window 200 --max-edits 50 \
	    -o "$out/e.$f" "$out/c.ev" "$out/o.ev" || [ $? = 1 ]
done
echo "valgrind: demo pipeline clean"
