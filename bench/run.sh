#!/usr/bin/env bash
# bench/run.sh - throughput and memory of the trace tools, and of peers
# doing the same work on the same input.
#
#   bench/run.sh [--events N] [--quick] [--runs N] [--seed N] [--bin DIR]
#                [--strace-mb N]
#   bench/run.sh --scale [bench/scale.sh options]
#
#   --events N  reference (canary) events in the benchmark pair
#               (default 1000000; the candidate gets about 0.55 x N)
#   --quick     skip the 10M-event canary (memory flatness)
#   --runs N    runs per measurement, the best is reported (default 3)
#   --seed N    gen-traces seed (default 1)
#   --bin DIR   the tools to measure (default bin/ of this checkout), e.g.
#               another build to compare with
#   --strace-mb N  size of the strace capture in MB (default 100)
#   --scale     instead of all this, bench/scale.sh: how cost grows with
#               the length of a trace (1M to 100M events) and with the
#               number of distinct keys (100 to 10M); the tools only, long
#
# Inputs are deterministic (tests/gen-traces.py) and cached under
# bench/out/data/, keyed by seed, size and the generator's checksum; the
# strace capture is the committed captures of examples/strace/data/
# concatenated to --strace-mb.  Besides the stages and the peers, the
# bench times trace-normalize with and without --progress (interleaved,
# best of at least 5 each), trace-join with and without --runs on a
# 100,000-key pair with 5 runs a side (bench/gen-runs.py; interleaved,
# best of at least 5 each), and the JSON parsers of Debian 12 on the
# canary lines (bench/json-parsers/, built here with cc against what is
# installed; a library whose header is missing is skipped), and the map
# and merge of examples/parallel/hist-parallel.sh over one and two local
# ssh "hosts" of one CPU each (bench/ssh-map.sh; skipped with a message
# without sshd).
# Every figure is the best of --runs runs, with the spread (slowest run
# over the best), net of the harness's own cost (bash and GNU time
# starting, measured first as the best of 10 runs of `true`).  The
# tools, examples/xenia and the strace schema are copied to
# bench/out/run/tree/ first, so a rebuild during the run changes nothing.
# Peak RSS comes from GNU time (/usr/bin/time -f %M), per process.
# Peers that are not installed are skipped with a message.  Reference
# programs run on the same data in the same rounds, interleaved with the
# tools they measure (best of at least 5 each): zstd -dc (its output
# rate, of the canary JSON Lines and of the event TSV; of the canary
# also under taskset -c 0, the one-core target's reference) and wc -l;
# the targets of the second performance step are ratios to them.  Without
# --quick, bench/scale.sh --keys-only adds the many-keys table (10M
# distinct keys through key, hist, join and report).
# The summary is printed and written to bench/out/results.md with a
# description of the machine.  Nothing here is a pass/fail test: on a
# shared machine timings are noisy; the target column only says how this
# run compares.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
events=1000000
big=10000000
runs=3
seed=1
quick=0
strace_mb=100
bindir=$root/bin

usage() {
	echo "usage: bench/run.sh [--events N] [--quick] [--runs N] [--seed N] [--bin DIR]" \
	    "[--strace-mb N] | --scale [scale.sh options]" >&2
	exit 2
}
posint() {
	case $2 in '' | *[!0-9]*) echo "bench: $1 wants a positive integer" >&2; exit 2 ;; esac
	[ "$2" -gt 0 ] || { echo "bench: $1 wants a positive integer" >&2; exit 2; }
}
while [ $# -gt 0 ]; do
	case $1 in
	--events) [ $# -ge 2 ] || usage; posint "$1" "$2"; events=$2; shift 2 ;;
	--events=*) posint --events "${1#*=}"; events=${1#*=}; shift ;;
	--runs) [ $# -ge 2 ] || usage; posint "$1" "$2"; runs=$2; shift 2 ;;
	--runs=*) posint --runs "${1#*=}"; runs=${1#*=}; shift ;;
	--seed) [ $# -ge 2 ] || usage; posint "$1" "$2"; seed=$2; shift 2 ;;
	--seed=*) posint --seed "${1#*=}"; seed=${1#*=}; shift ;;
	--bin) [ $# -ge 2 ] || usage; bindir=$(cd "$2" && pwd); shift 2 ;;
	--bin=*) bindir=$(cd "${1#*=}" && pwd); shift ;;
	--quick) quick=1; shift ;;
	--scale) shift; exec "$here/scale.sh" "$@" ;;
	--strace-mb) [ $# -ge 2 ] || usage; posint "$1" "$2"; strace_mb=$2; shift 2 ;;
	--strace-mb=*) posint --strace-mb "${1#*=}"; strace_mb=${1#*=}; shift ;;
	-h | --help) sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p;}' "$0"; exit 0 ;;
	*) usage ;;
	esac
done

TOOLS="trace-normalize trace-key trace-hist trace-join trace-report trace-diverge"
OUT=$root/bench/out
for t in $TOOLS; do
	[ -x "$bindir/$t" ] || { echo "bench: $bindir/$t missing: run make first" >&2; exit 1; }
done
command -v python3 >/dev/null 2>&1 ||
	{ echo "bench: python3 is needed to generate the inputs" >&2; exit 1; }

GNU_TIME=
if [ -x /usr/bin/time ] && /usr/bin/time -f %M -o /dev/null true 2>/dev/null; then
	GNU_TIME=/usr/bin/time
else
	echo "bench: GNU time (/usr/bin/time) not found: no peak RSS figures" \
	    "(Debian package 'time')" >&2
fi

note() { printf 'bench: %s\n' "$*" >&2; }
have() { command -v "$1" >/dev/null 2>&1; }

# ----------------------------------------------------------------------
# Inputs
# ----------------------------------------------------------------------
gensum=$(cksum < "$root/tests/gen-traces.py" | cut -d' ' -f1)

# gen DIR EVENTS CANARY_ONLY: the pair (or just the canary) in DIR,
# reusing DIR when its stamp matches.
gen() {
	local dir=$1 n=$2 only=$3 stamp
	stamp="gen-traces cksum $gensum seed $seed events $n"
	if [ -f "$dir/.stamp" ] && [ "$(cat "$dir/.stamp")" = "$stamp" ]; then
		return 0
	fi
	rm -rf "$dir"
	mkdir -p "$dir"
	note "generating $n-event pair in ${dir#"$root"/} ..."
	python3 "$root/tests/gen-traces.py" --seed "$seed" --events "$n" "$dir"
	if [ "$only" = canary ]; then
		rm -f "$dir/ours-iat.jsonl" "$dir/ours-lr.jsonl"
	else
		have gzip || { echo "bench: gzip not found" >&2; exit 1; }
		gzip -6 -n -c "$dir/canary.jsonl" > "$dir/canary.jsonl.gz"
		if have zstd; then
			zstd -3 -q -c "$dir/canary.jsonl" > "$dir/canary.jsonl.zst"
		fi
	fi
	echo "$stamp" > "$dir/.stamp"
}

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
D=$OUT/data/seed$seed-$events
gen "$D" "$events" pair
if [ "$quick" = 0 ]; then
	DB=$OUT/data/seed$seed-$big-canary
	gen "$DB" "$big" canary
fi

# The strace capture: the committed captures (examples/strace/data/,
# 726 calls, 119 KB) over and over to --strace-mb.  The content repeats
# (times and pids too), which the schema does not mind; what counts is
# the size.  No strace needed.
STRACE_DATA=$root/examples/strace/data
sstamp="strace $(cat "$STRACE_DATA"/ls-l.strace.gz "$STRACE_DATA"/ls.strace |
    cksum | cut -d' ' -f1) mb $strace_mb"
DS=$OUT/data/strace-$strace_mb
if ! [ -f "$DS/.stamp" ] || [ "$(cat "$DS/.stamp")" != "$sstamp" ]; then
	rm -rf "$DS"
	mkdir -p "$DS"
	note "building a $strace_mb MB strace capture in ${DS#"$root"/} ..."
	{ gzip -dc "$STRACE_DATA/ls-l.strace.gz"; cat "$STRACE_DATA/ls.strace"; } > "$DS/one.strace"
	awk -v want="$((strace_mb * 1000000))" -v one="$(wc -c < "$DS/one.strace")" \
	    'BEGIN { n = int((want + one - 1) / one); print (n < 1 ? 1 : n) }' > "$DS/copies"
	for ((i = 0; i < $(cat "$DS/copies"); i++)); do
		cat "$DS/one.strace"
	done > "$DS/capture.strace"
	echo "$sstamp" > "$DS/.stamp"
