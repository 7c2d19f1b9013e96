#!/bin/sh
# compare.sh - compare the threads of a reference engine with those of a
# candidate: which candidate threads do each reference thread's work
# (the thread map), which keys moved to other threads, and which keys
# stop early or start late.
#
#   compare.sh [-f] OUTDIR
#
# Reads data/ref.jsonl.gz and data/cand.jsonl.gz beside this script
# (gen.py writes them) and writes to OUTDIR:
#
#   ref.hist, cand.hist   each side's histogram by call site (op, lr),
#                         with the threads (tid) and the time range (ts)
#   join.tsv              trace-join of the two
#   report.md, report.json, report.html
#                         its reports, with the thread map and the keys
#                         that stop early and start late
#   threads.tsv           the thread map alone: ref_tid, cand_tid,
#                         similarity (trace-report -f threads)
#
# and prints the headline.  OUTDIR must be empty or new unless -f is
# given; -h prints the usage.
set -eu

usage="usage: compare.sh [-f] OUTDIR"
force=0
while getopts fh o; do
	case $o in
	f) force=1 ;;
	h) echo "$usage"; exit 0 ;;
	*) echo "$usage" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -ne 1 ]; then
	echo "$usage" >&2
	exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
# Use the tools built in this checkout when they are there.
if [ -x "$here/../../bin/trace-normalize" ]; then
	PATH="$here/../../bin:$PATH"
fi
data=$here/data
out=$1
if [ "$force" = 0 ] && [ -d "$out" ] && [ -n "$(ls -A "$out")" ]; then
	echo "compare.sh: $out: directory not empty (-f writes into it)" >&2
	exit 2
fi
mkdir -p "$out"

# One histogram per side, keyed by call site; trace-key keeps tid and ts
# as attributes, trace-hist tallies the threads as counts (14:602) and
# the times as a range (1020902665..2978151844): the thread map reads
# the first, when keys fire the second.
for side in ref cand; do
	trace-normalize -c op -c lr -c tid -c ts "$data/$side.jsonl.gz" |
	    trace-key | trace-hist -o "$out/$side.hist"
done

trace-join --names ref,cand -o "$out/join.tsv" "$out/ref.hist" "$out/cand.hist"
trace-report -o "$out/report.md" "$out/join.tsv"
trace-report -f json -o "$out/report.json" "$out/join.tsv"
trace-report -f html -o "$out/report.html" "$out/join.tsv"
trace-report -f threads -o "$out/threads.tsv" "$out/join.tsv"

printf 'compare.sh: %s: %s\n' "$out/report.md" \
    "$(sed -n 's/^"headline":"\(.*\)",$/\1/p' "$out/report.json")"
