#!/usr/bin/env bash
# record.sh - re-record the example captures of data/ with strace(1).
#
#   record.sh [-f] [DIR]
#
# Runs, with the C locale and standard output to /dev/null:
#
#   strace -f -i -tt -o data/ls-l.strace ls -l DIR   (the reference)
#   strace -f -i -tt -o data/ls.strace   ls DIR      (the candidate)
#
# DIR is /etc by default.  The reference, over 50 KB, is kept gzipped
# (data/ls-l.strace.gz); the tools read it as it is.  Each run is
# recorded to a temporary file first, so a failed run leaves data/ as it
# was.  Needs strace and a kernel that lets it ptrace its children (not,
# for instance, a container without CAP_SYS_PTRACE under a seccomp
# profile that forbids ptrace).
#
# New captures differ from the committed ones (addresses, pids, times,
# the entries of DIR): tests/strace.bats and README.md quote figures of
# the committed pair, so update them with the data.  As data/ holds
# them, nothing is written there without -f; -h prints the usage.
set -euo pipefail

usage="usage: record.sh [-f] [DIR]"
force=0
while getopts fh o; do
	case $o in
	f) force=1 ;;
	h) echo "$usage"; exit 0 ;;
	*) echo "$usage" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -le 1 ] || { echo "$usage" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-/etc}
if [ "$force" = 0 ] && [ -d "$here/data" ] && [ -n "$(ls -A "$here/data")" ]; then
	echo "record.sh: $here/data: directory not empty (-f replaces the captures)" >&2
	exit 2
fi
if ! command -v strace >/dev/null 2>&1; then
	echo "record.sh: strace is not installed (apt-get install strace)" >&2
	exit 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

export LC_ALL=C
strace -f -i -tt -o "$tmp/ls-l.strace" ls -l "$dir" >/dev/null
strace -f -i -tt -o "$tmp/ls.strace" ls "$dir" >/dev/null

mkdir -p "$here/data"
gzip -9n <"$tmp/ls-l.strace" >"$tmp/ls-l.strace.gz"
mv "$tmp/ls-l.strace.gz" "$here/data/ls-l.strace.gz"
mv "$tmp/ls.strace" "$here/data/ls.strace"
for f in ls-l.strace.gz ls.strace; do
	echo "record.sh: $here/data/$f: $(wc -c <"$here/data/$f") bytes"
done