fi

# The canary events as Chrome trace events (the JSON Array Format, one
# event a line, each with "ph":"X", blank lines left out), for trace-normalize -f chrome on
# the same events as the JSON Lines path.
if ! [ -f "$D/canary.chrome.json" ] || [ "$D/canary.jsonl" -nt "$D/canary.chrome.json" ]; then
	note "converting the canary events to a Chrome trace ..."
	awk 'BEGIN { print "[" } NF { sub(/[{]/, "{\"ph\":\"X\","); print $0 "," }' \
	    "$D/canary.jsonl" > "$D/canary.chrome.json"
fi

# The runs join: a pair of 100,000-key histograms with 5 runs a side
# (bench/gen-runs.py), cached like the traces.
DRJ=$OUT/data/runs-seed$seed-100000x5
rstamp="gen-runs cksum $(cksum < "$here/gen-runs.py" | cut -d' ' -f1) seed $seed keys 100000 runs 5"
if ! [ -f "$DRJ/.stamp" ] || [ "$(cat "$DRJ/.stamp")" != "$rstamp" ]; then
	rm -rf "$DRJ"
	mkdir -p "$DRJ"
	note "generating the 100000-key runs pair in ${DRJ#"$root"/} ..."
	python3 "$here/gen-runs.py" --seed "$seed" --keys 100000 --runs 5 "$DRJ"
	echo "$rstamp" > "$DRJ/.stamp"
fi

R=$OUT/run
rm -rf "$R"
mkdir -p "$R"
TD=$R/time
mkdir -p "$TD"

# The thread map's pair: 1,000 threads a side over 10,000 keys, each
# thread firing about 50 of them (bench/gen-threads.py), cached.
DTM=$OUT/data/threads-seed$seed-1000x10000
tstamp="gen-threads cksum $(cksum < "$here/gen-threads.py" | cut -d' ' -f1) seed $seed"
if ! [ -f "$DTM/.stamp" ] || [ "$(cat "$DTM/.stamp")" != "$tstamp" ]; then
	rm -rf "$DTM"
	mkdir -p "$DTM"
	note "generating the 1000-thread pair in ${DTM#"$root"/} ..."
	python3 "$here/gen-threads.py" --seed "$seed" "$DTM"
	echo "$tstamp" > "$DTM/.stamp"
fi

# A snapshot of the tools and of the example (fire-pattern-diff.sh runs
# the tools in ../../bin from where it is).
if [ "$bindir" = "$root/bin" ]; then
	WHAT="bin/ of the work tree at commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
	if [ -n "$(git -C "$root" status --porcelain -- src common 2>/dev/null || true)" ]; then
		WHAT="$WHAT, src/ or common/ modified"
	fi
else
	WHAT="$bindir"
fi
TREE=$R/tree
mkdir -p "$TREE/bin" "$TREE/examples/xenia"
for t in $TOOLS; do
	cp "$bindir/$t" "$TREE/bin/"
done
find "$root/examples/xenia" -maxdepth 1 -type f -exec cp {} "$TREE/examples/xenia/" \;
mkdir -p "$TREE/examples/strace"
cp "$root/examples/strace/strace.schema" "$TREE/examples/strace/"
B=$TREE/bin
XENIA=$TREE/examples/xenia
SCHEMA_C=$XENIA/canary.schema
SCHEMA_S=$TREE/examples/strace/strace.schema

# The JSON parser benchmark, built now (so also a snapshot) with what is
# installed: each library in its own object, dropped when its header is
# missing or it does not compile.  The project's parser comes from
# common/libtrace.a beside --bin (bin/../common), the build measured.
JP=$R/json-parsers
JP_BIN=
JP_SKIPPED=()
build_parsers() {
	local cc=${CC:-cc} src=$here/json-parsers lt lib
	local -a objs=() defs=() libs=() ldextra=()
	local jpflags=(-O3 -g -std=c11 -D_GNU_SOURCE -I"$src")
	mkdir -p "$JP"
	hdr() { printf '#include <%s>\n' "$1" | "$cc" -E -x c - >/dev/null 2>&1; }
	# jp NAME DEFINE HEADER PACKAGE LIB SOURCE...
	jp() {
		local name=$1 def=$2 h=$3 pkg=$4 l=$5 f ok=1
		shift 5
		if ! hdr "$h"; then
			JP_SKIPPED+=("$name: <$h> not found (Debian package $pkg)")
			return 0
		fi
		for f in "$@"; do
			"$cc" "${jpflags[@]}" -c -o "$JP/${f%.c}.o" "$src/$f" \
			    2>> "$JP/build.log" || ok=0
		done
		if [ "$ok" = 0 ]; then
			JP_SKIPPED+=("$name: does not compile, see ${JP#"$root"/}/build.log")
			return 0
		fi
		for f in "$@"; do objs+=("$JP/${f%.c}.o"); done
		defs+=("$def")
		[ -z "$l" ] || libs+=("$l")
	}
	jp jsmn -DHAVE_JSMN jsmn.h libjsmn-dev "" p-jsmn-plain.c p-jsmn-strict.c
	jp yajl -DHAVE_YAJL yajl/yajl_parse.h libyajl-dev -lyajl p-yajl.c
	jp json-c -DHAVE_JSONC json-c/json.h libjson-c-dev -ljson-c p-jsonc.c
	jp jansson -DHAVE_JANSSON jansson.h libjansson-dev -ljansson p-jansson.c
	jp cJSON -DHAVE_CJSON cjson/cJSON.h libcjson-dev -lcjson p-cjson.c
	lt=$(dirname "$bindir")/common
	if [ -f "$lt/libtrace.a" ] && [ -f "$lt/json.h" ]; then
		# Before the fast path there was no json_parse_jsmn.
		grep -q json_parse_jsmn "$lt/json.h" || jpflags+=(-DNO_PARSE_JSMN)
		if "$cc" "${jpflags[@]}" -I"$lt" -c -o "$JP/p-project.o" \
		    "$src/p-project.c" 2>> "$JP/build.log"; then
			objs+=("$JP/p-project.o")
			defs+=(-DHAVE_PROJECT)
			cp "$lt/libtrace.a" "$JP/libtrace.a"
			ldextra=("$JP/libtrace.a" -lpthread)
		else
			JP_SKIPPED+=("the project's parser: p-project.c does not compile against $lt")
		fi
	else
		JP_SKIPPED+=("the project's parser: no libtrace.a and json.h in $lt")
	fi
	if ! "$cc" "${jpflags[@]}" ${defs[@]+"${defs[@]}"} -c -o "$JP/main.o" \
	    "$src/main.c" 2>> "$JP/build.log" ||
	    ! "$cc" -o "$JP/json-parsers" "$JP/main.o" ${objs[@]+"${objs[@]}"} \
	    ${ldextra[@]+"${ldextra[@]}"} ${libs[@]+"${libs[@]}"} 2>> "$JP/build.log"; then
		note "bench/json-parsers does not build, see ${JP#"$root"/}/build.log"
		return 0
	fi
	JP_BIN=$JP/json-parsers
	for lib in ${JP_SKIPPED[@]+"${JP_SKIPPED[@]}"}; do
		note "json-parsers: skipped $lib"
	done
}
build_parsers

# The intermediate streams come from the tools as built now.
"$B/trace-normalize" -s "$SCHEMA_C" "$D/canary.jsonl" > "$R/canary.events"
"$B/trace-key" "$R/canary.events" > "$R/canary.keyed"

