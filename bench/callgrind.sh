#!/usr/bin/env bash
# bench/callgrind.sh - instructions per event of each stage, counted by
# valgrind's callgrind (deterministic, unlike timings on a shared machine).
#
#   bench/callgrind.sh [--events N] [--top N] [--seed N] [--bin DIR] [--out DIR]
#
#   --events N  canary events (default 100000; the candidate gets ~0.55 x N)
#   --top N     functions listed per stage (default 6)
#   --seed N    gen-traces seed (default 1)
#   --bin DIR   the tools to profile (default bin/ of this checkout)
#   --out DIR   where the profiles go (default bench/out/callgrind)
#
# Runs each tool once under callgrind on the generated pair (cached in
# bench/out/data/), prints instructions (Ir, all threads) per event and
# the top functions by self cost from callgrind_annotate, as markdown,
# and writes the same to DIR/summary.md (and, with the default --out,
# to bench/out/callgrind.md).  The callgrind output files stay in the
# --out directory for callgrind_annotate or kcachegrind.  Process
# start-up (dynamic loading, option parsing) is included; the start-up
# row measures it alone (trace-key on an empty stream).  The strace row
# runs examples/strace/strace.schema on the committed captures of
# examples/strace/data/ concatenated 20 times (14,480 calls); PCRE2's JIT
# code shows as "???:0x..." in its profile.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
events=100000
top=6
seed=1
bindir=$root/bin
CG=
usage() {
	echo "usage: bench/callgrind.sh [--events N] [--top N] [--seed N] [--bin DIR] [--out DIR]" >&2
	exit 2
}
posint() {
	case $2 in '' | *[!0-9]*) echo "callgrind: $1 wants a positive integer" >&2; exit 2 ;; esac
	[ "$2" -gt 0 ] || { echo "callgrind: $1 wants a positive integer" >&2; exit 2; }
}
while [ $# -gt 0 ]; do
	case $1 in
	--events) [ $# -ge 2 ] || usage; posint "$1" "$2"; events=$2; shift 2 ;;
	--top) [ $# -ge 2 ] || usage; posint "$1" "$2"; top=$2; shift 2 ;;
	--seed) [ $# -ge 2 ] || usage; posint "$1" "$2"; seed=$2; shift 2 ;;
	--bin) [ $# -ge 2 ] || usage; bindir=$(cd "$2" && pwd); shift 2 ;;
	--out) [ $# -ge 2 ] || usage; CG=$2; shift 2 ;;
	-h | --help) sed -n '2,24s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) usage ;;
	esac
done

B=$bindir
XENIA=$root/examples/xenia
OUT=$root/bench/out
for t in trace-normalize trace-key trace-hist trace-join trace-report; do
	[ -x "$B/$t" ] || { echo "callgrind: $B/$t missing: run make first" >&2; exit 1; }
done
for c in valgrind callgrind_annotate python3 gzip zstd; do
	command -v "$c" >/dev/null 2>&1 || {
		echo "callgrind: $c not found (Debian packages valgrind python3 gzip zstd;" \
		    "make bench installs them)" >&2
		exit 1
	}
done

# The input pair, cached as bench/run.sh does it.
D=$OUT/data/seed$seed-$events
stamp="gen-traces cksum $(cksum < "$root/tests/gen-traces.py" | cut -d' ' -f1) seed $seed events $events"
if ! [ -f "$D/.stamp" ] || [ "$(cat "$D/.stamp")" != "$stamp" ]; then
	rm -rf "$D"
	mkdir -p "$D"
	echo "callgrind: generating $events-event pair in ${D#"$root"/} ..." >&2
	python3 "$root/tests/gen-traces.py" --seed "$seed" --events "$events" "$D"
	gzip -6 -n -c "$D/canary.jsonl" > "$D/canary.jsonl.gz"
	zstd -3 -q -c "$D/canary.jsonl" > "$D/canary.jsonl.zst"
	echo "$stamp" > "$D/.stamp"
fi

main_out=0
if [ -z "$CG" ]; then
	CG=$OUT/callgrind
	main_out=1
fi
rm -rf "$CG"
mkdir -p "$CG"
"$B/trace-normalize" -s "$XENIA/canary.schema" "$D/canary.jsonl" > "$CG/canary.events"
"$B/trace-key" "$CG/canary.events" > "$CG/canary.keyed"
"$B/trace-hist" -o "$CG/canary.hist" "$CG/canary.keyed"
"$B/trace-normalize" -q -s "$XENIA/ours.schema" "$D/ours-iat.jsonl" "$D/ours-lr.jsonl" |
    "$B/trace-key" | "$B/trace-hist" -o "$CG/ours.hist"
"$B/trace-join" --names canary,ours -o "$CG/join.tsv" "$CG/canary.hist" "$CG/ours.hist"

# The strace capture: the committed pair, 20 times over.
for ((i = 0; i < 20; i++)); do
	gzip -dc "$root/examples/strace/data/ls-l.strace.gz"
	cat "$root/examples/strace/data/ls.strace"
