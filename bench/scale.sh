#!/usr/bin/env bash
# bench/scale.sh - how the tools' cost grows: with the length of a trace
# and with the number of distinct keys.  The tools only, no peers.
#
#   bench/scale.sh [--keys-only] [--max-events N] [--max-keys N]
#                  [--key-events N] [--mem-limit GIB] [--bin DIR] [--out FILE]
#
#   --keys-only      only the distinct-keys table (bench/run.sh's
#                    many-keys targets use it)
#   --max-events N   longest trace of the length table (default 100000000)
#   --max-keys N     most distinct keys (default 10000000)
#   --key-events N   events of the distinct-keys table (default 10000000)
#   --mem-limit GIB  address space allowed to each tool (default 8): a
#                    tool that needs more fails and its row says so,
#                    instead of the machine swapping
#   --bin DIR        the tools to measure (default bin/ of this checkout)
#   --out FILE       the tables, also printed (default bench/out/scale.md)
#
# Length: the bench's canary trace (tests/gen-traces.py, seed 1, 1M
# events, 111 MB of JSON Lines) concatenated 1, 10 and 100 times, through
# trace-normalize --threads 1 | trace-key | trace-hist, each process timed
# by GNU time (wall seconds of the pipeline, each process's peak RSS):
# time should grow linearly, memory not at all.
#
# Keys: 10M events of event TSV (bench/gen-keys.awk) with 100, 10k, 1M and
# 10M distinct call sites (lr), and 100k call sites each fired from 100
# threads; then, each tool on regular files, one after the other:
# trace-key, trace-hist, trace-join (against the same histogram with every
# tenth key left out: 10% missing keys) and trace-report -f md.  For each
# tool: seconds, ns per event (per joined key for join and report), peak
# RSS, and RSS per distinct key above the 100-key case.  The targets:
# peak RSS at most 1.2 GB per tool at 10M keys, time per event at most 3x
# the 100-key case.  Beside each case of a target, the fresh-memory floor:
# the tools' peak RSS and the bytes they wrote, costed at what memory the
# machine has not handed out lately costs just then (bench/touch.c, dd);
# the chain's user CPU time (no kernel work in it); and the time cat takes
# to copy the histogram and the join -- the output the formats ask of the
# chain beyond the 100-key case's -- to a new file (no tool's work in it).
#
# Inputs are cached under bench/out/data/; the length table needs about
# 12 GB of disk for the 100x trace (removed afterwards).
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
keysonly=0
maxev=100000000
maxkeys=10000000
EVENTS=10000000
memgib=8
bindir=$root/bin
outfile=

usage() {
	echo "usage: bench/scale.sh [--keys-only] [--max-events N] [--max-keys N]" \
	    "[--key-events N] [--mem-limit GIB] [--bin DIR] [--out FILE]" >&2
	exit 2
}
posint() {
	case $2 in '' | *[!0-9]*) echo "scale: $1 wants a positive integer" >&2; exit 2 ;; esac
	[ "$2" -gt 0 ] || { echo "scale: $1 wants a positive integer" >&2; exit 2; }
}
while [ $# -gt 0 ]; do
	case $1 in
	--keys-only) keysonly=1; shift ;;
	--max-events) [ $# -ge 2 ] || usage; posint "$1" "$2"; maxev=$2; shift 2 ;;
	--max-keys) [ $# -ge 2 ] || usage; posint "$1" "$2"; maxkeys=$2; shift 2 ;;
	--key-events) [ $# -ge 2 ] || usage; posint "$1" "$2"; EVENTS=$2; shift 2 ;;
	--mem-limit) [ $# -ge 2 ] || usage; posint "$1" "$2"; memgib=$2; shift 2 ;;
	--bin) [ $# -ge 2 ] || usage; bindir=$(cd "$2" && pwd); shift 2 ;;
	--out) [ $# -ge 2 ] || usage; outfile=$2; shift 2 ;;
	-h | --help) sed -n '2,38s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) usage ;;
	esac
