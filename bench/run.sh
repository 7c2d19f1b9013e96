#!/usr/bin/env bash
# bench/run.sh - throughput and memory of the trace tools, and of peers
# doing the same work on the same input.
#
#   bench/run.sh [--events N] [--quick] [--runs N] [--seed N] [--bin DIR]
#
#   --events N  reference (canary) events in the benchmark pair
#               (default 1000000; the candidate gets about 0.55 x N)
#   --quick     skip the 10M-event canary (memory flatness)
#   --runs N    runs per measurement, the best is reported (default 3)
#   --seed N    gen-traces seed (default 1)
#   --bin DIR   the tools to measure (default bin/ of this checkout), e.g.
#               another build to compare with
#
# Inputs are deterministic (tests/gen-traces.py) and cached under
# bench/out/data/, keyed by seed, size and the generator's checksum.
# Every figure is the best of --runs runs, with the spread (slowest run
# over the best).  The tools and examples/xenia are copied to
# bench/out/run/tree/ first, so a rebuild during the run changes nothing.
# Peak RSS comes from GNU time (/usr/bin/time -f %M), per process.
# Peers that are not installed are skipped with a message.
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
bindir=$root/bin

usage() {
	echo "usage: bench/run.sh [--events N] [--quick] [--runs N] [--seed N] [--bin DIR]" >&2
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
	-h | --help) sed -n '2,25s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) usage ;;
	esac
done

TOOLS="trace-normalize trace-key trace-hist trace-join trace-report"
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

R=$OUT/run
rm -rf "$R"
mkdir -p "$R"
TD=$R/time
mkdir -p "$TD"

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
B=$TREE/bin
XENIA=$TREE/examples/xenia
SCHEMA_C=$XENIA/canary.schema

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
N_OURS=$(( $(lines "$D/ours-iat.jsonl") + $(lines "$D/ours-lr.jsonl") ))

# ----------------------------------------------------------------------
# Measuring
# ----------------------------------------------------------------------
now() { date +%s%N; }
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