done > "$CG/capture.strace"
# Builds from before text traces (1af838d) cannot read it: no strace row.
if "$B/trace-normalize" -q -s "$root/examples/strace/strace.schema" \
    "$CG/capture.strace" > "$CG/strace.events" 2> /dev/null; then
	n_strace=$(( $(wc -l < "$CG/strace.events") - 1 ))
else
	n_strace=0
	echo "callgrind: this build cannot read the strace schema: no strace row" >&2
fi

n_canary=$(( $(wc -l < "$CG/canary.events") - 1 ))
n_ours=$(cat "$D/ours-iat.jsonl" "$D/ours-lr.jsonl" | wc -l)
n_keys=$(( $(wc -l < "$CG/join.tsv") - 1 ))

# cg NAME UNITS UNIT CMD...: run CMD under callgrind (stdout discarded).
stages=()
declare -A UNITS UNIT
cg() {
	local name=$1
	UNITS[$name]=$2
	UNIT[$name]=$3
	shift 3
	echo "callgrind: $name" >&2
	valgrind --tool=callgrind --callgrind-out-file="$CG/$name.out" \
	    --log-file="$CG/$name.log" "$@" > /dev/null
	stages+=("$name")
}
head -n 1 "$CG/canary.events" > "$CG/empty.events"
cg start-up 1 run "$B/trace-key" "$CG/empty.events"
cg normalize-jsonl "$n_canary" event \
    "$B/trace-normalize" -s "$XENIA/canary.schema" "$D/canary.jsonl"
cg normalize-gzip "$n_canary" event \
    "$B/trace-normalize" -s "$XENIA/canary.schema" "$D/canary.jsonl.gz"
cg normalize-zstd "$n_canary" event \
    "$B/trace-normalize" -s "$XENIA/canary.schema" "$D/canary.jsonl.zst"
cg normalize-ours "$n_ours" record \
    "$B/trace-normalize" -q -s "$XENIA/ours.schema" "$D/ours-iat.jsonl" "$D/ours-lr.jsonl"
if [ "$n_strace" -gt 0 ]; then
	cg normalize-strace "$n_strace" call \
	    "$B/trace-normalize" -q -s "$root/examples/strace/strace.schema" "$CG/capture.strace"
fi
cg key "$n_canary" event "$B/trace-key" "$CG/canary.events"
cg hist "$n_canary" event "$B/trace-hist" "$CG/canary.keyed"
cg join "$n_keys" key "$B/trace-join" --names canary,ours "$CG/canary.hist" "$CG/ours.hist"
cg report "$n_keys" key "$B/trace-report" --family gamma="$XENIA/gamma.addrs" \
    --watch "$XENIA/wedge.addrs" --notes "$XENIA/lr.notes" "$CG/join.tsv"

total() { sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$1" | head -n 1; }

{
	echo "Instructions (callgrind Ir, all threads, start-up included) on a" \
	    "seed-$seed pair: $n_canary canary events, $n_ours candidate records," \
	    "$n_keys joined keys; $n_strace strace calls. Tools: $(if [ "$bindir" = "$root/bin" ]; then
		echo "bin/ at commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
	    else
		echo "$bindir"
	    fi)."
	echo
	echo "| stage | Ir total | Ir per unit | unit |"
	echo "|---|--:|--:|---|"
	for s in "${stages[@]}"; do
		t=$(total "$CG/$s.out")
		awk -v s="$s" -v t="$t" -v n="${UNITS[$s]}" -v u="${UNIT[$s]}" \
		    'BEGIN { printf "| %s | %.0f | %.0f | %s |\n", s, t, t / n, u }'
	done
	for s in "${stages[@]}"; do
		[ "$s" = start-up ] && continue
		echo
		echo "$s: top functions by self cost (Ir per ${UNIT[$s]}, share)"
		echo
		# Lines look like "1,234,567 ( 4.56%)  dir/file.c:function [/path/lib]".
		callgrind_annotate --inclusive=no "$CG/$s.out" 2>/dev/null |
		    awk -v n="${UNITS[$s]}" -v top="$top" '
			/PROGRAM TOTALS/ { next }
			match($0, /^ *[0-9][0-9,]* +\( *[0-9.]+%\) +/) {
				if (++k > top) next
				head = substr($0, 1, RLENGTH); rest = substr($0, RLENGTH + 1)
				ir = head; sub(/\(.*/, "", ir); gsub(/[ ,]/, "", ir)
				pct = head; sub(/.*\( */, "", pct); sub(/\).*/, "", pct)
				lib = ""
				if (match(rest, / \[[^]]*\]$/)) {
					lib = substr(rest, RSTART + 2, RLENGTH - 3)
					rest = substr(rest, 1, RSTART - 1)
					sub(/.*\//, "", lib)
				}
				sub(/^.*\//, "", rest)	# directories of the source file
				printf "    %7.0f  %6s  %s%s\n", ir / n, pct, rest,
				    lib == "" ? "" : "  [" lib "]"
			}'
	done
} > "$CG/summary.md"
cat "$CG/summary.md"
if [ "$main_out" = 1 ]; then
	cp "$CG/summary.md" "$OUT/callgrind.md"
	echo "callgrind: written to ${OUT#"$root"/}/callgrind.md; profiles in ${CG#"$root"/}/" >&2
else
	echo "callgrind: written to $CG/summary.md" >&2
fi
