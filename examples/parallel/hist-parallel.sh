#!/bin/sh
# hist-parallel.sh - a histogram computed on every core, or on several
# machines, with GNU parallel: map (normalize, key, hist) over pieces,
# then merge with one trace-hist.
#
#   hist-parallel.sh [-j jobs] [-S sshlogin] [--sshloginfile file]
#                    [--transfer | --remote-files] schema file...
#
# One uncompressed FILE is cut into blocks at line boundaries with
# --pipepart (JSON Lines only: CSV and TSV need their header in every
# block); several files, or compressed ones, are mapped one job per file.
# The result equals the single-pass histogram byte for byte: trace-hist
# merges its own output, skips the header line of every partial
# histogram after the first, and sorts.
#
#   -j jobs              jobs at a time on each machine (parallel -j)
#   -S sshlogin          map on these machines (parallel --sshlogin; a
#                        comma-separated list, ':' is this machine); they
#                        need trace-tools, bash and perl, and, without
#                        --transfer, the schema and the files at the
#                        same paths (relative paths are made absolute)
#   --sshloginfile file  the machines listed in file, one a line
#   --transfer           send each whole file to the machine that maps
#                        it, return its histogram and remove the copies
#                        (parallel --transferfile, --return, --cleanup);
#                        the schema is sent once to each machine
#                        (--basefile); in --pipepart mode the blocks go
#                        over ssh's standard input and only the schema
#                        is sent.  The copies live in a directory of
#                        their own under the login directory.
#   --remote-files       each file operand is SSHLOGIN:PATH and is mapped
#                        on that machine, where it lies (PATH absolute or
#                        relative to the login directory); the schema is
#                        sent to each machine and removed after
#
# How to reach a machine (port, key, user) comes from the ssh
# configuration or PARALLEL_SSH (e.g. PARALLEL_SSH="ssh -F cfg"), as
# GNU parallel reads them; this script adds no ssh options.
#
# A job that fails (a machine down, a tool missing, bad input) makes the
# whole run fail with status 2 and, for each failed job,
#   hist-parallel.sh: HOST: FILE: failed (exit N)
# (FILE followed by "block N" in --pipepart mode, N the job number;
# HOST "localhost" for this machine); nothing is written to the standard
# output then.  Each job's map runs under bash with pipefail, so that a
# failure of any stage of the pipeline fails the job.
set -eu
me=hist-parallel.sh
usage="usage: $me [-j jobs] [-S sshlogin] [--sshloginfile file] [--transfer | --remote-files] schema file..."

die() { echo "$me: $*" >&2; exit 2; }
bad_usage() { [ $# -eq 0 ] || echo "$me: $*" >&2; echo "$usage" >&2; exit 2; }
# q WORD: WORD quoted for sh.
q() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

jobs='' logins='' loginfile='' transfer=0 remote=0
while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) echo "$usage"; exit 0 ;;
	-j) [ $# -ge 2 ] || bad_usage "-j needs a value"; jobs=$2; shift 2 ;;
	-j*) jobs=${1#-j}; shift ;;
	-S) [ $# -ge 2 ] || bad_usage "-S needs a value"
	    logins=$logins${logins:+,}$2; shift 2 ;;
	-S*) logins=$logins${logins:+,}${1#-S}; shift ;;
	--sshloginfile) [ $# -ge 2 ] || bad_usage "--sshloginfile needs a file"
	    loginfile=$2; shift 2 ;;
	--sshloginfile=*) loginfile=${1#*=}; shift ;;
	--transfer) transfer=1; shift ;;
	--remote-files) remote=1; shift ;;
	--) shift; break ;;
	-?*) bad_usage "unknown option $1" ;;
	*) break ;;
	esac