size() { wc -c < "$1" | tr -d ' '; }
lines() { wc -l < "$1" | tr -d ' '; }
SZ_JSONL=$(size "$D/canary.jsonl")
SZ_EVENTS=$(size "$R/canary.events")
SZ_KEYED=$(size "$R/canary.keyed")
N_EVENTS=$(( $(lines "$R/canary.events") - 1 ))
SZ_OURS=$(( $(size "$D/ours-iat.jsonl") + $(size "$D/ours-lr.jsonl") ))
SZ_STRACE=$(size "$DS/capture.strace")
N_STRACE=$(( $("$B/trace-normalize" -q -s "$SCHEMA_S" "$DS/capture.strace" | wc -l) - 1 ))
N_OURS=$(( $(lines "$D/ours-iat.jsonl") + $(lines "$D/ours-lr.jsonl") ))

# ----------------------------------------------------------------------
# Measuring
# ----------------------------------------------------------------------
# The clock, in microseconds: bash's own, as a fork of date(1) costs
# 3-6 ms here, a fifth of a 25 ms run.
now_us() { printf -v "$1" '%s' "${EPOCHREALTIME/./}"; }
calc() { awk "BEGIN { print $1 }"; }
fmt() { awk -v x="$2" "BEGIN { if (x == \"\") print \"n/a\"; else printf \"%.$1f\", x }"; }

# tm ID CMD...: run CMD under GNU time, its figures into $TD/ID.
tm() {
	local id=$1
	shift
	if [ -n "$GNU_TIME" ]; then
		"$GNU_TIME" -f '%e %M %U %S' -o "$TD/$id" "$@"
	else
		"$@"
	fi
}

# tb CMD...: run CMD bare, as a user does, for timings that GNU time
# would bias (see the trace-diverge pairs below).
tb() { "$@"; }

declare -A BEST WORST CPU RSS FAILED
# measure LABEL N CMD: eval CMD (a command line whose processes are
# started with tm) N times.  BEST/WORST[LABEL] wall seconds, CPU[LABEL]
# user+sys seconds of the best run, RSS[LABEL.ID] the largest peak RSS
# (KiB) of process ID over the runs.
# Wall times are net of the harness's own cost (HARNESS, microseconds:
# the best of a few runs of `tm true`, measured first), as hyperfine
# subtracts its shell's: bash forking, GNU time starting and waiting.
HARNESS=0
measure() {
	local label=$1 n=$2 cmd=$3 harness=${4:-$HARNESS} i t0 t1 w best= worst= f id e m u s cpu
	for ((i = 1; i <= n; i++)); do
		note "$label ($i/$n)"
		rm -f "$TD"/*
		now_us t0
		# stderr to a file: no progress display, no terminal in the way
		if ! eval "$cmd" 2>> "$R/stderr.log"; then
			note "$label: failed: $cmd"
			tail -n 5 "$R/stderr.log" >&2
			FAILED[$label]=1
			return 1
		fi
		now_us t1
		w=$((t1 - t0 - harness))
		[ "$w" -gt 0 ] || w=1
		cpu=0
		for f in "$TD"/*; do
			[ -f "$f" ] || continue
			id=${f##*/}
			read -r e m u s < <(tail -n 1 "$f")
			cpu=$(calc "$cpu + $u + $s")
			if [ -z "${RSS[$label.$id]:-}" ] || [ "$m" -gt "${RSS[$label.$id]}" ]; then
				RSS[$label.$id]=$m
			fi
		done
		if [ -z "$best" ] || [ "$w" -lt "$best" ]; then
			best=$w
			CPU[$label]=$cpu
		fi
		if [ -z "$worst" ] || [ "$w" -gt "$worst" ]; then
			worst=$w
		fi
	done
	BEST[$label]=$(calc "$best / 1e6")
	WORST[$label]=$(calc "$worst / 1e6")
}
harness_runs=$(( runs > 10 ? runs : 10 ))
measure harness "$harness_runs" 'tm x true'
HARNESS=$(calc "int(${BEST[harness]} * 1e6)")
measure harness_bare "$harness_runs" 'tb /bin/true' 0
HARNESS_BARE=$(calc "int(${BEST[harness_bare]} * 1e6)")
ok() { [ -n "${BEST[$1]:-}" ]; }
rss_mb() { # rss_mb LABEL.ID -> MB or empty
	local v=${RSS[$1]:-}
	[ -n "$v" ] && calc "$v / 1024" || true
}
spread() { calc "(${WORST[$1]} / ${BEST[$1]} - 1) * 100"; }

# ----------------------------------------------------------------------
# Our stages
# ----------------------------------------------------------------------
# One core (the target's terms), then all of them (--threads default).
measure norm "$runs" \
    'tm n "$B/trace-normalize" --threads 1 -s "$SCHEMA_C" "$D/canary.jsonl" >/dev/null'
measure norm_all "$runs" \
    'tm n "$B/trace-normalize" -s "$SCHEMA_C" "$D/canary.jsonl" >/dev/null'
# The same events as Chrome trace events (one converter thread).
measure norm_chrome "$runs" \
    'tm n "$B/trace-normalize" -s "$SCHEMA_C" -f chrome "$D/canary.chrome.json" >/dev/null'
measure norm_gz "$runs" \
    'tm n "$B/trace-normalize" -s "$SCHEMA_C" "$D/canary.jsonl.gz" >/dev/null'
if [ -f "$D/canary.jsonl.zst" ]; then
	measure norm_zst "$runs" \
	    'tm n "$B/trace-normalize" -s "$SCHEMA_C" "$D/canary.jsonl.zst" >/dev/null'
else
	note "zstd not installed: no .zst input, zstd stage skipped"
fi
# Text lines through the strace schema's PCRE2 pattern (JIT).
measure strace "$runs" \
    'tm n "$B/trace-normalize" --threads 1 -q -s "$SCHEMA_S" "$DS/capture.strace" >/dev/null'
measure keyhist "$runs" \
    'tm k "$B/trace-key" "$R/canary.events" | tm h "$B/trace-hist" >/dev/null'
measure key "$runs" 'tm k "$B/trace-key" "$R/canary.events" >/dev/null'
measure hist "$runs" 'tm h "$B/trace-hist" "$R/canary.keyed" >/dev/null'
measure pipe "$runs" \
    'tm n "$B/trace-normalize" -s "$SCHEMA_C" "$D/canary.jsonl" |
     tm k "$B/trace-key" | tm h "$B/trace-hist" >/dev/null'

# What --progress costs: the same normalize with and without it, runs
# interleaved (off, on, off, on, ...) so that a drift in the machine's
# speed hits both alike; best of at least 5 each.  stderr goes to a file,
# as when a user redirects it: the sampling thread runs and writes a line
# every 5 s and a final one.
prog_runs=$(( runs > 5 ? runs : 5 ))
for ((pi = 1; pi <= prog_runs; pi++)); do
	measure "prog_off.$pi" 1 \
	    'tm n "$B/trace-normalize" --threads 1 -s "$SCHEMA_C" "$D/canary.jsonl" >/dev/null'
	measure "prog_on.$pi" 1 \
	    'tm n "$B/trace-normalize" --threads 1 --progress -s "$SCHEMA_C" "$D/canary.jsonl" \
	        >/dev/null 2> "$R/progress.log"'
done
# ab_best LABEL N [ID]: BEST/WORST/CPU/RSS[LABEL] from LABEL.1 .. LABEL.N,
# RSS of process ID (default n).
ab_best() {
	local l=$1 n=$2 id=${3:-n} k b='' w='' c='' m=''
	for ((k = 1; k <= n; k++)); do
		ok "$l.$k" || return 0
		if [ -z "$b" ] || awk "BEGIN { exit !(${BEST[$l.$k]} < $b) }"; then
			b=${BEST[$l.$k]}
			c=${CPU[$l.$k]:-}
		fi
		if [ -z "$w" ] || awk "BEGIN { exit !(${WORST[$l.$k]} > $w) }"; then
			w=${WORST[$l.$k]}
		fi
		if [ -n "${RSS[$l.$k.$id]:-}" ] && { [ -z "$m" ] || [ "${RSS[$l.$k.$id]}" -gt "$m" ]; }; then
			m=${RSS[$l.$k.$id]}
		fi
	done
	BEST[$l]=$b
	WORST[$l]=$w
	CPU[$l]=$c
	[ -z "$m" ] || RSS[$l.$id]=$m
}
ab_best prog_off "$prog_runs"
ab_best prog_on "$prog_runs"
PROG_LINES=$(wc -l < "$R/progress.log" 2>/dev/null | tr -d ' ' || echo 0)

