#!/usr/bin/env bash
# record.sh - rebuild prog.c and re-record the two qemu logs of data/.
#
#   record.sh [-f]
#
# Builds prog.c static and not position-independent, so that every
# block has the same address in both runs, then runs it twice under
# user-mode qemu with an empty environment:
#
#   gcc -static -no-pie -O1 -o prog prog.c
#   env -i qemu-x86_64 -d exec,nochain -D run-a.log ./prog A   (the reference)
#   env -i qemu-x86_64 -d exec,nochain -D run-b.log ./prog B   (the candidate)
#
# and keeps the logs gzipped as data/run-a.log.gz and data/run-b.log.gz;
# the tools read them as they are.  The empty environment keeps the
# startup code of the C library on the same path in both runs and on
# every machine (it reads the environment, GLIBC_TUNABLES among others).
# Both runs start in the same directory, the temporary one, as ./prog:
# the startup code copies strings whose length depends on where the
# program runs, so a run from another directory may execute a block
# more or less in memcpy.  The blocks themselves do not depend on the
# host's processor: a qemu release emulates the same one on every host,
# and the C library picks its string functions for that one.
# Each log is written to a temporary directory first, so a failed run
# leaves data/ as it was; the binary is not kept.
#
# Needs qemu-user and gcc (Debian: apt-get install qemu-user gcc) on an
# x86-64 host, or CC set to a compiler for x86-64 Linux with a static C
# library.  Another compiler or C library gives other addresses and
# block counts: tests/qemu-example.bats and README.md quote figures of
# the committed pair, so update them with the data.  As data/ holds
# them, nothing is written there without -f; -h prints the usage.  The
# addresses of the functions that tell the runs apart are printed at
# the end.
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
	echo "record.sh: $here/data: directory not empty (-f replaces the logs)" >&2
	exit 2
fi
for t in qemu-x86_64 "$cc"; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "record.sh: $t is not installed (apt-get install qemu-user gcc)" >&2
		exit 2
	fi
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$cc" -static -no-pie -O1 -o "$tmp/prog" "$here/prog.c"
for run in a b; do
	arg=$(echo "$run" | tr ab AB)
	(cd "$tmp" && env -i qemu-x86_64 -d exec,nochain -D "run-$run.log" \
	    ./prog "$arg" >/dev/null)
	gzip -9n <"$tmp/run-$run.log" >"$tmp/run-$run.log.gz"
done

mkdir -p "$here/data"
for run in a b; do
	mv "$tmp/run-$run.log.gz" "$here/data/run-$run.log.gz"
	echo "record.sh: $here/data/run-$run.log.gz: $(wc -l <"$tmp/run-$run.log") lines, $(wc -c <"$here/data/run-$run.log.gz") bytes"
done
nm "$tmp/prog" | grep -E ' (main|step|check_fast|check_slow)$' | sort |
    sed 's/^/record.sh: /'