done
[ $# -ge 2 ] || bad_usage
[ "$transfer$remote" != 11 ] || bad_usage "--transfer and --remote-files exclude each other"
if [ "$remote" = 1 ]; then
	[ -z "$logins$loginfile" ] ||
	    bad_usage "--remote-files takes the machines from the operands, not -S or --sshloginfile"
elif [ "$transfer" = 1 ]; then
	[ -n "$logins$loginfile" ] || bad_usage "--transfer needs -S or --sshloginfile"
fi
if [ -n "$loginfile" ]; then
	{ [ -f "$loginfile" ] && [ -r "$loginfile" ]; } || die "$loginfile: cannot read"
fi
# With --transfer the jobs run in a directory under the login directory
# of a remote machine; on this machine (':') the files would not be there.
if [ "$transfer" = 1 ]; then
	{ printf '%s\n' "$logins" | tr , '\n'
	  [ -z "$loginfile" ] || cat "$loginfile"; } |
	    sed 's/^[0-9]*\///' | grep -qx ':' &&
	    bad_usage "--transfer maps on remote machines only; ':' (this machine) cannot be one"
fi

schema=$1
shift
{ [ -f "$schema" ] && [ -r "$schema" ]; } || die "$schema: cannot read"
sabs=$(realpath -- "$schema")
if [ "$transfer" = 1 ]; then
	for f in "$@"; do
		{ [ -f "$f" ] && [ -r "$f" ]; } || die "$f: cannot read"
	done
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hist-parallel.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' HUP INT TERM

# Every job's shell is bash, here and on the other machines: the map
# needs pipefail.
PARALLEL_SHELL=bash
export PARALLEL_SHELL
# The work directory of the remote jobs, relative to the login directory,
# unique to this run; it holds the copies sent and goes with them.  A
# file sent as /./PATH lands at $wd/PATH (rsync --relative), so every
# copy stays inside $wd, the schema at $wd/$srel.
wd=.hist-parallel-$(uname -n)-$$
srel=${sabs#/}

# The options given to parallel, as sh words for eval; the map, which
# eval reads too.
popts="--will-cite --joblog \"\$tmp/joblog\" --halt soon,fail=1"
[ -z "$jobs" ] || popts="$popts -j $(q "$jobs")"
[ -z "$logins" ] || popts="$popts --sshlogin $(q "$logins")"
[ -z "$loginfile" ] || popts="$popts --sshloginfile $(q "$loginfile")"
# shellcheck disable=SC2034
if [ "$transfer$remote" != 00 ]; then
	popts="$popts --workdir $(q "$wd") --basefile $(q "/.$sabs") --cleanup"
	map="trace-normalize -q -s $(q "$srel")"
else
	map="trace-normalize -q -s $(q "$sabs")"
fi

mode=files
if [ "$remote" = 0 ] && [ $# -eq 1 ] && [ -f "$1" ] && [ -r "$1" ]; then
	case $(head -c 4 "$1" | od -An -tx1 | tr -d ' \n') in
	1f8b* | 28b52ffd) ;;
	*) mode=pipepart ;;
	esac
fi

# merge CMD...: run CMD (parallel), its output merged into $tmp/hist,
# its status into $tmp/pstatus.  What the merge says is shown only when
# the map succeeded (else it would be about an input cut short).
merge() {
	{ "$@" && echo 0 > "$tmp/pstatus" || echo $? > "$tmp/pstatus"; } |
	    trace-hist -o "$tmp/hist" 2> "$tmp/merge.err"
}

# map_pipepart FILE: blocks of FILE over ssh's standard input.
map_pipepart() {
	eval "merge parallel $popts --pipepart --block 8M -a \"\$1\" \
	    \"set -o pipefail; \$map | trace-key | trace-hist\""
}

# map_files FILE...: one job per file, on any machine; on other machines
# at the same absolute paths.
map_files() {
	if [ -n "$logins$loginfile" ]; then
		for f in "$@"; do
			shift
			case $f in /*) ;; *) f=$PWD/$f ;; esac
			set -- "$@" "$f"
		done
	fi
	eval "merge parallel $popts \
	    \"set -o pipefail; \$map {} | trace-key | trace-hist\" ::: \"\$@\""
}

# map_transfer FILE...: each file sent as /./ABSOLUTE-PATH, mapped in $wd
# from its relative path there, its histogram returned to $tmp/JOB.hist.
map_transfer() {
	for f in "$@"; do
		shift
		set -- "$@" "/.$(realpath -- "$f")"
	done
	# shellcheck disable=SC2016
	eval "parallel $popts --transferfile {} --return \"\$tmp/./{#}.hist\" \
	    \"set -o pipefail; \$map {= s:^/\\\\./:: =} | trace-key | trace-hist -o {#}.hist\" \
	    ::: \"\$@\"" && echo 0 > "$tmp/pstatus" || echo $? > "$tmp/pstatus"
}

# map_remote SSHLOGIN:PATH...: PATH@hN, with --sshlogin @hN/SSHLOGIN, so
# that a job runs on the machine of its host group.  A relative PATH is
# relative to the login directory, the parent of $wd.
map_remote() {
	: > "$tmp/logins"
	for op in "$@"; do
		shift
		login=${op%%:*} path=${op#*:}
		case $path in /*) ;; *) path=../$path ;; esac
		n=$(grep -nxF -e "$login" "$tmp/logins" | head -n 1 | cut -d: -f1)
		if [ -z "$n" ]; then
			printf '%s\n' "$login" >> "$tmp/logins"
			n=$(wc -l < "$tmp/logins" | tr -d ' ')
		fi
		set -- "$@" "$path@h$n"
	done
	# shellcheck disable=SC2034
	sl=$(awk '{ printf "%s@h%d/%s", (NR > 1 ? "," : ""), NR, $0 }' "$tmp/logins")
	eval "merge parallel $popts --sshlogin \"\$sl\" --hostgroups \
	    \"set -o pipefail; \$map {} | trace-key | trace-hist\" ::: \"\$@\""
}

if [ "$remote" = 1 ]; then
	for op in "$@"; do
		case $op in
		[!:]*:?*) ;;
		*) bad_usage "--remote-files: '$op' is not SSHLOGIN:PATH" ;;
		esac
	done
fi

merged=0
case $mode/$transfer/$remote in
pipepart/*) map_pipepart "$1" || merged=$? ;;
files/1/*) map_transfer "$@" ;;
files/*/1) map_remote "$@" || merged=$? ;;
*) map_files "$@" || merged=$? ;;
esac