done

OUT=$root/bench/out
[ -n "$outfile" ] || outfile=$OUT/scale.md
note() { printf 'scale: %s\n' "$*" >&2; }
calc() { awk "BEGIN { print $1 }"; }
fmt() { awk -v x="$2" "BEGIN { if (x == \"\") print \"n/a\"; else printf \"%.$1f\", x }"; }
GNU_TIME=/usr/bin/time
[ -x "$GNU_TIME" ] || { echo "scale: needs GNU time (Debian package time)" >&2; exit 1; }
for t in trace-normalize trace-key trace-hist trace-join trace-report; do
	[ -x "$bindir/$t" ] || { echo "scale: $bindir/$t missing: run make first" >&2; exit 1; }
done
B=$OUT/scale-tree/bin
rm -rf "$OUT/scale-tree"
mkdir -p "$B"
cp "$bindir"/trace-* "$B/"
W=$OUT/scale-work
rm -rf "$W"
mkdir -p "$W/time"
LIMIT=$((memgib * 1024 * 1024 * 1024))
"${CC:-cc}" -O2 -o "$W/touch" "$here/touch.c" ||
    { echo "scale: cannot build bench/touch.c" >&2; exit 1; }

# tm ID CMD...: CMD under GNU time and the address-space limit; its
# figures (wall s, peak KiB) into $W/time/ID.
tm() {
	local id=$1
	shift
	prlimit --as="$LIMIT" "$GNU_TIME" -f '%e %M %U' -o "$W/time/$id" "$@"
}
# fig ID FIELD: a figure of the last run of ID (1 wall s, 2 peak KiB,
# 3 user CPU s).
fig() { tail -n 1 "$W/time/$1" | cut -d' ' -f"$2"; }
mib() { calc "$1 / 1024"; }
# fresh: what memory the machine has not handed out lately costs, in
# seconds per GiB: FRESH_ANON for a process's own (bench/touch.c, 1 GiB
# advised for huge pages), FRESH_FILE for a new file's page cache (dd of
# 1 GiB).  On a virtual machine whose host backs guest memory lazily this
# is seconds, not tenths.  Memory just freed is cheap again for a few
# seconds (until the guest returns it to the host), hence the pauses.
fresh() {
	sleep 5
	FRESH_ANON=$("$W/touch" 1024)
	sleep 5
	"$GNU_TIME" -f '%e' -o "$W/time/dd" dd if=/dev/zero of="$W/fresh" bs=1M \
	    count=1024 status=none
	FRESH_FILE=$(tail -n 1 "$W/time/dd")
	rm -f "$W/fresh" "$W/time/dd"
}

{
echo "# How cost grows"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "- tools: $([ "$bindir" = "$root/bin" ] && echo "bin/ at commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)" || echo "$bindir")"
echo "- cores: $(nproc); load average at the start $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- address space allowed to each tool: $memgib GiB"
echo
} > "$outfile"

