#!/bin/bash
# bench/ssh-map.sh - the map and merge of examples/parallel/hist-parallel.sh
# over one and over two local ssh "hosts", on the same data, and the ratio.
#
#   bench/ssh-map.sh [--runs N] [--bin DIR] SCHEMA FILE
#
# Two OpenSSH servers (tests/sshd-hosts.sh) listen on 127.0.0.1 and
# 127.0.0.2, each pinned to one CPU with taskset, so that each stands for
# a machine of one core; their PATH starts with the tools of DIR (default
# bin/ of this checkout).  The client's ssh configuration shares one
# connection per host (ControlMaster auto, ControlPersist), as a user
# would set it for many short jobs.  Two maps, each timed with
# -j 1 -S host1 and with -j 1 -S host1,host2, runs interleaved, best of N
# (default 3):
#
#   pipepart  FILE, cut into 8 MB blocks that travel over ssh
#   files     FILE split into 8 pieces (split -n l/8), which the hosts
#             read at the same paths
#
# Every result is checked against the single pass, byte for byte.  On
# standard output, one line per map, TAB-separated:
#
#   MAP  BEST-1-HOST  BEST-2-HOSTS  RATIO  SINGLE-PASS
#
# in seconds, RATIO = BEST-1-HOST / BEST-2-HOSTS, SINGLE-PASS the local
# normalize | key | hist on one CPU; or, when there can be no ssh hosts
# here (no sshd, rsync or GNU parallel, sshd does not start), one line
# "skipped<TAB>REASON", status 0.  The servers are stopped by their PIDs
# and everything is removed at the end, also on failure.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
runs=3
bindir=$root/bin
usage() { echo "usage: bench/ssh-map.sh [--runs N] [--bin DIR] schema file" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	--runs) [ $# -ge 2 ] || usage; runs=$2; shift 2 ;;
	--bin) [ $# -ge 2 ] || usage; bindir=$(cd "$2" && pwd); shift 2 ;;
	-h | --help) sed -n '2,29s/^# \{0,1\}//p' "$0"; exit 0 ;;
	-*) usage ;;
	*) break ;;
	esac
done
[ $# -eq 2 ] || usage
case $runs in '' | *[!0-9]* | 0) usage ;; esac
schema=$(realpath -- "$1")
file=$(realpath -- "$2")

for c in parallel rsync; do
	command -v $c >/dev/null 2>&1 ||
	    { printf 'skipped\t%s not installed (Debian package %s)\n' $c $c; exit 0; }
done

# shellcheck source=tests/sshd-hosts.sh
. "$root/tests/sshd-hosts.sh"
W=$(mktemp -d "${TMPDIR:-/tmp}/ssh-map.XXXXXX")
H=$W/h
cleanup() {
	local i
	for i in 1 2; do
		if [ -S "$H/cm-host$i" ]; then
			ssh -F "$H/cm_config" -O exit host$i >/dev/null 2>&1 || :
		fi
	done
	sshd_hosts_stop "$H"
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 2' HUP INT TERM

if ! SSHD_HOSTS_PIN=1 sshd_hosts_start "$H" "$root" 2 >&2; then
	printf 'skipped\t%s\n' "$SSHD_HOSTS_WHY"
	exit 0
fi
for i in 1 2; do
	for t in trace-normalize trace-key trace-hist; do
		ln -s "$bindir/$t" "$H/host$i/probe/$t"
	done
done
{
	printf 'ControlMaster auto\nControlPath %s/cm-%%n\nControlPersist 120\n' "$H"
	cat "$H/ssh_config"
} > "$H/cm_config"
export PARALLEL_SSH="ssh -F $H/cm_config"
export PATH="$bindir:$PATH"
HP=$root/examples/parallel/hist-parallel.sh

mkdir "$W/pieces"
split -n l/8 "$file" "$W/pieces/piece."
now() { date +%s%N; }
pin=
command -v taskset >/dev/null 2>&1 && pin="taskset -c 0"
t0=$(now)
# shellcheck disable=SC2016
$pin sh -c 'trace-normalize -q -s "$1" "$2" | trace-key | trace-hist' \
    sh "$schema" "$file" > "$W/want"
single=$(( $(now) - t0 ))

declare -A best
# run MAP N: one timed run of MAP over N hosts, checked.
run() {
	local map=$1 n=$2 sl=host1 t
	[ "$n" = 1 ] || sl=host1,host2
	t0=$(now)
	if [ "$map" = pipepart ]; then
		sh "$HP" -j 1 -S "$sl" "$schema" "$file" > "$W/got"
	else
		sh "$HP" -j 1 -S "$sl" "$schema" "$W"/pieces/piece.* > "$W/got"
	fi
	t=$(( $(now) - t0 ))
	cmp -s "$W/want" "$W/got" ||
	    { echo "ssh-map: $map over $n hosts differs from the single pass" >&2; exit 1; }
	if [ -z "${best[$map.$n]:-}" ] || [ "$t" -lt "${best[$map.$n]}" ]; then
		best[$map.$n]=$t
	fi
}
for map in pipepart files; do
	run "$map" 1 # a warm-up: the page cache, the shared connections
	for ((r = 1; r <= runs; r++)); do
		echo "ssh-map: $map ($r/$runs)" >&2
		run "$map" 1
		run "$map" 2
	done
	awk -v m="$map" -v a="${best[$map.1]}" -v b="${best[$map.2]}" -v s="$single" \
	    'BEGIN { printf "%s\t%.3f\t%.3f\t%.2f\t%.3f\n", m, a / 1e9, b / 1e9, a / b, s / 1e9 }'
done
