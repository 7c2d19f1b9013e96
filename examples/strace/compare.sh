#!/usr/bin/env bash
# compare.sh - compare two strace captures with the trace tools: what the
# first run does that the second never does, or does far less often.
#
#   compare.sh [-f] [-m MASK] [-n REF,CAND] RUN_A RUN_B OUTDIR
#
# RUN_A (the reference) and RUN_B (the candidate) are captures of
# strace -f -i (best with -o FILE and -t, -tt or -ttt; see strace.schema),
# plain, gzip or zstd compressed.  The side names are the file names
# without directories and .gz, .zst and .strace suffixes, or REF,CAND.
#
# Writes to OUTDIR:
#
#   report.md, report.json   by syscall name (trace-key -k op): stable
#                            from run to run
#   join.tsv, A.hist, B.hist its join and histograms
#   sites.md, sites.json     by call site (op, lr) with lr masked by MASK,
#                            0xfff by default: the offset of the call site
#                            in its 4 KiB page, which ASLR does not change
#                            for the same binary
#   sites-join.tsv
#   raw-sites.md, raw-sites.json
#                            by call site (op, lr) as recorded: under ASLR
#                            two runs share almost no address, so nearly
#                            every key is missing or extra
#   diverge.md, diverge.tsv  where the two sequences of calls part, by
#                            syscall name (trace-diverge -k op): the
#                            first divergence with the calls before it,
#                            and every hunk
#   A.tsv, B.tsv             the event streams of both runs
#
# and prints the three headlines and the first divergence.  Tallies: tid, handle (the fd) and ts.
# OUTDIR must be empty or new unless -f is given; -h prints the usage.
set -euo pipefail

usage() {
	echo "usage: compare.sh [-f] [-m MASK] [-n REF,CAND] RUN_A RUN_B OUTDIR" >&2
	exit 2
}
mask=0xfff
names=
force=0
while getopts fhm:n: o; do
	case $o in
	f) force=1 ;;
	h) echo "usage: compare.sh [-f] [-m MASK] [-n REF,CAND] RUN_A RUN_B OUTDIR"; exit 0 ;;
	m) mask=$OPTARG ;;
	n) names=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 3 ] || usage
here=$(cd "$(dirname "$0")" && pwd)
# Use the tools built in this checkout when they are there.
if [ -x "$here/../../bin/trace-normalize" ]; then
	PATH="$here/../../bin:$PATH"
fi
run_a=$1 run_b=$2 out=$3

side() {
	local n
	n=$(basename "$1")
	n=${n%.gz}
	n=${n%.zst}
	n=${n%.strace}
	printf '%s\n' "$n"
}
if [ -z "$names" ]; then
	a=$(side "$run_a") b=$(side "$run_b")
	case "$a$b" in
	*[,$'\t\n\r\\']*) a= ;;
	esac
	if [ -z "$a" ] || [ -z "$b" ] || [ "$a" = "$b" ]; then
		a=ref b=cand
	fi
	names=$a,$b
fi
a=${names%%,*} b=${names#*,}
if [ "$force" = 0 ] && [ -d "$out" ] && [ -n "$(ls -A "$out")" ]; then
	echo "compare.sh: $out: directory not empty (-f writes into it)" >&2
	exit 2
fi
mkdir -p "$out"

# Normalize each run once; the three comparisons key the same events.
trace-normalize -q -s "$here/strace.schema" -o "$out/$a.tsv" "$run_a" &
pid=$!
trace-normalize -q -s "$here/strace.schema" -o "$out/$b.tsv" "$run_b"
wait "$pid"

# compare KEYOPTS PREFIX TITLE: key, histogram, join and report.
compare() {
	local prefix=$2 title=$3 s
	local -a key
	read -r -a key <<<"$1"
	for s in "$a" "$b"; do
		trace-key "${key[@]}" "$out/$s.tsv" |
		    trace-hist -o "$out/$prefix$s.hist"
	done
	trace-join --names "$names" -o "$out/${prefix}join.tsv" \
	    "$out/$prefix$a.hist" "$out/$prefix$b.hist"
	trace-report --title "$title" -o "$out/$4.md" "$out/${prefix}join.tsv"
	trace-report --title "$title" -f json -o "$out/$4.json" \
	    "$out/${prefix}join.tsv"
	printf 'compare.sh: %s: %s\n' "$out/$4.md" \
	    "$(sed -n 's/^"headline":"\(.*\)",$/\1/p' "$out/$4.json")"
}

compare "-k op" "" "strace: $a vs $b, by syscall" report
compare "--mask lr=$mask" "sites-" \
    "strace: $a vs $b, by call site (op, lr masked to $mask)" sites
compare "" "raw-sites-" "strace: $a vs $b, by call site (op, lr as recorded)" raw-sites

# Where the sequences of calls part, by name (exit 1 when they do).
st=0
trace-diverge -k op -o "$out/diverge.tsv" "$out/$a.tsv" "$out/$b.tsv" || st=$?
[ "$st" -le 1 ] || exit 2
trace-diverge -k op -f md -o "$out/diverge.md" "$out/$a.tsv" "$out/$b.tsv" ||
    [ $? -le 1 ] || exit 2
if [ "$st" = 0 ]; then
	msg="the sequences of calls agree"
else
	msg=$(awk -F '\t' -v a="$a" -v b="$b" '
	function at(pos, len) {
		if (len == 0)
			return "after call " pos
		return len == 1 ? "call " pos : "calls " pos "-" (pos + len - 1)
	}
	NR == 2 { printf "first %s: %s %s, %s %s", $3, a, at($4, $5), b, at($6, $7) }' \
	    "$out/diverge.tsv")
fi
printf 'compare.sh: %s: %s\n' "$out/diverge.md" "$msg"