# ----------------------------------------------------------------------
# Length
# ----------------------------------------------------------------------
if [ "$keysonly" = 0 ]; then
	D=$OUT/data/seed1-1000000
	if ! [ -f "$D/canary.jsonl" ]; then
		mkdir -p "$D"
		note "generating the 1M-event canary ..."
		python3 "$root/tests/gen-traces.py" --seed 1 --events 1000000 "$D"
	fi
	SCHEMA=$root/examples/xenia/canary.schema
	{
		echo "## Length: normalize | key | hist on the canary trace repeated"
		echo
		echo "| events | JSONL MB | pipeline s | s per M events | MB/s | peak RSS MB normalize / key / hist |"
		echo "|--:|--:|--:|--:|--:|---|"
	} >> "$outfile"
	for copies in 1 10 100; do
		ev=$((copies * 1000000))
		[ "$ev" -le "$maxev" ] || break
		if [ "$copies" = 1 ]; then
			in=$D/canary.jsonl
		else
			in=$W/canary-x$copies.jsonl
			note "writing the canary $copies times ..."
			for ((i = 0; i < copies; i++)); do cat "$D/canary.jsonl"; done > "$in"
		fi
		sz=$(wc -c < "$in")
		note "length: $ev events"
		t0=$(date +%s%N)
		tm n "$B/trace-normalize" --threads 1 -s "$SCHEMA" "$in" |
		    tm k "$B/trace-key" | tm h "$B/trace-hist" > /dev/null
		t1=$(date +%s%N)
		s=$(calc "($t1 - $t0) / 1e9")
		printf '| %s | %s | %s | %s | %s | %s / %s / %s |\n' "$ev" \
		    "$(fmt 0 "$(calc "$sz / 1e6")")" "$(fmt 2 "$s")" \
		    "$(fmt 3 "$(calc "$s / $copies")")" "$(fmt 0 "$(calc "$sz / $s / 1e6")")" \
		    "$(fmt 1 "$(mib "$(fig n 2)")")" "$(fmt 1 "$(mib "$(fig k 2)")")" \
		    "$(fmt 1 "$(mib "$(fig h 2)")")" >> "$outfile"
		[ "$copies" = 1 ] || rm -f "$in"
	done
	echo >> "$outfile"
fi

# ----------------------------------------------------------------------
# Distinct keys
# ----------------------------------------------------------------------
# keyset NAME KEYS TIDS: EVENTS events of event TSV with KEYS distinct
# call sites, each from TIDS threads, cached.
keyset() {
	local dir=$OUT/data/keys-$1 stamp
	stamp="gen-keys $(cksum < "$here/gen-keys.awk" | cut -d' ' -f1) events $EVENTS keys $2 tids $3"
	if ! [ -f "$dir/.stamp" ] || [ "$(cat "$dir/.stamp")" != "$stamp" ]; then
		rm -rf "$dir"
		mkdir -p "$dir"
		note "generating $EVENTS events over $2 keys x $3 threads ..."
		awk -v events="$EVENTS" -v keys="$2" -v tids="$3" -f "$here/gen-keys.awk" \
		    > "$dir/events.tsv"
		echo "$stamp" > "$dir/.stamp"
	fi
	KD=$dir
}