# The failed jobs: JOB HOST STATUS, a signal N as status 128+N.
awk -F '\t' 'NR > 1 && ($7 != 0 || $8 != 0) {
	print $1 "\t" ($2 == ":" ? "localhost" : $2) "\t" ($8 != 0 ? 128 + $8 : $7)
}' "$tmp/joblog" 2>/dev/null | sort -n > "$tmp/failed" || :
if [ -s "$tmp/failed" ]; then
	if [ "$mode" = pipepart ]; then
		while IFS="$(printf '\t')" read -r job host st; do
			echo "$me: $host: $1 block $job: failed (exit $st)" >&2
		done < "$tmp/failed"
	else
		job=0
		for op in "$@"; do
			job=$((job + 1))
			line=$(awk -F '\t' -v j="$job" '$1 == j' "$tmp/failed")
			[ -n "$line" ] || continue
			host=$(printf '%s\n' "$line" | cut -f 2)
			st=$(printf '%s\n' "$line" | cut -f 3)
			if [ "$remote" = 1 ]; then
				host=${op%%:*} op=${op#*:}
			fi
			echo "$me: $host: $op: failed (exit $st)" >&2
		done
	fi
	exit 2
fi
st=$(cat "$tmp/pstatus" 2>/dev/null || echo 255)
[ "$st" = 0 ] || die "parallel failed (exit $st)"
if [ "$merged" != 0 ]; then
	cat "$tmp/merge.err" >&2
	exit 2
fi
if [ "$mode/$transfer" = files/1 ]; then
	# every job's histogram came back
	job=0
	for op in "$@"; do
		job=$((job + 1))
		[ -f "$tmp/$job.hist" ] ||
		    die "$(awk -F '\t' -v j="$job" '$1 == j { print $2 }' "$tmp/joblog"): $op: no histogram returned"
	done
	trace-hist -o "$tmp/hist" "$tmp"/[0-9]*.hist || exit 2
fi
cat "$tmp/hist" || exit 2
