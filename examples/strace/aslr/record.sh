#!/usr/bin/env bash
# record.sh - re-record the captures of the ASLR example with strace(1).
#
#   record.sh [-f]
#
# Builds pie.c as a position-independent executable (cc -fPIE -pie) in a
# temporary directory and runs it twice, with the C locale and standard
# output to /dev/null, under
#
#   strace -f -i -o runN.strace ./pie runN.maps
#
# The program copies its /proc/self/maps to runN.maps before it exits,
# so each capture has the memory map of its own run beside it.  The
# symbols of the executable, as nm -S prints them, go to pie.nm: they
# belong to this build, the one the captures ran.
#
# With address space layout randomization on (/proc/sys/kernel/
# randomize_va_space 1 or 2, the default) the two runs load the program
# and its libraries at other addresses; with it off (0, or under
# setarch -R) the example shows nothing, and record.sh says so.  Each
# file is written to a temporary directory first, so a failed run leaves
# the captures as they were; as they are committed, nothing is replaced
# without -f.  Needs a C compiler, nm and strace, and a kernel that lets
# strace ptrace its children.  README.md quotes the committed captures:
# update it with them.
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
files="run1.strace run1.maps run2.strace run2.maps pie.nm"
if [ "$force" = 0 ] && [ -e "$here/run1.strace" ]; then
	echo "record.sh: $here: captures present (-f replaces them)" >&2
	exit 2
fi
for t in "${CC:-cc}" nm strace; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "record.sh: $t is not installed" >&2
		exit 2
	fi
done
if [ "$(cat /proc/sys/kernel/randomize_va_space 2>/dev/null || echo 0)" = 0 ]; then
	echo "record.sh: address space layout randomization is off" \
	    "(/proc/sys/kernel/randomize_va_space is 0): the runs would" \
	    "not differ" >&2
	exit 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

export LC_ALL=C
"${CC:-cc}" -O2 -fPIE -pie -o "$tmp/pie" "$here/pie.c"
nm -S "$tmp/pie" >"$tmp/pie.nm"
cd "$tmp"
for i in 1 2; do
	strace -f -i -o "run$i.strace" ./pie "run$i.maps" >/dev/null
done
for f in $files; do
	mv "$tmp/$f" "$here/$f"
	echo "record.sh: $here/$f: $(wc -c <"$here/$f") bytes"
done