{
	echo "## Distinct keys: $EVENTS events through each tool"
	echo
	echo "Each tool on regular files, one after the other: trace-key, trace-hist,"
	echo "trace-join against the same histogram with every tenth key left out, and"
	echo "trace-report -f md; the chain row is their sum. ns per event = the tool's"
	echo "seconds over the $EVENTS events. Bytes per key: peak RSS above the 100-key"
	echo "case over the distinct keys."
	echo
	echo "| keys x threads | tool | s | ns per event | x 100-key case | peak RSS MB | bytes per key |"
	echo "|---|---|--:|--:|--:|--:|--:|"
} >> "$outfile"
declare -A BASE_KIB
BASE_CHAIN=
TARGETS=()
FLOORS=()
# keyrun NAME KEYS TIDS
keyrun() {
	local name=$1 keys=$2 tids=$3 tool id s kib x per total=0 maxkib=0 failed=0
	local target=0 sumkib=0 written=0 f floor= fx= fnote= user=0 ux= cs= cx=
	keyset "$name" "$keys" "$tids"
	note "keys: $keys x $tids threads"
	rm -f "$W/time"/*
	if [ "$keys" -ge 1000000 ] || [ "$tids" -gt 1 ]; then
		target=1
		fresh
	fi
	# the input read once untimed: an input generated long before (the
	# 100-key case, the base of every ratio) may have left the page
	# cache, and trace-key would be timed reading the disk
	cat "$KD/events.tsv" > /dev/null
	tm k "$B/trace-key" -o "$W/keyed.tsv" "$KD/events.tsv" || true
	tm h "$B/trace-hist" -o "$W/ref.hist" "$W/keyed.tsv" || true
	if [ -s "$W/ref.hist" ]; then
		awk 'NR == 1 || NR % 10 != 0' "$W/ref.hist" > "$W/cand.hist"
		tm j "$B/trace-join" -o "$W/join.tsv" "$W/ref.hist" "$W/cand.hist" || true
		[ -s "$W/join.tsv" ] &&
		    tm r "$B/trace-report" -f md -o "$W/report.md" "$W/join.tsv" || true
	fi
	for tool in key hist join report; do
		id=${tool:0:1}
		if ! [ -f "$W/time/$id" ] ||
		    grep -q 'exited with non-zero status\|terminated by signal' "$W/time/$id"; then
			printf '| %s x %s | trace-%s | failed (over %s GiB?) | | | | |\n' \
			    "$keys" "$tids" "$tool" "$memgib" >> "$outfile"
			failed=1
			continue
		fi
		s=$(fig "$id" 1)
		kib=$(fig "$id" 2)
		total=$(calc "$total + $s")
		user=$(calc "$user + $(fig "$id" 3)")
		sumkib=$((sumkib + kib))
		[ "$kib" -le "$maxkib" ] || maxkib=$kib
		per=
		if [ "$keys" = 100 ] && [ "$tids" = 1 ]; then
			BASE_KIB[$tool]=$kib
		elif [ "$tids" = 1 ] && [ -n "${BASE_KIB[$tool]:-}" ]; then
			per=$(calc "($kib - ${BASE_KIB[$tool]}) * 1024 / $keys")
		fi
		printf '| %s x %s | trace-%s | %s | %s | | %s | %s |\n' "$keys" "$tids" \
		    "$tool" "$(fmt 2 "$s")" "$(fmt 0 "$(calc "$s * 1e9 / $EVENTS")")" \
		    "$(fmt 1 "$(mib "$kib")")" "$([ -n "$per" ] && fmt 0 "$per")" >> "$outfile"
		if [ "$keys" -ge 1000000 ] || [ "$tids" -gt 1 ]; then
			TARGETS+=("| trace-$tool peak RSS at $keys keys x $tids threads <= 1.2 GB | $(fmt 0 "$(calc "$kib * 1024 / 1e6")") MB | $(awk "BEGIN { print ($kib * 1024 <= 1.2e9) ? \"met\" : \"**not met**\" }") |")
		fi
	done
	if [ "$failed" = 1 ]; then
		TARGETS+=("| the chain at $keys keys x $tids threads | a tool failed | **not met** |")
		return 0
	fi
	# the chain's fresh memory: each tool's peak RSS, and the files it
	# wrote (cand.hist is awk's, outside the chain)
	for f in keyed.tsv ref.hist join.tsv report.md; do
		[ -f "$W/$f" ] && written=$((written + $(stat -c %s "$W/$f")))
	done
	if [ "$target" = 1 ]; then
		floor=$(calc "$sumkib / 1048576 * $FRESH_ANON + $written / 1073741824 * $FRESH_FILE")
		[ -z "$BASE_CHAIN" ] || fx=$(calc "$floor / $BASE_CHAIN")
		# two more references, measured beside the chain: the output
		# the formats ask of it beyond the 100-key case's (the
		# histogram and the join, one row a key) copied by cat to a
		# new file, no tool's work in it; and the chain's own user
		# CPU time, no kernel's work in it
		"$GNU_TIME" -f '%e' -o "$W/time/c" cat "$W/ref.hist" "$W/join.tsv" > "$W/copy"
		cs=$(fig c 1)
		rm -f "$W/copy"
		if [ -n "$BASE_CHAIN" ]; then
			cx=$(calc "$cs / $BASE_CHAIN")
			ux=$(calc "$user / $BASE_CHAIN")
		fi
		fnote=" (the fresh-memory floor alone: $(fmt 2 "$fx")x; cat of the histogram and join to a new file alone: $(fmt 2 "$cx")x; the chain's user CPU alone: $(fmt 2 "$ux")x)"
	fi
	if [ "$keys" = 100 ] && [ "$tids" = 1 ]; then
		BASE_CHAIN=$total
		x=1
	elif [ -n "$BASE_CHAIN" ]; then
		x=$(calc "$total / $BASE_CHAIN")
		if [ "$keys" -ge 1000000 ] || [ "$tids" -gt 1 ]; then
			TARGETS+=("| time per event at $keys keys x $tids threads <= 3x the 100-key case (the chain) | $(fmt 2 "$x")x$fnote | $(awk "BEGIN { print ($x <= 3) ? \"met\" : \"**not met**\" }") |")
		fi
	else
		x=
	fi
	printf '| %s x %s | chain | %s | %s | %s | %s (largest) | |\n' "$keys" "$tids" \
	    "$(fmt 2 "$total")" "$(fmt 0 "$(calc "$total * 1e9 / $EVENTS")")" \
	    "$(fmt 2 "$x")" "$(fmt 1 "$(mib "$maxkib")")" >> "$outfile"
	if [ "$target" = 1 ] || { [ "$keys" = 100 ] && [ "$tids" = 1 ]; }; then
		printf '| %s x %s | chain, user CPU | %s | %s | %s | | |\n' \
		    "$keys" "$tids" "$(fmt 2 "$user")" \
		    "$(fmt 0 "$(calc "$user * 1e9 / $EVENTS")")" \
		    "$(fmt 2 "${ux:-$(calc "$user / $total")}")" >> "$outfile"
	fi
	if [ "$target" = 1 ]; then
		printf '| %s x %s | fresh-memory floor | %s | %s | %s | %s + %s written | |\n' \
		    "$keys" "$tids" "$(fmt 2 "$floor")" \
		    "$(fmt 0 "$(calc "$floor * 1e9 / $EVENTS")")" "$(fmt 2 "$fx")" \
		    "$(fmt 1 "$(mib "$sumkib")")" \
		    "$(fmt 1 "$(calc "$written / 1048576")")" >> "$outfile"
		printf '| %s x %s | cat ref.hist join.tsv > new file | %s | %s | %s | | |\n' \
		    "$keys" "$tids" "$(fmt 2 "$cs")" \
		    "$(fmt 0 "$(calc "$cs * 1e9 / $EVENTS")")" "$(fmt 2 "$cx")" >> "$outfile"
		FLOORS+=("$keys x $tids: $(fmt 2 "$FRESH_ANON") s per GiB of a process's memory, $(fmt 2 "$FRESH_FILE") s per GiB of a new file")
	fi
	rm -f "$W/keyed.tsv" "$W/ref.hist" "$W/cand.hist" "$W/join.tsv" "$W/report.md"
}
if [ "$keysonly" = 0 ]; then
	sets="100 10000 1000000 10000000"
else
	sets="100 $maxkeys"
fi
for k in $sets; do
	[ "$k" -le "$maxkeys" ] || continue
	keyrun "k$k" "$k" 1
done
if [ "$maxkeys" -ge 10000000 ]; then
	keyrun k100000t100 100000 100
fi
if [ ${#FLOORS[@]} -gt 0 ]; then
	{
		echo
		echo "Fresh-memory floor: the seconds this machine takes to hand the chain"
		echo "memory it has not had before -- the tools' peak RSS (the sum) at the"
		echo "rate bench/touch.c measured just before, and the files they wrote at"
		echo "dd's rate -- a time no tool of that footprint can go under here:"
		printf -- '- %s\n' "${FLOORS[@]}"
	} >> "$outfile"
fi
if [ ${#TARGETS[@]} -gt 0 ]; then
	{
		echo
		echo "| target | measured | |"
		echo "|---|---|---|"
		printf '%s\n' "${TARGETS[@]}"
	} >> "$outfile"
fi
echo >> "$outfile"
rm -rf "$W" "$OUT/scale-tree"
cat "$outfile"
note "written to ${outfile#"$root"/}"
