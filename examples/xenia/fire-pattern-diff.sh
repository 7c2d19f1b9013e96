#!/usr/bin/env bash
# fire-pattern-diff.sh - the seed's fire-pattern diff as a pipeline of the
# five trace tools.
#
#   fire-pattern-diff.sh [-f] CANARY OURS... OUTDIR
#
# CANARY is the reference trace, OURS the candidate's (one or more files,
# read as one stream); any of them may be gzip or zstd compressed.  Writes
# OUTDIR/report.md, report.json, divergent-tuples.csv, matched-tuples.csv,
# and the intermediate canary.hist, ours.hist and join.tsv.  Everything
# specific to the investigation is data beside this script: the two
# schemas, the gamma family, the wedge watch list and the notes.
# OUTDIR must be empty or new unless -f is given; -h prints this usage.
set -euo pipefail

usage="usage: fire-pattern-diff.sh [-f] CANARY OURS... OUTDIR"
force=0
while getopts fh o; do
	case $o in
	f) force=1 ;;
	h) echo "$usage"; exit 0 ;;
	*) echo "$usage" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -lt 3 ]; then
	echo "$usage" >&2
	exit 2
fi
# This script's directory, absolute.  No subshell or dirname here, and
# on the usual path none below: each fork costs milliseconds on some
# virtual machines, and the script runs in a fraction of a second.
case $0 in
*/*) here=${0%/*}; here=${here:-/} ;;
*) here=. ;;
esac
case $here in
/*) ;;
*) here=$PWD/$here ;;
esac
# Use the tools built in this checkout when they are there.
if [ -x "$here/../../bin/trace-normalize" ]; then
	PATH="$here/../../bin:$PATH"
fi
canary=$1
shift
out=${!#}
ours=("${@:1:$#-1}")
if [ "$force" = 0 ] && [ -d "$out" ] && [ -n "$(ls -A "$out")" ]; then
	echo "fire-pattern-diff.sh: $out: directory not empty (-f writes into it)" >&2
	exit 2
fi
[ -d "$out" ] || mkdir -p "$out"

# The two sides are independent: histogram them at once, each
# normalizer converting on half the cores (one on two), not both on all.
# The CPUs this process may run on (nproc's count, without its
# OMP_NUM_THREADS), read from /proc/self/status
# ("Cpus_allowed_list:\t0-3,8"); nproc where that file is missing.
cpus=0
if [ -r /proc/self/status ]; then
	while read -r k v; do
		[ "$k" = Cpus_allowed_list: ] || continue
		for r in ${v//,/ }; do
			case $r in
			*-*) cpus=$((cpus + ${r#*-} - ${r%-*} + 1)) ;;
			*) cpus=$((cpus + 1)) ;;
			esac
		done
	done < /proc/self/status
fi
[ "$cpus" -gt 0 ] || cpus=$(nproc 2>/dev/null || echo 2)
threads=$((cpus / 2))
[ "$threads" -ge 1 ] || threads=1
trace-normalize --threads "$threads" -s "$here/canary.schema" "$canary" |
    trace-key | trace-hist -o "$out/canary.hist" &
ref=$!
trace-normalize --threads "$threads" -q -s "$here/ours.schema" "${ours[@]}" |
    trace-key | trace-hist -o "$out/ours.hist"
wait "$ref"

trace-join --names canary,ours -o "$out/join.tsv" "$out/canary.hist" \
    "$out/ours.hist"
opts=(--family gamma="$here/gamma.addrs" --watch "$here/wedge.addrs"
    --notes "$here/lr.notes")
trace-report "${opts[@]}" --csv "$out" -o "$out/report.md" "$out/join.tsv"
trace-report "${opts[@]}" --format json -o "$out/report.json" "$out/join.tsv"
# The headline: the line '"headline":"...",' of the JSON report.
headline=
while IFS= read -r line; do
	case $line in
	'"headline":"'*'",')
		headline=${line#'"headline":"'}
		headline=${headline%'",'}
		break
		;;
	esac
done < "$out/report.json"
echo "fire-pattern-diff: $out/report.md: $headline"