declare -A BEST WORST CPU RSS FAILED
# measure LABEL N CMD: eval CMD (a command line whose processes are
# started with tm) N times.  BEST/WORST[LABEL] wall seconds, CPU[LABEL]
# user+sys seconds of the best run, RSS[LABEL.ID] the largest peak RSS
# (KiB) of process ID over the runs.
measure() {
	local label=$1 n=$2 cmd=$3 i t0 t1 w best= worst= f id e m u s cpu
	for ((i = 1; i <= n; i++)); do
		note "$label ($i/$n)"
		rm -f "$TD"/*
		t0=$(now)
		# stderr to a file: no progress display, no terminal in the way
		if ! eval "$cmd" 2>> "$R/stderr.log"; then
			note "$label: failed: $cmd"
			tail -n 5 "$R/stderr.log" >&2
			FAILED[$label]=1
			return 1
		fi
		t1=$(now)
		w=$((t1 - t0))
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
	BEST[$label]=$(calc "$best / 1e9")
	WORST[$label]=$(calc "$worst / 1e9")
}
ok() { [ -n "${BEST[$1]:-}" ]; }
rss_mb() { # rss_mb LABEL.ID -> MB or empty
	local v=${RSS[$1]:-}
	[ -n "$v" ] && calc "$v / 1024" || true
}
spread() { calc "(${WORST[$1]} / ${BEST[$1]} - 1) * 100"; }

# ----------------------------------------------------------------------
# Our stages
# ----------------------------------------------------------------------
measure norm "$runs" \
    'tm n "$B/trace-normalize" -s "$SCHEMA_C" "$D/canary.jsonl" >/dev/null'
measure norm_gz "$runs" \
    'tm n "$B/trace-normalize" -s "$SCHEMA_C" "$D/canary.jsonl.gz" >/dev/null'
if [ -f "$D/canary.jsonl.zst" ]; then
	measure norm_zst "$runs" \
	    'tm n "$B/trace-normalize" -s "$SCHEMA_C" "$D/canary.jsonl.zst" >/dev/null'
else
	note "zstd not installed: no .zst input, zstd stage skipped"
fi
measure keyhist "$runs" \
    'tm k "$B/trace-key" "$R/canary.events" | tm h "$B/trace-hist" >/dev/null'
measure key "$runs" 'tm k "$B/trace-key" "$R/canary.events" >/dev/null'
measure hist "$runs" 'tm h "$B/trace-hist" "$R/canary.keyed" >/dev/null'
measure pipe "$runs" \
    'tm n "$B/trace-normalize" -s "$SCHEMA_C" "$D/canary.jsonl" |
     tm k "$B/trace-key" | tm h "$B/trace-hist" >/dev/null'

# End to end, as a user runs it; GNU time reports the largest single
# process of the tree.
E2E=$R/e2e
measure e2e "$runs" \
    'tm e bash "$XENIA/fire-pattern-diff.sh" "$D/canary.jsonl" \
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
{
	echo "Input: seed $seed, $N_EVENTS canary events ($MB_JSONL MB JSONL," \
	    "$MB_EVENTS MB event TSV), candidate $N_OURS records" \
	    "($(fmt 1 "$(calc "$SZ_OURS / 1e6")") MB). MB = 10^6 bytes." \
	    "Best of $runs runs; spread = slowest run over the best;" \
	    "RSS = peak resident set per process (MB = 2^20 bytes here);" \
	    "CPU = user+sys of the best run."
	echo
	echo "| stage | input | best s | spread | throughput | peak RSS MB | CPU s |"
	echo "|---|---|--:|--:|---|--:|--:|"
	row "trace-normalize" "canary.jsonl" norm \
	    "$(fmt 0 "$(mbps "$SZ_JSONL" norm)") MB/s, $(fmt 2 "$(evps "$N_EVENTS" norm)") Mev/s" n
	row "trace-normalize" "canary.jsonl.gz" norm_gz \
	    "$(fmt 0 "$(mbps "$SZ_JSONL" norm_gz)") MB/s decompressed" n
	if ok norm_zst; then
		row "trace-normalize" "canary.jsonl.zst" norm_zst \
		    "$(fmt 0 "$(mbps "$SZ_JSONL" norm_zst)") MB/s decompressed" n
	fi
	row "trace-key \\| trace-hist" "event TSV" keyhist \
	    "$(fmt 0 "$(mbps "$SZ_EVENTS" keyhist)") MB/s, $(fmt 2 "$(evps "$N_EVENTS" keyhist)") Mev/s" k h
	row "trace-key" "event TSV" key \
	    "$(fmt 0 "$(mbps "$SZ_EVENTS" key)") MB/s" k
	row "trace-hist" "keyed TSV ($MB_KEYED MB)" hist \
	    "$(fmt 0 "$(mbps "$SZ_KEYED" hist)") MB/s, $(fmt 2 "$(evps "$N_EVENTS" hist)") Mev/s" h
	row "normalize \\| key \\| hist" "canary.jsonl" pipe \
	    "$(fmt 0 "$(mbps "$SZ_JSONL" pipe)") MB/s" n k h
	row "trace-join" "the two .hist" join "" j
	row "trace-report md+csv / json" "join.tsv" report "" r s
	row "fire-pattern-diff.sh" "canary + ours-iat + ours-lr" e2e \
	    "$(fmt 2 "$(evps "$((N_EVENTS + N_OURS))" e2e)") Mrec/s" e
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
	if ok seed; then
		v=$(calc "${BEST[seed]} / ${BEST[e2e]}")
		tgt "end to end >= 30x faster than diff.py" "$(fmt 1 "$v")x" "$v >= 30"
		if [ -n "${RSS[seed.p]:-}" ]; then
			our=${E2E_SUM:-$(rss_mb e2e.e)}
			v=$(calc "${RSS[seed.p]} / 1024 / $our")
			tgt "end-to-end peak RSS <= 1/50 of diff.py's (sum of the tools' peaks)" \
			    "1/$(fmt 0 "$v") ($(fmt 1 "$our") MB vs $(fmt 0 "$(rss_mb seed.p)") MB)" \
			    "$v >= 50"
		fi
	fi
	if ok pipe_big && [ -n "${RSS[pipe.n]:-}" ]; then
		v=$(for id in n k h; do calc "${RSS[pipe_big.$id]} / ${RSS[pipe.$id]}"; done |
		    sort -g | tail -n 1)
		tgt "peak RSS at $big events <= 1.2x at $N_EVENTS (worst process)" \
		    "$(fmt 2 "$v")x" "$v <= 1.2"
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