# The second performance step's terms: reference programs on the same
# data, in the same rounds as the tools they are compared with (best of
# at least 5 each).  zstd -dc is timed by its output; normalize on one
# core runs under taskset -c 0.
ref_runs=$(( runs > 5 ? runs : 5 ))
if have zstd; then
	zstd -3 -q -f -o "$R/canary.events.zst" "$R/canary.events"
fi
for ((ri = 1; ri <= ref_runs; ri++)); do
	measure "ref_wc.$ri" 1 'tm w wc -l "$D/canary.jsonl" >/dev/null'
	if have zstd; then
		measure "ref_zstd.$ri" 1 'tm z zstd -dc "$D/canary.jsonl.zst" >/dev/null'
		measure "ref_zstd_ev.$ri" 1 'tm z zstd -dc "$R/canary.events.zst" >/dev/null'
		measure "p2_zst.$ri" 1 \
		    'tm n "$B/trace-normalize" --threads 2 -s "$SCHEMA_C" "$D/canary.jsonl.zst" >/dev/null'
	fi
	if have taskset; then
		measure "p2_core.$ri" 1 \
		    'tm n taskset -c 0 "$B/trace-normalize" --threads 1 -s "$SCHEMA_C" "$D/canary.jsonl" >/dev/null'
		# zstd -dc on the same core: the one-core target's reference
		# (a VM's two CPUs need not be equally fast)
		if have zstd; then
			measure "ref_zstd_core.$ri" 1 'tm z taskset -c 0 zstd -dc "$D/canary.jsonl.zst" >/dev/null'
		fi
		# what the machine gives two independent processes, one on
		# each of its first two CPUs: the ceiling of --threads 2
		if [ "$(nproc)" -ge 2 ]; then
			measure "p2_pair.$ri" 1 \
			    'tm n taskset -c 0 "$B/trace-normalize" --threads 1 -s "$SCHEMA_C" "$D/canary.jsonl" >/dev/null &
			     p2p=$!
			     tm m taskset -c 1 "$B/trace-normalize" --threads 1 -s "$SCHEMA_C" "$D/canary.jsonl" >/dev/null
			     wait "$p2p"'
		fi
	fi
	measure "p2_one.$ri" 1 \
	    'tm n "$B/trace-normalize" --threads 1 -s "$SCHEMA_C" "$D/canary.jsonl" >/dev/null'
	measure "p2_two.$ri" 1 \
	    'tm n "$B/trace-normalize" --threads 2 -s "$SCHEMA_C" "$D/canary.jsonl" >/dev/null'
	measure "p2_kh.$ri" 1 \
	    'tm k "$B/trace-key" "$R/canary.events" | tm h "$B/trace-hist" >/dev/null'
done
for l in ref_wc ref_zstd ref_zstd_ev ref_zstd_core p2_zst p2_core p2_pair p2_one p2_two; do
	ab_best "$l" "$ref_runs"
done
ab_best p2_kh "$ref_runs" k

# End to end, as a user runs it; GNU time reports the largest single
# process of the tree.
E2E=$R/e2e
measure e2e "$runs" \
    'tm e bash "$XENIA/fire-pattern-diff.sh" -f "$D/canary.jsonl" \
        "$D/ours-iat.jsonl" "$D/ours-lr.jsonl" "$E2E" >/dev/null'

# The same script once more with every tool wrapped by GNU time, for the
# peak RSS of each process: the script runs the tools from ../../bin
# when there, so a copy of examples/xenia beside a directory of wrappers
# runs the wrappers.
E2E_SUM=
if [ -n "$GNU_TIME" ]; then
	SH=$R/shim
	mkdir -p "$SH/bin" "$SH/examples/xenia" "$SH/rss"
	find "$XENIA" -maxdepth 1 -type f -exec cp {} "$SH/examples/xenia/" \;
	for t in $TOOLS; do
		printf '#!/bin/sh\nexec %s -f "%%e %%M %%U %%S" -o "%s/%s.$$" "%s" "$@"\n' \
		    "$GNU_TIME" "$SH/rss" "$t" "$B/$t" > "$SH/bin/$t"
		chmod +x "$SH/bin/$t"
	done
	note "e2e with per-process RSS"
	bash "$SH/examples/xenia/fire-pattern-diff.sh" "$D/canary.jsonl" \
	    "$D/ours-iat.jsonl" "$D/ours-lr.jsonl" "$R/e2e-shim" >/dev/null 2>> "$R/stderr.log"
	# The two normalize|key|hist pipelines run at the same time; join
	# and the reports run after them, one at a time.
	E2E_SUM=$(for f in "$SH"/rss/*; do
		printf '%s %s\n' "${f##*/}" "$(tail -n 1 "$f" | cut -d' ' -f2)"
	done | awk '/^trace-(normalize|key|hist)\./ { s += $2; next }
		    { if ($2 > o) o = $2 }
		    END { print (s > o ? s : o) / 1024 }')
fi

measure join "$runs" \
    'tm j "$B/trace-join" --names canary,ours -o "$R/join.tsv" \
        "$E2E/canary.hist" "$E2E/ours.hist"'
# What --runs costs: trace-join on the runs pair without and with
# --runs run, interleaved and best of at least 5 each, as the progress
# pair.
rj_runs=$(( runs > 5 ? runs : 5 ))
for ((pi = 1; pi <= rj_runs; pi++)); do
	measure "rj_off.$pi" 1 \
	    'tm j "$B/trace-join" "$DRJ/ref.hist" "$DRJ/cand.hist" >/dev/null'
	measure "rj_on.$pi" 1 \
	    'tm j "$B/trace-join" --runs run "$DRJ/ref.hist" "$DRJ/cand.hist" >/dev/null'
done
ab_best rj_off "$rj_runs" j
ab_best rj_on "$rj_runs" j
N_RJ=$(( $("$B/trace-join" "$DRJ/ref.hist" "$DRJ/cand.hist" | wc -l) - 1 ))

# The thread map: trace-report -f threads on the 1,000-thread join.
"$B/trace-join" "$DTM/ref.hist" "$DTM/cand.hist" > "$DTM/join.tsv"
measure tmap "$runs" \
    'tm r "$B/trace-report" -f threads --addr-col op "$DTM/join.tsv" >/dev/null'

ROPTS=(--family gamma="$XENIA/gamma.addrs" --watch "$XENIA/wedge.addrs"
    --notes "$XENIA/lr.notes")
measure report "$runs" \
    'tm r "$B/trace-report" "${ROPTS[@]}" --csv "$R" -o "$R/report.md" "$R/join.tsv" &&
     tm s "$B/trace-report" "${ROPTS[@]}" --format json -o "$R/report.json" "$R/join.tsv"'

# Memory flatness: the canary pipeline at 10x the length, same keys.
if [ "$quick" = 0 ]; then
	SZ_BIG=$(size "$DB/canary.jsonl")
	measure pipe_big 1 \
	    'tm n "$B/trace-normalize" -s "$SCHEMA_C" "$DB/canary.jsonl" |
	     tm k "$B/trace-key" | tm h "$B/trace-hist" >/dev/null'
fi

# trace-diverge: the canary's event stream against itself, interleaved
# with trace-key on the same file (the target is a ratio of the two);
# against a copy without every 10,000th event (a hunk every 10,000
# events); and, without --quick, the 10x canary's events against
# themselves, for its peak RSS.  The pairs are timed bare (tb, less the
# bare harness's cost): under GNU time, trace-diverge's two threads
# were often preempted (5 to 195 involuntary switches a run, against
# 0 to 7 for trace-key) and it took 8.5-10 ms more than bare where
# trace-key took 4-6 ms more.  Their peak RSS and CPU time come from one
# more run of each under GNU time.
awk 'NR == 1 || (NR - 2) % 10000 != 9999' "$R/canary.events" > "$R/canary.div"
div_runs=$(( runs > 5 ? runs : 5 ))
for ((di = 1; di <= div_runs; di++)); do
	measure "div_key.$di" 1 'tb "$B/trace-key" "$R/canary.events" >/dev/null' \
	    "$HARNESS_BARE"
	measure "div_same.$di" 1 \
	    'tb "$B/trace-diverge" "$R/canary.events" "$R/canary.events" >/dev/null' \
	    "$HARNESS_BARE"
	measure "div_div.$di" 1 \
	    '{ tb "$B/trace-diverge" "$R/canary.events" "$R/canary.div" >/dev/null || [ $? = 1 ]; }' \
	    "$HARNESS_BARE"
