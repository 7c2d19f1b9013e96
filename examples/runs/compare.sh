#!/bin/sh
# compare.sh - compare five runs of a reference engine with five runs of a
# candidate: which keys are missing or under in every run, which only in
# some, and how sure the difference is.
#
#   compare.sh [-f] [-q K] OUTDIR
#
# Reads data/ref-1.jsonl.gz .. ref-5 and cand-1 .. cand-5 beside this
# script (gen.py writes them), normalizes each run with a column run
# holding its number, and writes to OUTDIR:
#
#   ref-N.hist, cand-N.hist  the histogram of each run
#   ref.hist, cand.hist      each side's runs merged, run tallied as counts
#   join.tsv                 trace-join --runs run --over 2: per-run counts
#   report.md, report.json, report.html
#                            its reports
#   rates.tsv                the same join with --per total: per-run rates
#                            per 1,000 fires of the run
#   rates.md, rates.json     its reports
#
# and prints the two headlines.  -q K counts a missing key toward the
# headline when it fires in at least K reference runs (trace-report
# --quorum; the default is all 5).  OUTDIR must be empty or new unless -f
# is given; -h prints the usage.
set -eu

usage="usage: compare.sh [-f] [-q K] OUTDIR"
force=0
quorum=
while getopts fhq: o; do
	case $o in
	f) force=1 ;;
	h) echo "$usage"; exit 0 ;;
	q) quorum=$OPTARG ;;
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
set --
if [ -n "$quorum" ]; then
	set -- --quorum "$quorum"
fi

# One histogram per run, its events marked with the run's number and
# keyed by call site (op, lr), tallying the threads and the run; then the
# runs of a side merged: the run column becomes a counts tally, such as
# 1:37,2:40,3:40,4:34,5:41.
for side in ref cand; do
	for i in 1 2 3 4 5; do
		trace-normalize --set run="$i" "$data/$side-$i.jsonl.gz" |
		    trace-key -a tid,run | trace-hist -o "$out/$side-$i.hist"
	done
	trace-hist -o "$out/$side.hist" "$out/$side-1.hist" "$out/$side-2.hist" \
	    "$out/$side-3.hist" "$out/$side-4.hist" "$out/$side-5.hist"
done

# Counts, run by run.
trace-join --runs run --over 2 --names ref,cand -o "$out/join.tsv" \
    "$out/ref.hist" "$out/cand.hist"
trace-report "$@" -o "$out/report.md" "$out/join.tsv"
trace-report "$@" -f json -o "$out/report.json" "$out/join.tsv"
trace-report "$@" -f html -o "$out/report.html" "$out/join.tsv"

# Rates per 1,000 fires of each run, for runs of different lengths.
trace-join --runs run --over 2 --per total --names ref,cand \
    -o "$out/rates.tsv" "$out/ref.hist" "$out/cand.hist"
trace-report "$@" --per total -o "$out/rates.md" "$out/rates.tsv"
trace-report "$@" --per total -f json -o "$out/rates.json" "$out/rates.tsv"

for r in report rates; do
	printf 'compare.sh: %s: %s\n' "$out/$r.md" \
	    "$(sed -n 's/^"headline":"\(.*\)",$/\1/p' "$out/$r.json")"
done
