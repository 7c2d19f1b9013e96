#!/usr/bin/env bash
# record.sh - rebuild prog.c and re-record the two perf captures of data/.
#
#   record.sh [-f]
#
# Builds prog.c (gcc -O1), then samples two runs of it with the software
# event cpu-clock, which needs no hardware performance counters:
#
#   perf record -e cpu-clock --sample-cpu -o insertion.data ./prog insertion
#   perf record -e cpu-clock --sample-cpu -o merge.data     ./prog merge
#
# (the reference, then the candidate), and writes each run's samples as
# text with
#
#   perf script -i RUN.data -F comm,pid,tid,cpu,time,event,ip,sym,symoff,dso
#
# kept gzipped as data/insertion.perf.gz and data/merge.perf.gz; the
# tools read them as they are.  --sample-cpu records the CPU of each
# sample, which perf script needs to print the cpu field.  Each capture
# is written to a temporary directory first, so a failed run leaves
# data/ as it was; the binary and the perf.data files are not kept.
#
# Needs perf (Debian: apt-get install linux-perf) and gcc, and a kernel
# that lets perf sample the program: as root, or with
# /proc/sys/kernel/perf_event_paranoid at 2 or less for a program of
# one's own (perf then samples user space only where it may not sample
# the kernel).  New captures differ from the committed ones (samples,
# addresses, times): tests/perf-example.bats and README.md quote figures
# of the committed pair, so update them with the data.  As data/ holds
# them, nothing is written there without -f; -h prints the usage.
set -euo pipefail

usage="usage: record.sh [-f]"
force=0
while getopts fh o; do
	case $o in
	f) force=1 ;;
	h) echo "$usage"; exit 0 ;;
	*) echo "$usage" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || { echo "$usage" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
cc=${CC:-gcc}
if [ "$force" = 0 ] && [ -d "$here/data" ] && [ -n "$(ls -A "$here/data")" ]; then
	echo "record.sh: $here/data: directory not empty (-f replaces the captures)" >&2
	exit 2
fi
for t in perf "$cc"; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "record.sh: $t is not installed (apt-get install linux-perf gcc)" >&2
		exit 2
	fi
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

export LC_ALL=C
"$cc" -O1 -o "$tmp/prog" "$here/prog.c"
for run in insertion merge; do
	perf record -q -e cpu-clock --sample-cpu -o "$tmp/$run.data" \
	    -- "$tmp/prog" "$run" >/dev/null
	perf script -i "$tmp/$run.data" \
	    -F comm,pid,tid,cpu,time,event,ip,sym,symoff,dso >"$tmp/$run.perf"
	gzip -9n <"$tmp/$run.perf" >"$tmp/$run.perf.gz"
done

mkdir -p "$here/data"
for run in insertion merge; do
	mv "$tmp/$run.perf.gz" "$here/data/$run.perf.gz"
	echo "record.sh: $here/data/$run.perf.gz: $(wc -l <"$tmp/$run.perf") samples"
done
