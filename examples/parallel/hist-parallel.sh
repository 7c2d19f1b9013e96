#!/bin/sh
# hist-parallel.sh - a histogram computed on every core with GNU parallel:
# map (normalize, key, hist) over pieces, then merge with one trace-hist.
#
#   hist-parallel.sh [-j JOBS] [-S SSHLOGIN] SCHEMA FILE...
#
# One uncompressed FILE is cut into blocks at line boundaries with
# --pipepart (JSON Lines only: CSV and TSV need their header in every
# block); several files, or compressed ones, are mapped one job per file.
# -S passes --sshlogin to parallel to spread the map over machines that
# have trace-tools and the files at the same paths.  The result equals
# the single-pass histogram byte for byte: trace-hist merges its own
# output and sorts it.
set -eu
jobs=
ssh=
while getopts hj:S: opt; do
	case $opt in
	h) echo "usage: hist-parallel.sh [-j jobs] [-S sshlogin] schema file..."; exit 0 ;;
	j) jobs="-j $OPTARG" ;;
	S) ssh="--sshlogin $OPTARG" ;;
	*) echo "usage: hist-parallel.sh [-j jobs] [-S sshlogin] schema file..." >&2
	   exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 2 ] || { echo "usage: hist-parallel.sh [-j jobs] [-S sshlogin] schema file..." >&2; exit 2; }
schema=$1
shift
map="trace-normalize -q -s $schema | trace-key | trace-hist"
# shellcheck disable=SC2086
if [ $# -eq 1 ] && [ "$(head -c 2 "$1" | od -An -tx1 | tr -d ' ')" != 1f8b ] &&
    [ "$(head -c 4 "$1" | od -An -tx1 | tr -d ' ')" != 28b52ffd ]; then
	parallel --will-cite --pipepart --block 8M $jobs $ssh -a "$1" "$map"
else
	parallel --will-cite $jobs $ssh "trace-normalize -q -s $schema {} | trace-key | trace-hist" ::: "$@"
fi | trace-hist