done
ab_best div_key "$div_runs" k
ab_best div_same "$div_runs" d
ab_best div_div "$div_runs" d
measure div_key_m 1 'tm k "$B/trace-key" "$R/canary.events" >/dev/null'
measure div_same_m 1 \
    'tm d "$B/trace-diverge" "$R/canary.events" "$R/canary.events" >/dev/null'
measure div_div_m 1 \
    '{ tm d "$B/trace-diverge" "$R/canary.events" "$R/canary.div" >/dev/null || [ $? = 1 ]; }'
for l in div_key:k div_same:d div_div:d; do
	RSS[${l%:*}.${l#*:}]=${RSS[${l%:*}_m.${l#*:}]:-}
	CPU[${l%:*}]=${CPU[${l%:*}_m]:-}
done
if [ "$quick" = 0 ]; then
	"$B/trace-normalize" -s "$SCHEMA_C" -o "$R/big.events" "$DB/canary.jsonl"
	measure div_big 1 \
	    'tm d "$B/trace-diverge" "$R/big.events" "$R/big.events" >/dev/null'
	N_BIG=$(( $(lines "$R/big.events") - 1 ))
	rm -f "$R/big.events"
fi

# The map and merge of examples/parallel/hist-parallel.sh over one and two
# local ssh "hosts" of one CPU each (bench/ssh-map.sh), on the canary.
SSHMAP=$R/ssh-map.tsv
note "hist-parallel.sh over 1 and 2 local ssh hosts (bench/ssh-map.sh)"
if ! bash "$here/ssh-map.sh" --runs "$runs" --bin "$B" "$SCHEMA_C" "$D/canary.jsonl" \
    > "$SSHMAP" 2>> "$R/stderr.log"; then
	note "ssh-map failed"
	tail -n 5 "$R/stderr.log" >&2
	printf 'failed\tsee bench/out/run/stderr.log\n' > "$SSHMAP"
fi
if [ "$(cut -f 1 "$SSHMAP" | head -n 1)" = skipped ]; then
	note "skipped the map over ssh hosts: $(cut -f 2 "$SSHMAP")"
fi

# ----------------------------------------------------------------------
# JSON parsers (bench/json-parsers), and jq for reference
# ----------------------------------------------------------------------
JP_OUT=$R/json-parsers.tsv
: > "$JP_OUT"
if [ -n "$JP_BIN" ]; then
	note "json-parsers on canary.jsonl (best of $runs per parser)"
	"$JP_BIN" -r "$runs" "$D/canary.jsonl" > "$JP_OUT" 2>> "$R/stderr.log" || {
		note "json-parsers failed"
		: > "$JP_OUT"
	}
fi
if have jq; then
	measure jq_c "$runs" 'tm p jq -c . "$D/canary.jsonl" >/dev/null' || true
	if ok jq_c; then
		printf 'jq -c .\t%s\t%s\t%s\t0\t%s (a process reading the file; parses and prints each value)\n' \
		    "$SZ_JSONL" "${BEST[jq_c]}" "$N_EVENTS" "$(jq --version 2>&1)" >> "$JP_OUT"
	fi
else
	JP_SKIPPED+=("jq: not installed (Debian package jq)")
fi

# ----------------------------------------------------------------------
# Peers
# ----------------------------------------------------------------------
SKIPPED=()
skip() { SKIPPED+=("$1: $2"); note "skipped $1: $2"; }

if have jq; then
	measure jq "$runs" \
	    'tm p jq -r "[.op, .fn, .handle, .lr, .tid, .host_ns] | @tsv" \
	        "$D/canary.jsonl" >/dev/null' || true
else
	skip jq "not installed (Debian package jq)"
fi
if have mlr && mlr --version 2>/dev/null | grep -q '^mlr 6'; then
	measure mlr "$runs" \
	    'tm p mlr --ijsonl --otsv cat "$D/canary.jsonl" >/dev/null' || true
elif have mlr; then
	skip mlr "Miller 6 needed for --ijsonl, found $(mlr --version 2>&1 | head -n 1)"
else
	skip mlr "not installed (Debian package miller)"
fi
PYTSV='import sys, json
w = sys.stdout.write
for line in sys.stdin:
    r = json.loads(line)
    w("%s\t%s\t%s\t%s\t%s\t%s\n" % (r.get("op", ""), r.get("fn", ""), r.get("handle", ""), r.get("lr", ""), r.get("tid", ""), r.get("host_ns", "")))'
measure python "$runs" \
    'tm p python3 -c "$PYTSV" < "$D/canary.jsonl" >/dev/null' || true
# Event TSV columns: op lr handle tid ts.  Per (op, lr): count, distinct
# tids, distinct handles, first and last ts -- trace-hist's figures less
# the per-tid and per-handle counts.
DM_ARGS=(-s -H -g 1,2 count 1 countunique 4 countunique 3 min 5 max 5)
if have datamash; then
	measure datamash "$runs" \
	    'tm p datamash "${DM_ARGS[@]}" < "$R/canary.events" >/dev/null' || true
else
	skip datamash "not installed (Debian package datamash)"
fi
SEED=$root/../shared/seed/diff.py
if [ -f "$SEED" ]; then
	measure seed "$runs" \
	    'tm p sh "$root/tests/seed-diff.sh" "$D/canary.jsonl" "$D/ours-iat.jsonl" \
	        "$D/ours-lr.jsonl" "$R/seed" >/dev/null' || true
else
	skip diff.py "seed script ../shared/seed/diff.py not found"
fi

# ----------------------------------------------------------------------
# Summary
# ----------------------------------------------------------------------
mbps() { calc "$1 / ${BEST[$2]} / 1e6"; }
evps() { calc "$1 / ${BEST[$2]} / 1e6"; }
RES=$R/summary.md
row() { # row STAGE INPUT LABEL RATE RSSIDS...
	local stage=$1 input=$2 label=$3 rate=$4 r= id v
	shift 4
	for id in "$@"; do
		v=$(rss_mb "$label.$id")
		r="$r${r:+ / }$(fmt 1 "$v")"
	done
	if ok "$label"; then
		printf '| %s | %s | %s | +%s%% | %s | %s | %s |\n' "$stage" "$input" \
		    "$(fmt 3 "${BEST[$label]}")" "$(fmt 0 "$(spread "$label")")" \
		    "$rate" "${r:-n/a}" "$(fmt 2 "${CPU[$label]:-}")"
	else
		printf '| %s | %s | failed | | | | |\n' "$stage" "$input"
	fi
}
MB_JSONL=$(fmt 1 "$(calc "$SZ_JSONL / 1e6")")
MB_EVENTS=$(fmt 1 "$(calc "$SZ_EVENTS / 1e6")")
MB_KEYED=$(fmt 1 "$(calc "$SZ_KEYED / 1e6")")
MB_STRACE=$(fmt 1 "$(calc "$SZ_STRACE / 1e6")")
{
	echo "Input: seed $seed, $N_EVENTS canary events ($MB_JSONL MB JSONL," \
	    "$MB_EVENTS MB event TSV), candidate $N_OURS records" \
	    "($(fmt 1 "$(calc "$SZ_OURS / 1e6")") MB). MB = 10^6 bytes." \
	    "Best of $runs runs; spread = slowest run over the best;" \
	    "RSS = peak resident set per process (MB = 2^20 bytes here);" \
	    "CPU = user+sys of the best run. Wall times are net of the" \
	    "harness's own cost, $(fmt 1 "$(calc "$HARNESS / 1e3")") ms a run in this one" \
	    "(bash forking, GNU time starting: the best of $harness_runs runs of \`true\`;" \
	    "$(fmt 1 "$(calc "$HARNESS_BARE / 1e3")") ms for the (A/B) rows of trace-diverge and trace-key," \
	    "timed without GNU time, their RSS and CPU from one more run under it)."
	echo
	echo "| stage | input | best s | spread | throughput | peak RSS MB | CPU s |"
	echo "|---|---|--:|--:|---|--:|--:|"
	row "trace-normalize --threads 1" "canary.jsonl" norm \
	    "$(fmt 0 "$(mbps "$SZ_JSONL" norm)") MB/s, $(fmt 2 "$(evps "$N_EVENTS" norm)") Mev/s" n
	row "trace-normalize (all cores)" "canary.jsonl" norm_all \
	    "$(fmt 0 "$(mbps "$SZ_JSONL" norm_all)") MB/s, $(fmt 2 "$(evps "$N_EVENTS" norm_all)") Mev/s" n
	row "trace-normalize -f chrome" "canary events as a Chrome array ($(fmt 1 "$(calc "$(size "$D/canary.chrome.json") / 1e6")") MB)" norm_chrome \
	    "$(fmt 0 "$(mbps "$(size "$D/canary.chrome.json")" norm_chrome)") MB/s, $(fmt 2 "$(evps "$N_EVENTS" norm_chrome)") Mev/s" n
	row "trace-normalize" "canary.jsonl.gz" norm_gz \
	    "$(fmt 0 "$(mbps "$SZ_JSONL" norm_gz)") MB/s decompressed" n
	if ok norm_zst; then
		row "trace-normalize" "canary.jsonl.zst" norm_zst \
		    "$(fmt 0 "$(mbps "$SZ_JSONL" norm_zst)") MB/s decompressed" n
	fi
	row "trace-normalize -s strace.schema" "strace capture ($MB_STRACE MB)" strace \
	    "$(fmt 0 "$(mbps "$SZ_STRACE" strace)") MB/s, $(fmt 2 "$(evps "$N_STRACE" strace)") M calls/s" n
	row "trace-normalize, without --progress (A/B)" "canary.jsonl" prog_off \
	    "$(fmt 0 "$(mbps "$SZ_JSONL" prog_off)") MB/s (best of $prog_runs)" n
	row "trace-normalize --progress, stderr to a file (A/B)" "canary.jsonl" prog_on \
	    "$(fmt 0 "$(mbps "$SZ_JSONL" prog_on)") MB/s (best of $prog_runs)" n
	row "trace-key \\| trace-hist" "event TSV" keyhist \
	    "$(fmt 0 "$(mbps "$SZ_EVENTS" keyhist)") MB/s, $(fmt 2 "$(evps "$N_EVENTS" keyhist)") Mev/s" k h
	row "trace-key" "event TSV" key \
	    "$(fmt 0 "$(mbps "$SZ_EVENTS" key)") MB/s" k
	row "trace-hist" "keyed TSV ($MB_KEYED MB)" hist \
	    "$(fmt 0 "$(mbps "$SZ_KEYED" hist)") MB/s, $(fmt 2 "$(evps "$N_EVENTS" hist)") Mev/s" h
	row "normalize \\| key \\| hist" "canary.jsonl" pipe \
	    "$(fmt 0 "$(mbps "$SZ_JSONL" pipe)") MB/s" n k h
	row "trace-key (A/B)" "event TSV" div_key \
	    "$(fmt 2 "$(evps "$N_EVENTS" div_key)") Mev/s (best of $div_runs)" k
	row "trace-diverge, identical streams (A/B)" "event TSV, twice" div_same \
	    "$(fmt 2 "$(evps "$N_EVENTS" div_same)") Mev/s a side (best of $div_runs)" d
	row "trace-diverge, a hunk every 10,000 events (A/B)" "event TSV, twice" div_div \
	    "$(fmt 2 "$(evps "$N_EVENTS" div_div)") Mev/s a side (best of $div_runs)" d
	if ok div_big; then
		row "trace-diverge, identical streams" "$N_BIG events, twice" div_big \
		    "$(fmt 2 "$(evps "$N_BIG" div_big)") Mev/s a side" d
	fi
	row "trace-join" "the two .hist" join "" j
	row "trace-join (A/B)" "runs pair, $N_RJ keys" rj_off \
	    "$(fmt 0 "$(calc "$N_RJ / ${BEST[rj_off]} / 1e3")") k keys/s (best of $rj_runs)" j
	row "trace-join --runs run (A/B)" "runs pair, $N_RJ keys" rj_on \
	    "$(fmt 0 "$(calc "$N_RJ / ${BEST[rj_on]} / 1e3")") k keys/s (best of $rj_runs)" j
	row "trace-report md+csv / json" "join.tsv" report "" r s
	row "trace-report -f threads" "1,000 threads x 10,000 keys" tmap "" r
	row "fire-pattern-diff.sh" "canary + ours-iat + ours-lr" e2e \
	    "$(fmt 2 "$(evps "$((N_EVENTS + N_OURS))" e2e)") Mrec/s" e
	echo
	if ok prog_on && ok prog_off; then
		echo "--progress: best $(fmt 3 "${BEST[prog_on]}") s with it," \
		    "$(fmt 3 "${BEST[prog_off]}") s without (runs interleaved, best of" \
		    "$prog_runs each): ratio $(fmt 3 "$(calc "${BEST[prog_on]} / ${BEST[prog_off]}")");" \
		    "it wrote $PROG_LINES line(s) to stderr in its last run."
		echo
	fi
	if ok rj_on && ok rj_off; then
		echo "--runs: trace-join on the runs pair (bench/gen-runs.py, $N_RJ keys," \
		    "5 runs a side) best $(fmt 3 "${BEST[rj_on]}") s with --runs run," \
		    "$(fmt 3 "${BEST[rj_off]}") s without (runs interleaved, best of" \
		    "$rj_runs each): ratio $(fmt 3 "$(calc "${BEST[rj_on]} / ${BEST[rj_off]}")")."
		echo
	fi
	case $(cut -f 1 "$SSHMAP" | head -n 1) in
	skipped | failed)
		echo "hist-parallel.sh over local ssh hosts: $(cut -f 1 "$SSHMAP"), $(cut -f 2 "$SSHMAP")."
		echo
		;;
	*)
		echo "hist-parallel.sh -j 1 over local ssh hosts of one CPU each" \
		    "(bench/ssh-map.sh: sshd pinned with taskset, connections shared" \
		    "with ControlMaster), canary.jsonl; best of $runs, runs interleaved;" \
		    "the single pass is normalize | key | hist on one CPU, without ssh."
		echo
		echo "| map | 1 host s | 2 hosts s | 1 host / 2 hosts (ceiling 2) | single pass s |"
		echo "|---|--:|--:|--:|--:|"
		awk -F '\t' '{
			m = $1 == "pipepart" ? "one file, 8 MB blocks over ssh (--pipepart)" : \
			    "8 pieces at the same paths, one job each"
			printf "| %s | %s | %s | %sx | %s |\n", m, $2, $3, $4, $5
		}' "$SSHMAP"
		echo
		;;
	esac
	echo "Strace capture: examples/strace/data/ concatenated $(cat "$DS/copies") times," \
	    "$N_STRACE calls, $MB_STRACE MB."
	echo
	if [ -n "$E2E_SUM" ]; then
		echo "End to end, peak RSS: largest process $(fmt 1 "$(rss_mb e2e.e)") MB;" \
		    "sum of the per-process peaks of the six concurrent" \
		    "normalize/key/hist processes $(fmt 1 "$E2E_SUM") MB" \
		    "(an upper bound of the tools' total; the bash script not counted)."
		echo
	fi

	echo "| peer | same work as | best s | spread | throughput | peak RSS MB | CPU s | ours faster by |"
	echo "|---|---|--:|--:|---|--:|--:|--:|"
	peer() { # peer NAME LABEL OURS SIZE WHAT
		local name=$1 label=$2 ours=$3 sz=$4 what=$5
		if ok "$label"; then
			printf '| %s | %s | %s | +%s%% | %s | %s | %s | %sx |\n' "$name" "$what" \
			    "$(fmt 3 "${BEST[$label]}")" "$(fmt 0 "$(spread "$label")")" \
			    "$([ "$sz" = 0 ] || echo "$(fmt 0 "$(mbps "$sz" "$label")") MB/s")" \
			    "$(fmt 1 "$(rss_mb "$label.p")")" "$(fmt 2 "${CPU[$label]}")" \
			    "$(fmt 1 "$(calc "${BEST[$label]} / ${BEST[$ours]}")")"
		elif [ -n "${FAILED[$label]:-}" ]; then
			printf '| %s | %s | failed | | | | | |\n' "$name" "$what"
		fi
	}
	peer "jq -r '[...] \\| @tsv'" jq norm "$SZ_JSONL" "trace-normalize"
	peer "mlr --ijsonl --otsv cat" mlr norm "$SZ_JSONL" "trace-normalize"
	peer "python3 json.loads -> TSV" python norm "$SZ_JSONL" "trace-normalize"
	peer "datamash -s -g op,lr count, countunique, min, max" datamash keyhist \
	    "$SZ_EVENTS" "trace-key \\| trace-hist"
	peer "seed diff.py (tests/seed-diff.sh)" seed e2e 0 "fire-pattern-diff.sh"
	for s in ${SKIPPED[@]+"${SKIPPED[@]}"}; do
		echo
		echo "Skipped $s."
	done
	echo

	# JSON parsers, fastest first.
	if [ -s "$JP_OUT" ]; then
		echo "JSON parsers on canary.jsonl ($MB_JSONL MB, $N_EVENTS lines), each" \
		    "line parsed on its own, in one process (bench/json-parsers; jq is a" \
		    "process of its own, for reference). Best of $runs."
		echo
		echo "| parser | MB/s | ns per line | vs jsmn strict | rejected lines | what |"
		echo "|---|--:|--:|--:|--:|---|"
		awk -F'\t' '
			{ name[NR] = $1; mbs[NR] = $2 / $3 / 1e6; ns[NR] = $3 / $4 * 1e9
			  rej[NR] = $5; what[NR] = $6; if ($1 == "jsmn strict") ref = mbs[NR] }
			END {
				for (i = 1; i <= NR; i++) ord[i] = i
				for (i = 2; i <= NR; i++)	# insertion sort, fastest first
					for (j = i; j > 1 && mbs[ord[j]] > mbs[ord[j - 1]]; j--) {
						t = ord[j]; ord[j] = ord[j - 1]; ord[j - 1] = t
					}
				for (k = 1; k <= NR; k++) {
					i = ord[k]
					printf "| %s | %.0f | %.0f | %s | %s | %s |\n", name[i], mbs[i],
					    ns[i], ref ? sprintf("%.2fx", mbs[i] / ref) : "n/a",
					    rej[i], what[i]
				}
			}' "$JP_OUT"
		echo
	else
		echo "JSON parsers: not measured (bench/json-parsers did not build or run)."
		echo
	fi
	for s in ${JP_SKIPPED[@]+"${JP_SKIPPED[@]}"}; do
		echo "JSON parsers: skipped $s."
		echo
	done

	echo "| peak RSS MB | trace-normalize | trace-key | trace-hist |"
	echo "|---|--:|--:|--:|"
	echo "| $N_EVENTS events | $(fmt 1 "$(rss_mb pipe.n)") | $(fmt 1 "$(rss_mb pipe.k)") | $(fmt 1 "$(rss_mb pipe.h)") |"
	if ok pipe_big; then
		echo "| $big events | $(fmt 1 "$(rss_mb pipe_big.n)") | $(fmt 1 "$(rss_mb pipe_big.k)") | $(fmt 1 "$(rss_mb pipe_big.h)") |"
		ratio() { fmt 2 "$(calc "${RSS[pipe_big.$1]} / ${RSS[pipe.$1]}")"; }
		if [ -n "${RSS[pipe.n]:-}" ]; then
			echo "| ratio | $(ratio n)x | $(ratio k)x | $(ratio h)x |"
		fi
		echo
		echo "The $big-event pipeline (one run): $(fmt 2 "${BEST[pipe_big]}") s," \
		    "$(fmt 0 "$(mbps "$SZ_BIG" pipe_big)") MB/s of JSONL."
	else
		echo
		echo "Memory flatness at $big events skipped (--quick)."
	fi
	echo

	# Targets of the performance issue.
	echo "| target | measured | |"
	echo "|---|---|---|"
	verdict() { if awk "BEGIN { exit !($1) }"; then echo met; else echo "**not met**"; fi; }
	tgt() { # tgt TEXT MEASURED CONDITION
		printf '| %s | %s | %s |\n' "$1" "$2" "$(verdict "$3")"
	}
	v=$(mbps "$SZ_JSONL" norm)
	tgt "trace-normalize JSONL >= 500 MB/s" "$(fmt 0 "$v") MB/s" "$v >= 500"
	tgt "(stretch) >= 1000 MB/s" "$(fmt 0 "$v") MB/s" "$v >= 1000"
	if ok jq; then
		v=$(calc "${BEST[jq]} / ${BEST[norm]}")
		tgt "trace-normalize >= 20x jq" "$(fmt 1 "$v")x" "$v >= 20"
	fi
	if ok norm_chrome; then
		v=$(calc "${BEST[norm]} / ${BEST[norm_chrome]}")
		tgt "trace-normalize -f chrome >= half the events/s of JSON Lines (--threads 1, same events)" \
		    "$(fmt 2 "$v")x" "$v >= 0.5"
	fi
	if ok strace; then
		v=$(mbps "$SZ_STRACE" strace)
		tgt "trace-normalize, strace capture >= 150 MB/s" "$(fmt 0 "$v") MB/s" "$v >= 150"
	fi
	if ok prog_on && ok prog_off; then
		v=$(calc "${BEST[prog_on]} / ${BEST[prog_off]}")
		tgt "--progress costs nothing measurable (best with / best without <= 1.03)" \
		    "$(fmt 3 "$v")" "$v <= 1.03"
	fi
	if ok tmap; then
		v=${BEST[tmap]}
		tgt "thread map of 1,000 threads x 10,000 keys (about 50 a thread) under a second" \
		    "$(fmt 3 "$v") s" "$v < 1"
	fi
	if ok rj_on && ok rj_off; then
		v=$(calc "${BEST[rj_on]} / ${BEST[rj_off]}")
		tgt "trace-join --runs adds under 10% on a 100k-key join, 5 runs a side (best with / best without < 1.10)" \
		    "$(fmt 3 "$v")" "$v < 1.10"
	fi
	if ok div_same && ok div_key; then
		v=$(calc "${BEST[div_key]} / ${BEST[div_same]}")
		tgt "trace-diverge on identical $N_EVENTS-event streams at least as fast as trace-key on one (trace-key s / trace-diverge s >= 1)" \
		    "$(fmt 2 "$v")x" "$v >= 1"
	fi
	if ok div_same && ok div_div; then
		v=$(calc "${BEST[div_div]} / ${BEST[div_same]}")
		tgt "trace-diverge, a hunk every 10,000 events, within 2x of identical streams" \
		    "$(fmt 2 "$v")x" "$v <= 2"
	fi
	if ok div_big && [ -n "${RSS[div_same.d]:-}" ]; then
		v=$(calc "${RSS[div_big.d]} / ${RSS[div_same.d]}")
		tgt "trace-diverge peak RSS at $N_BIG events <= 1.2x at $N_EVENTS" \
		    "$(fmt 2 "$v")x ($(fmt 1 "$(rss_mb div_big.d)") MB, $(fmt 1 "$(rss_mb div_same.d)") MB)" "$v <= 1.2"
	fi
	v=$(mbps "$SZ_JSONL" norm_gz)
	tgt "gzip input >= 300 MB/s decompressed" "$(fmt 0 "$v") MB/s" "$v >= 300"
	if ok norm_zst; then
		v=$(mbps "$SZ_JSONL" norm_zst)
		tgt "zstd input >= 600 MB/s decompressed" "$(fmt 0 "$v") MB/s" "$v >= 600"
	fi
	v=$(mbps "$SZ_EVENTS" keyhist)
	tgt "trace-key \\| trace-hist >= 300 MB/s of event TSV" "$(fmt 0 "$v") MB/s" "$v >= 300"
	if ok datamash; then
		v=$(calc "${BEST[datamash]} / ${BEST[keyhist]}")
		tgt "trace-key \\| trace-hist faster than datamash" "$(fmt 1 "$v")x" "$v > 1"
	fi
	# e2e_targets TIMES FRACTION: end to end at least TIMES faster than
	# the seed script, peak RSS at most 1/FRACTION of its.
	e2e_targets() {
		ok seed || return 0
		v=$(calc "${BEST[seed]} / ${BEST[e2e]}")
		tgt "end to end >= $1x faster than diff.py" "$(fmt 1 "$v")x" "$v >= $1"
		[ -n "${RSS[seed.p]:-}" ] || return 0
		our=${E2E_SUM:-$(rss_mb e2e.e)}
		v=$(calc "${RSS[seed.p]} / 1024 / $our")
		tgt "end-to-end peak RSS <= 1/$2 of diff.py's (sum of the tools' peaks)" \
		    "1/$(fmt 0 "$v") ($(fmt 1 "$our") MB vs $(fmt 0 "$(rss_mb seed.p)") MB)" \
		    "$v >= $2"
	}
	e2e_targets 30 50
	if ok pipe_big && [ -n "${RSS[pipe.n]:-}" ]; then
		v=$(for id in n k h; do calc "${RSS[pipe_big.$id]} / ${RSS[pipe.$id]}"; done |
		    sort -g | tail -n 1)
		tgt "peak RSS at $big events <= 1.2x at $N_EVENTS (worst process)" \
		    "$(fmt 2 "$v")x" "$v <= 1.2"
	fi

	# The second performance step: ratios to reference programs timed
	# in the same rounds.
	echo
	echo "Reference programs, in the same rounds as the tools (best of $ref_runs each):"
	if ok ref_zstd; then
		echo "zstd -dc of canary.jsonl.zst $(fmt 0 "$(mbps "$SZ_JSONL" ref_zstd)") MB/s of output,"
		if ok ref_zstd_core; then
			echo "the same under taskset -c 0 $(fmt 0 "$(mbps "$SZ_JSONL" ref_zstd_core)") MB/s,"
		fi
		echo "zstd -dc of the event TSV $(fmt 0 "$(mbps "$SZ_EVENTS" ref_zstd_ev)") MB/s of output,"
	fi
	echo "wc -l of canary.jsonl $(fmt 0 "$(mbps "$SZ_JSONL" ref_wc)") MB/s;"
	echo "trace-normalize --threads 1 under taskset -c 0 $(ok p2_core && fmt 0 "$(mbps "$SZ_JSONL" p2_core)") MB/s,"
	echo "--threads 1 $(fmt 0 "$(mbps "$SZ_JSONL" p2_one)") MB/s, --threads 2 $(fmt 0 "$(mbps "$SZ_JSONL" p2_two)") MB/s,"
	if ok p2_zst; then
		echo "--threads 2 on zstd input $(fmt 0 "$(mbps "$SZ_JSONL" p2_zst)") MB/s decompressed;"
	fi
	echo "trace-key | trace-hist $(fmt 0 "$(mbps "$SZ_EVENTS" p2_kh)") MB/s of event TSV."
	echo
	echo "| target (second step) | measured | |"
	echo "|---|---|---|"
	# one core: both on CPU 0, so that the ratio is the tools' and not
	# the CPUs' (on a VM, CPU 0 may run at two thirds of CPU 1's rate);
	# unpinned, both free, for scale
	if ok ref_zstd_core && ok p2_core; then
		v=$(calc "${BEST[ref_zstd_core]} / ${BEST[p2_core]}")
		tgt "trace-normalize JSONL, one core (taskset -c 0, --threads 1) >= 1.0x zstd -dc on that core" \
		    "$(fmt 2 "$v")x ($(fmt 0 "$(mbps "$SZ_JSONL" p2_core)") vs $(fmt 0 "$(mbps "$SZ_JSONL" ref_zstd_core)") MB/s)" "$v >= 1"
		tgt "(stretch) >= 1.5x zstd -dc on that core" "$(fmt 2 "$v")x" "$v >= 1.5"
	fi
	if ok ref_zstd; then
		v=$(calc "${BEST[ref_zstd]} / ${BEST[p2_one]}")
		echo "| (for scale) trace-normalize --threads 1 and zstd -dc, neither pinned | $(fmt 2 "$v")x ($(fmt 0 "$(mbps "$SZ_JSONL" p2_one)") vs $(fmt 0 "$(mbps "$SZ_JSONL" ref_zstd)") MB/s) | |"
	fi
	if ok ref_wc && ok p2_core; then
		v=$(calc "${BEST[ref_wc]} / ${BEST[p2_core]}")
		echo "| (for scale) trace-normalize, one core, as a share of wc -l | $(fmt 3 "$v")x | |"
	fi
	v=$(calc "${BEST[p2_one]} / ${BEST[p2_two]}")
	tgt "trace-normalize --threads 2 >= 1.8x --threads 1 (plain JSONL)" "$(fmt 2 "$v")x" "$v >= 1.8"
	if ok p2_pair && ok p2_core; then
		# two processes do twice the work of one in the pair's time
		c=$(calc "2 * ${BEST[p2_core]} / ${BEST[p2_pair]}")
		echo "| (the machine's ceiling) two independent trace-normalize --threads 1, one on each of CPUs 0 and 1, as a multiple of one alone | $(fmt 2 "$c")x | |"
		echo "| (for scale) trace-normalize --threads 2 as a share of that ceiling | $(fmt 2 "$(calc "$v / $c")") | |"
	fi
	if ok ref_zstd && ok p2_zst; then
		# the two-core ceiling 2 / (1/Z + 1/R), as a time: (tZ + tR) / 2
		c=$(calc "(${BEST[ref_zstd]} + ${BEST[p2_one]}) / 2")
		v=$(calc "$c / ${BEST[p2_zst]}")
		tgt "zstd input, --threads 2, within 10% of the two-core ceiling 2 / (1/Z + 1/R)" \
		    "$(fmt 2 "$v")x of $(fmt 0 "$(calc "$SZ_JSONL / $c / 1e6")") MB/s" "$v >= 0.9"
	fi
	if ok ref_zstd_ev; then
		v=$(calc "${BEST[ref_zstd_ev]} / ${BEST[p2_kh]}")
		tgt "trace-key \\| trace-hist >= 1.0x zstd -dc of the event TSV" \
		    "$(fmt 2 "$v")x ($(fmt 0 "$(mbps "$SZ_EVENTS" p2_kh)") vs $(fmt 0 "$(mbps "$SZ_EVENTS" ref_zstd_ev)") MB/s)" "$v >= 1"
	fi
	e2e_targets 60 100
	if [ "$quick" = 0 ]; then
		echo
		if bash "$here/scale.sh" --keys-only --bin "$B" --out "$R/keys.md" >/dev/null 2>> "$R/stderr.log"; then
			sed -n '/^## Distinct keys/,$p' "$R/keys.md"
		else
			echo "Many keys: bench/scale.sh --keys-only failed, see ${R#"$root"/}/stderr.log."
		fi
	else
		echo
		echo "Many keys (10M distinct keys) skipped (--quick)."
	fi
} > "$RES"

# ----------------------------------------------------------------------
# results.md: the machine, then the summary
# ----------------------------------------------------------------------
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
version() { "$@" 2>&1 | head -n 1; }
{
	echo "# trace-tools benchmark results"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- tools: $WHAT"
	echo "- command: bench/run.sh --events $events --runs $runs --seed $seed$([ "$quick" = 1 ] && echo ' --quick')$([ "$bindir" != "$root/bin" ] && echo " --bin $bindir")"
	echo "- cores: $(nproc); load average (1, 5, 15 min) at the start $LOAD0, at the end $LOAD1"
	echo "- CPU: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
	echo "- memory: $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
	echo "- kernel: $(uname -sr)"
	echo "- compiler: $(version "${CC:-cc}" --version)"
	echo "- peers: $(have jq && version jq --version); $(have mlr && version mlr --version);" \
	    "$(version python3 --version); $(have datamash && version datamash --version)"
	echo
	cat "$RES"
} > "$OUT/results.md"
cat "$RES"
note "written to ${OUT#"$root"/}/results.md"
