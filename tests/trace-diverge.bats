#!/usr/bin/env bats
# trace-diverge: hunks on sequences with known edits (at the start, the
# end, back to back, across a window's edge), checked against expected
# rows written by hand and, on random sequences, by tests/diverge/check.py
# (an edit script of the two streams, minimal by dynamic programming);
# thread pairing with and without a map, pools, unpaired threads; lost
# windows; --first; exit statuses; compressed and keyed input; memory flat
# in the length of a stream.
load helper

GEN="$TOP/tests/diverge/gen.py"
CHECK="$TOP/tests/diverge/check.py"
HDR='ref_thread	cand_thread	kind	ref_pos	ref_len	cand_pos	cand_len	ref_ts	cand_ts	ref_keys	cand_keys'

# seq FILE KEY...: an event stream of one thread, op = the key, lr 0x1,
# ts 10, 20, ...
seq_file() {
	local f=$1 i=0
	shift
	printf 'op\tlr\ttid\tts\n' >"$f"
	for k in "$@"; do
		i=$((i + 1))
		printf '%s\t0x1\t1\t%d\n' "$k" $((i * 10)) >>"$f"
	done
}

# rows: the hunks of the last run, kind and positions only.
rows() {
	cut -f3-7 "$T/out" | tail -n +2
}

# maxrss CMD: the peak RSS (KB) of the bash command line CMD and its
# children.
maxrss() {
	python3 -c '
import resource, subprocess, sys
subprocess.run(["bash", "-c", sys.argv[1]], check=False)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$1"
}

@test "trace-diverge: identical sequences: no hunk, exit 0" {
	seq_file "$T/a" a b c d e
	run trace-diverge -o "$T/out" "$T/a" "$T/a"
	assert_success
	run cat "$T/out"
	assert_output "$HDR"
}

@test "trace-diverge: deleted, inserted and changed, with positions, ts and keys" {
	seq_file "$T/a" a b c d e f g h
	seq_file "$T/b" a c d X e f g Y Z
	run trace-diverge -o "$T/out" "$T/a" "$T/b"
	assert_failure 1
	run tail -n +2 "$T/out"
	assert_output "$(printf '\t\tdeleted\t2\t1\t1\t0\t20\t\tb:0x1\t
\t\tinserted\t4\t0\t4\t1\t\t40\t\tX:0x1
\t\tchanged\t8\t1\t8\t2\t80\t80\th:0x1\tY:0x1,Z:0x1')"
}

@test "trace-diverge: hunks at the very start and the very end" {
	seq_file "$T/a" x y a b c
	seq_file "$T/b" a b c z
	trace-diverge -o "$T/out" "$T/a" "$T/b" || [ $? = 1 ]
	run rows
	assert_output "$(printf 'deleted\t1\t2\t0\t0\ninserted\t5\t0\t4\t1')"
	# and mirrored: the candidate starts with extra events, the
	# reference ends with them
	trace-diverge -o "$T/out" "$T/b" "$T/a" || [ $? = 1 ]
	run rows
	assert_output "$(printf 'inserted\t0\t0\t1\t2\ndeleted\t4\t1\t5\t0')"
}

@test "trace-diverge: back-to-back edits form one changed hunk; one equal event splits them" {
	seq_file "$T/a" a b c d e
	seq_file "$T/b" a X Y e
	trace-diverge -o "$T/out" "$T/a" "$T/b" || [ $? = 1 ]
	run rows
	assert_output "$(printf 'changed\t2\t3\t2\t2')"
	seq_file "$T/b" a X c Y e
	trace-diverge -o "$T/out" "$T/a" "$T/b" || [ $? = 1 ]
	run rows
	assert_output "$(printf 'changed\t2\t1\t2\t1\nchanged\t4\t1\t4\t1')"
}

@test "trace-diverge: a ref_keys list stops at 5 keys; keys of several columns are joined by ':' and %-encoded" {
	seq_file "$T/a" a b c d e f g h
	seq_file "$T/b" a
	trace-diverge -o "$T/out" "$T/a" "$T/b" || [ $? = 1 ]
	run cut -f10 "$T/out"
	assert_line --index 1 'b:0x1,c:0x1,d:0x1,e:0x1,f:0x1'
	printf 'op\tlr\n%s\t0x1\n' 'a:b,c%' >"$T/c"
	printf 'op\tlr\n%s\t0x1\n' 'x' >"$T/d"
	trace-diverge -o "$T/out" "$T/c" "$T/d" || [ $? = 1 ]
	run cut -f10,11 "$T/out"
	assert_line --index 1 "$(printf 'a%%3ab%%2cc%%25:0x1\tx:0x1')"
}

@test "trace-diverge: random sequences: every script is a minimal edit script (check.py)" {
	for seed in $(seq 1 60); do
		python3 "$GEN" --seed "$seed" --events $((seed % 50 + 1)) \
		    --edits $((seed % 6)) --alpha $((seed % 5 + 2)) "$T/r"
		run trace-diverge -o "$T/r/out" "$T/r/ref.tsv" "$T/r/cand.tsv"
		[ "$status" -le 1 ] || fail "seed $seed: exit $status"
		run python3 "$CHECK" --minimal "$T/r/ref.tsv" "$T/r/cand.tsv" "$T/r/out"
		[ "$output" = ok ] || fail "seed $seed: $output"
	done
}

@test "trace-diverge: hunks across the window's edge: windowed script equals the whole one" {
	# 400 events, 6 edit runs, windows of 60 events: every hunk lies
	# across some window's edge, and no window needs more than 25 edits.
	for seed in 1 2 3 4 5 6 7 8; do
		python3 "$GEN" --seed "$seed" --events 400 --edits 6 --alpha 5 "$T/w"
		trace-diverge -o "$T/whole" "$T/w/ref.tsv" "$T/w/cand.tsv" || [ $? = 1 ]
		trace-diverge --window 60 --max-edits 25 -o "$T/win" \
		    "$T/w/ref.tsv" "$T/w/cand.tsv" || [ $? = 1 ]
		assert_same "$T/whole" "$T/win"
		run python3 "$CHECK" --minimal "$T/w/ref.tsv" "$T/w/cand.tsv" "$T/win"
		[ "$output" = ok ] || fail "seed $seed: $output"
	done
	# A hunk that straddles the first window's half: 20 equal events,
	# 3 deleted at 19..21 of a 40-event window.
	seq_file "$T/a" $(seq 1 60 | sed 's/^/k/')
	seq_file "$T/b" $(seq 1 60 | sed 's/^/k/' | sed '19,21d')
	trace-diverge --window 40 --max-edits 5 -o "$T/out" "$T/a" "$T/b" || [ $? = 1 ]
	run rows
	assert_output "$(printf 'deleted\t19\t3\t18\t0')"
}

@test "trace-diverge: keyed rows of several events across windows: the hunks of the events they stand for" {
	# Runs of equal keys as one keyed row each (count the run, ts its
	# first): commits fall inside rows, which keep the rest of their
	# count; every hunk's positions and keys as on the event stream.
	rle() {
		awk -F'\t' 'BEGIN { OFS = "\t" }
		    NR == 1 { print "op", "count", "ts"; next }
		    $1 == k { c++; next }
		    { if (NR > 2) print k, c, t; k = $1; c = 1; t = $4 }
		    END { if (NR > 1) print k, c, t }' "$1"
	}
	for seed in 1 2 3 4 5 6 7 8 9 10 11 12; do
		python3 "$GEN" --seed "$seed" --events 400 --edits 6 --alpha 2 "$T/w"
		rle "$T/w/ref.tsv" >"$T/r.key"
		rle "$T/w/cand.tsv" >"$T/c.key"
		[ "$(wc -l <"$T/r.key")" -lt 300 ] || fail "seed $seed: few runs"
		trace-diverge --window 60 --max-edits 25 -o "$T/k" \
		    "$T/r.key" "$T/c.key" || [ $? = 1 ]
		trace-diverge -k op --window 60 --max-edits 25 -o "$T/e" \
		    "$T/w/ref.tsv" "$T/w/cand.tsv" || [ $? = 1 ]
		cut -f1-7,10,11 "$T/k" >"$T/k.cut"
		cut -f1-7,10,11 "$T/e" >"$T/e.cut"
		[ "$(wc -l <"$T/e.cut")" -gt 3 ] || fail "seed $seed: no hunks"
		assert_same "$T/e.cut" "$T/k.cut"
	done
}

@test "trace-diverge: a window beyond --max-edits is lost, and both sides resume after it" {
	seq_file "$T/a" a b c d e f g h i j k l
	seq_file "$T/b" a b 1 2 3 4 5 6 7 8 9 l
	run trace-diverge --window 100 --max-edits 3 -o "$T/out" "$T/a" "$T/b"
	assert_failure 1
	run rows
	assert_output "$(printf 'lost\t1\t12\t1\t12')"
	# a lost row gives the first keys and ts of both sides
	run cut -f8-11 "$T/out"
	assert_line --index 1 "$(printf '10\t10\ta:0x1,b:0x1,c:0x1,d:0x1,e:0x1\ta:0x1,b:0x1,1:0x1,2:0x1,3:0x1')"
	# with enough edits it is one changed hunk
	trace-diverge -o "$T/out" "$T/a" "$T/b" || [ $? = 1 ]
	run rows
	assert_output "$(printf 'changed\t3\t9\t3\t9')"
}

# seq_ts FILE OFFSET KEY...: as seq_file, ts 10+OFFSET, 20+OFFSET, ...
seq_ts() {
	local f=$1 off=$2 i=0
	shift 2
	printf 'op\tlr\ttid\tts\n' >"$f"
	for k in "$@"; do
		i=$((i + 1))
		printf '%s\t0x1\t1\t%d\n' "$k" $((i * 10 + off)) >>"$f"
	done
}

@test "trace-diverge: equal events in step are counted, not stored: lost windows and hunks after them" {
	# 33 equal events, then 20 that differ: windows of 20 start at 1,
	# 11, 21 (half a window on), the one at 21 is lost; its first keys
	# and each side's ts are those of events that were never stored
	seq_ts "$T/a" 0 $(seq 1 33 | sed 's/^/k/') $(seq 1 20 | sed 's/^/x/')
	seq_ts "$T/b" 1 $(seq 1 33 | sed 's/^/k/') $(seq 1 20 | sed 's/^/y/')
	run trace-diverge --window 20 --max-edits 3 -o "$T/out" "$T/a" "$T/b"
	assert_failure 1
	run tail -n +2 "$T/out"
	assert_output "$(printf '\t\tlost\t21\t20\t21\t20\t210\t211\tk21:0x1,k22:0x1,k23:0x1,k24:0x1,k25:0x1\tk21:0x1,k22:0x1,k23:0x1,k24:0x1,k25:0x1
\t\tlost\t41\t13\t41\t13\t410\t411\tx8:0x1,x9:0x1,x10:0x1,x11:0x1,x12:0x1\ty8:0x1,y9:0x1,y10:0x1,y11:0x1,y12:0x1')"
	# in step again after a hunk (the candidate one event behind)
	seq_ts "$T/a" 0 $(seq 1 100 | sed 's/^/k/')
	seq_ts "$T/b" 1 $(seq 1 100 | sed 's/^/k/' | sed '30d; 80s/.*/z/')
	for w in "--window 20 --max-edits 3" "--window 6 --max-edits 2" ""; do
		trace-diverge $w -o "$T/out" "$T/a" "$T/b" || [ $? = 1 ]
		run cut -f3- "$T/out"
		assert_output "$(printf 'kind\tref_pos\tref_len\tcand_pos\tcand_len\tref_ts\tcand_ts\tref_keys\tcand_keys
deleted\t30\t1\t29\t0\t300\t\tk30:0x1\t
changed\t80\t1\t79\t1\t800\t791\tk80:0x1\tz:0x1')"
		trace-diverge $w -o "$T/out" "$T/b" "$T/a" || [ $? = 1 ]
		run cut -f3-7 "$T/out"
		assert_output "$(printf 'kind\tref_pos\tref_len\tcand_pos\tcand_len
inserted\t29\t0\t30\t1
changed\t79\t1\t80\t1')"
	done
}

@test "trace-diverge: in step, rows are compared as read; the first that differ are placed as usual" {
	# 40 equal events (ts differ: not compared), then one side's key
	# changes: the rows read in step are counted, the differing ones
	# aligned, whichever side, however the key columns lie
	seq_ts "$T/a" 0 $(seq 1 60 | sed 's/^/k/')
	seq_ts "$T/b" 5 $(seq 1 60 | sed 's/^/k/' | sed '41s/.*/z/; 50d')
	trace-diverge -o "$T/out" "$T/a" "$T/b" || [ $? = 1 ]
	run tail -n +2 "$T/out"
	assert_output "$(printf '		changed	41	1	41	1	410	415	k41:0x1	z:0x1
		deleted	50	1	49	0	500		k50:0x1	')"
	# the key columns apart (tid, op): split whole, same hunks
	trace-diverge -k tid,op -o "$T/out2" "$T/a" "$T/b" || [ $? = 1 ]
	run cut -f3-9 "$T/out2"
	assert_output "$(cut -f3-9 "$T/out")"
	# ts differs only: no divergence
	seq_ts "$T/c" 7 $(seq 1 60 | sed 's/^/k/')
	run trace-diverge "$T/a" "$T/c"
	assert_success
	# one side ends in step: the rest of the other is one hunk
	seq_ts "$T/d" 0 $(seq 1 45 | sed 's/^/k/')
	trace-diverge -o "$T/out" "$T/a" "$T/d" || [ $? = 1 ]
	run rows
	assert_output "$(printf 'deleted	46	15	45	0')"
	trace-diverge -o "$T/out" "$T/d" "$T/a" || [ $? = 1 ]
	run rows
	assert_output "$(printf 'inserted	45	0	46	15')"
	# a keyed row of 2 events after rows in step
	{ printf 'op	count	ts
'; seq 1 30 | sed 's/^/k/; s/$/	1	5/'
	  printf 'k31	2	5
k33	1	5
'; } >"$T/k1"
	{ printf 'op	count	ts
'; seq 1 33 | sed 's/^/k/; s/$/	1	5/'; } >"$T/k2"
	trace-diverge -o "$T/out" "$T/k1" "$T/k2" || [ $? = 1 ]
	run rows
	assert_output "$(printf 'changed	32	1	32	1')"
	# a bad row after rows in step: its line, on either side
	for bad in 'k30	0x1	1' 'k30	0x1	1	300	x'; do
		{ head -30 "$T/a"; printf "$bad\n"; tail -n +32 "$T/a"; } \
		    >"$T/bad"
		got=$(printf "$bad" | awk -F '\t' '{ print NF }')
		run trace-diverge "$T/bad" "$T/a"
		assert_failure 2
		assert_line "trace-diverge: $T/bad:31: expected 4 fields, got $got"
		run trace-diverge "$T/a" "$T/bad"
		assert_failure 2
		assert_line "trace-diverge: $T/bad:31: expected 4 fields, got $got"
	done
}

@test "trace-diverge: event streams read in blocks: CRLF, headers again, no final newline, long lines" {
	# 20,000 events (about 400 KB: lines across the 96 KB blocks a
	# reading thread takes), written four ways that must compare equal
	awk 'BEGIN { print "op\tlr\tts"; for (i = 1; i <= 20000; i++)
	    printf "k%d\t0x%x\t%d\n", i % 97, i % 13, i }' >"$T/a"
	sed 's/$/\r/' "$T/a" >"$T/crlf"
	{ head -10001 "$T/a"; head -1 "$T/a"; tail -n +10002 "$T/a"; } \
	    >"$T/hdr"
	head -c -1 "$T/a" >"$T/nonl"
	for f in crlf hdr nonl; do
		run trace-diverge "$T/a" "$T/$f"
		assert_success
		run trace-diverge "$T/$f" "$T/a"
		assert_success
	done
	# where they differ, the ts of a CRLF line without its "\r"
	sed '5001s/^k[0-9]*/zz/' "$T/a" >"$T/b"
	sed 's/$/\r/' "$T/b" >"$T/bcrlf"
	trace-diverge -o "$T/out.lf" "$T/a" "$T/b" || [ $? = 1 ]
	trace-diverge -o "$T/out.crlf" "$T/crlf" "$T/bcrlf" || [ $? = 1 ]
	assert_same "$T/out.lf" "$T/out.crlf"
	run cut -f8,9 "$T/out.crlf"
	assert_output "$(printf 'ref_ts\tcand_ts\n5000\t5000')"
	# a line longer than a block, in step and where it differs
	long=$(head -c 300000 /dev/zero | tr '\0' x)
	{ head -15001 "$T/a"; printf 'k%s\t0x1\t1\n' "$long";
	  tail -n +15002 "$T/a"; } >"$T/long"
	run trace-diverge "$T/long" "$T/long"
	assert_success
	trace-diverge -o "$T/out" "$T/a" "$T/long" || [ $? = 1 ]
	run rows
	assert_output "$(printf 'inserted\t15000\t0\t15001\t1')"
	# a bad line past the first block: its line number
	{ head -14000 "$T/a"; printf 'k1\t0x1\n'; tail -n +14001 "$T/a"; } \
	    >"$T/bad"
	run trace-diverge "$T/a" "$T/bad"
	assert_failure 2
	assert_line "trace-diverge: $T/bad:14001: expected 3 fields, got 2"
	run trace-diverge "$T/bad" "$T/a"
	assert_failure 2
	assert_line "trace-diverge: $T/bad:14001: expected 3 fields, got 2"
}

@test "trace-diverge: event streams split by each SIMD path: key and ts columns anywhere, tabs at every offset" {
	# lines of 5 to 140 bytes, so that tabs and newlines fall at every
	# offset of the 64-byte pieces the splitter takes at a time
	awk 'BEGIN { srand(7); print "pad\top\tlr\ttid\tts\tx";
	    for (i = 1; i <= 6000; i++) {
		p = substr("pppppppppppppppppppppppppppppppppppppppppppppppppppppppp", 1, int(rand() * 50));
		printf "%s\tk%d\t0x%x\t%d\t%d\t%s\n", p, i % 89, i % 7, i % 3, i, substr(p, 1, int(rand() * 60))
	    } }' >"$T/a"
	# ts varies where the keys do not: equal; a key changed at 3001
	awk -F'\t' -v OFS='\t' 'NR > 1 { $5 = $5 + 1 } 1' "$T/a" >"$T/ts"
	awk -F'\t' -v OFS='\t' 'NR == 3002 { $2 = "zz" } 1' "$T/a" >"$T/b"
	sed 's/$/\r/' "$T/b" >"$T/bcrlf"
	for p in $(simd_paths); do
		export TRACE_TOOLS_SIMD=$p
		for k in op,lr lr,tid pad,op tid,ts,x x; do
			run trace-diverge -k "$k" "$T/a" "$T/ts"
			if [ "$k" = tid,ts,x ]; then
				assert_failure 1
			else
				assert_success
			fi
		done
		trace-diverge -k op,lr -o "$T/out" "$T/a" "$T/bcrlf" || [ $? = 1 ]
		run cut -f3-11 "$T/out"
		assert_output "$(printf 'kind\tref_pos\tref_len\tcand_pos\tcand_len\tref_ts\tcand_ts\tref_keys\tcand_keys\nchanged\t3001\t1\t3001\t1\t3001\t3001\t%s\tzz:%s' \
		    "$(awk -F'\t' 'NR == 3002 { printf "%s:%s", $2, $3 }' "$T/a")" \
		    "$(awk -F'\t' 'NR == 3002 { print $3 }' "$T/a")")"
		# the last column as the key, its "\r" not part of it
		sed 's/$/\r/' "$T/a" >"$T/acrlf"
		run trace-diverge -k x "$T/a" "$T/acrlf"
		assert_success
		# a line with a field too many, or too few
		awk 'NR == 4001 { $0 = $0 "\t" } 1' "$T/a" >"$T/more"
		run trace-diverge "$T/a" "$T/more"
		assert_failure 2
		assert_line "trace-diverge: $T/more:4001: expected 6 fields, got 7"
		awk 'NR == 4001 { sub(/\t[^\t]*$/, "") } 1' "$T/a" >"$T/less"
		run trace-diverge "$T/less" "$T/a"
		assert_failure 2
		assert_line "trace-diverge: $T/less:4001: expected 6 fields, got 5"
		# the same on a line of more than 64 bytes, and on one of
		# less than 64 bytes after it
		awk 'NR == 4001 { $0 = "qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq" $0 "\t" } 1' "$T/a" >"$T/more"
		run trace-diverge "$T/a" "$T/more"
		assert_failure 2
		assert_line "trace-diverge: $T/more:4001: expected 6 fields, got 7"
		awk 'NR == 4001 { $0 = "\tx\ty" } 1' "$T/a" >"$T/less"
		run trace-diverge "$T/less" "$T/a"
		assert_failure 2
		assert_line "trace-diverge: $T/less:4001: expected 6 fields, got 3"
		# the last line without its newline, short and long
		head -c -1 "$T/a" >"$T/nonl"
		run trace-diverge -k x "$T/a" "$T/nonl"
		assert_success
		{ cat "$T/a"; tail -n 1 "$T/a" | tr -d '\n'; } >"$T/nonl"
		{ cat "$T/a"; tail -n 1 "$T/a"; } >"$T/withnl"
		run trace-diverge -k x,ts "$T/withnl" "$T/nonl"
		assert_success
		run trace-diverge -k ts "$T/a" "$T/nonl"
		assert_failure 1
		assert_line "$(printf '\t\tinserted\t6000\t0\t6001\t1\t\t6000\t\t6000')"
	done
}

@test "trace-diverge: --by pairs threads by equal values; the others are unpaired" {
	printf 'op\tlr\ttid\tts\na\t0x1\t1\t1\nb\t0x1\t2\t2\nc\t0x1\t1\t3\nd\t0x1\t3\t4\n' >"$T/a"
	printf 'op\tlr\ttid\tts\nb\t0x1\t2\t7\na\t0x1\t1\t8\nx\t0x1\t1\t9\nz\t0x1\t4\t10\nz\t0x1\t4\t11\n' >"$T/b"
	run trace-diverge --by tid -o "$T/out" "$T/a" "$T/b"
	assert_failure 1
	run tail -n +2 "$T/out"
	assert_output "$(printf '1\t1\tchanged\t2\t1\t2\t1\t3\t9\tc:0x1\tx:0x1
3\t\tunpaired\t0\t1\t0\t0\t4\t\td:0x1\t
\t4\tunpaired\t0\t0\t0\t2\t\t10\t\tz:0x1,z:0x1')"
	run python3 "$CHECK" --by tid "$T/a" "$T/b" "$T/out"
	assert_output ok
}

@test "trace-diverge: --thread-map pairs renamed threads and merges a pool in trace order" {
	# thread 5 of the reference runs as 20 and 21 (a pool) in the
	# candidate, in the same order; thread 6 is 30; 7 has no partner
	printf 'op\tlr\ttid\ts\n' >/dev/null
	{
		printf 'op\tlr\ttid\n'
		for i in 1 2 3 4 5 6; do printf 'p%d\t0x1\t5\nq%d\t0x2\t6\n' $i $i; done
		printf 'r\t0x3\t7\n'
	} >"$T/a"
	{
		printf 'op\tlr\ttid\n'
		for i in 1 2 3 4 5 6; do printf 'p%d\t0x1\t%d\nq%d\t0x2\t30\n' $i $((20 + i % 2)) $i; done
	} >"$T/b"
	printf 'ref_tid\tcand_tid\tsimilarity\n5\t21\t0.6\n6\t30\t1\n5\t20\t0.5\n' >"$T/map"
	run trace-diverge --by tid --thread-map "$T/map" -o "$T/out" "$T/a" "$T/b"
	assert_failure 1
	run tail -n +2 "$T/out"
	assert_output "$(printf '7\t\tunpaired\t0\t1\t0\t0\t\t\tr:0x3\t')"
	run python3 "$CHECK" --by tid --map "$T/map" "$T/a" "$T/b" "$T/out"
	assert_output ok
	# the pool's name lists its threads in numeric order
	sed -i 's/^p4\t0x1\t20$/p9\t0x1\t20/' "$T/b"
	run trace-diverge --by tid --thread-map "$T/map" -o "$T/out" "$T/a" "$T/b"
	assert_failure 1
	run cut -f1-7 "$T/out"
	assert_line --index 1 "$(printf '5\t20,21\tchanged\t4\t1\t4\t1')"
	# without the map every thread is unpaired
	run trace-diverge --by tid "$T/a" "$T/b"
	assert_failure 1
	[ "$(grep -c unpaired <<<"$output")" = 6 ]
}

@test "trace-diverge: group names are %-encoded thread values" {
	printf 'op\tlr\tname\na\t0x1\tw,1:x%%\n' >"$T/a"
	printf 'op\tlr\tname\nb\t0x1\tw,1:x%%\n' >"$T/b"
	run trace-diverge --by name "$T/a" "$T/b"
	assert_failure 1
	assert_line --index 1 "$(printf 'w%%2c1%%3ax%%25\tw%%2c1%%3ax%%25\tchanged\t1\t1\t1\t1\t\t\ta:0x1\tb:0x1')"
}

@test "trace-diverge: interleavings that differ more than a window: lost read-ahead, still a valid script" {
	for seed in 1 2 3; do
		python3 "$GEN" --seed "$seed" --threads 4 --events 200 --edits 3 \
		    --alpha 6 --shuffle --burst 25 --cand-tids 100 "$T/m"
		printf 'ref_tid\tcand_tid\n1\t101\n2\t102\n3\t103\n4\t104\n' >"$T/map"
		run trace-diverge --by tid --thread-map "$T/map" --window 40 \
		    --max-edits 15 -o "$T/out" "$T/m/ref.tsv" "$T/m/cand.tsv"
		assert_failure 1
		grep -q '	lost	' "$T/out" || fail "seed $seed: no lost window"
		run python3 "$CHECK" --by tid --map "$T/map" "$T/m/ref.tsv" "$T/m/cand.tsv" "$T/out"
		[ "$output" = ok ] || fail "seed $seed: $output"
		# a window as long as the threads loses nothing: minimal
		trace-diverge --by tid --thread-map "$T/map" -o "$T/out" \
		    "$T/m/ref.tsv" "$T/m/cand.tsv" || [ $? = 1 ]
		run python3 "$CHECK" --minimal --by tid --map "$T/map" "$T/m/ref.tsv" "$T/m/cand.tsv" "$T/out"
		[ "$output" = ok ] || fail "seed $seed: $output"
	done
}

@test "trace-diverge: --first: one row per pair; without --by it stops reading" {
	seq_file "$T/a" a b c d e f
	seq_file "$T/b" a X c Y e
	run trace-diverge --first "$T/a" "$T/b"
	assert_failure 1
	assert_output "$(printf '%s\n\t\tchanged\t2\t1\t2\t1\t20\t20\tb:0x1\tX:0x1' "$HDR")"
	# An endless candidate: --first ends once the first hunk is known
	# (complete: an equal event follows it).
	run timeout 20 bash -c 'trace-diverge --first --window 100 --max-edits 10 "$1" \
	    <(printf "op\tlr\na\t0x1\nX\t0x1\nc\t0x1\n"; yes "z	0x1")' _ "$T/a"
	assert_failure 1
	assert_output "$(printf '%s\n\t\tchanged\t2\t1\t2\t1\t20\t\tb:0x1\tX:0x1' "$HDR")"
	# with --by, each pair stops; unpaired threads still come
	printf 'op\tlr\ttid\na\t0x1\t1\nb\t0x1\t1\nc\t0x1\t2\n' >"$T/c"
	printf 'op\tlr\ttid\nx\t0x1\t1\ny\t0x1\t1\n' >"$T/d"
	run trace-diverge --first --by tid "$T/c" "$T/d"
	assert_failure 1
	assert_output "$(printf '%s\n1\t1\tchanged\t1\t2\t1\t2\t\t\ta:0x1,b:0x1\tx:0x1,y:0x1\n2\t\tunpaired\t0\t1\t0\t0\t\t\tc:0x1\t' "$HDR")"
}

@test "trace-diverge: -f md: the first divergence with --context, hunks and totals" {
	seq_file "$T/a" a b c d e f g h
	seq_file "$T/b" a b c d X f g
	run trace-diverge -f md --context 2 "$T/a" "$T/b"
	assert_failure 1
	assert_line '**The sequences diverge**: 8 and 7 events, 2 hunks.'
	assert_line 'First divergence: **changed**, ref event 5, cand event 5.'
	assert_line '| 3 | 3 | = | `c:0x1` |'
	assert_line '| 4 | 4 | = | `d:0x1` |'
	refute_line '| 2 | 2 | = | `b:0x1` |'
	assert_line '| 5 | | ref only | `e:0x1` |'
	assert_line '| | 5 | cand only | `X:0x1` |'
	assert_line '| deleted | 8 | after 7 | `80` |  | `h:0x1` |   |'
	assert_line '| changed | 1 | 1 | 1 |'
	run trace-diverge -f md "$T/a" "$T/a"
	assert_success
	assert_line '**The sequences agree**: 8 events each.'
}

@test "trace-diverge: keyed streams: key columns by default, a row stands for count events" {
	seq_file "$T/a" a b b b c
	trace-key -k op -a ts "$T/a" >"$T/a.key"
	printf 'op\tcount\tts\na\t1\t10\nb\t2\t20\nc\t1\t50\n' >"$T/b.key"
	run trace-diverge -o "$T/out" "$T/a.key" "$T/b.key"
	assert_failure 1
	run tail -n +2 "$T/out"
	assert_output "$(printf '\t\tdeleted\t4\t1\t3\t0\t40\t\tb\t')"
	# a keyed stream against an event stream: the keys must agree
	run trace-diverge "$T/a.key" "$T/a"
	assert_failure 2
	assert_output --partial "the inputs' key columns differ"
	run trace-diverge -k op "$T/a.key" "$T/a"
	assert_success
	# a tally column is not a key
	run trace-diverge -k ts "$T/a.key" "$T/b.key"
	assert_failure 2
	assert_output --partial "column ts is a tally column of a keyed stream"
}

@test "trace-diverge: gzip and zstd input, concatenated streams, standard input" {
	seq_file "$T/a" a b c d
	seq_file "$T/b" a c d
	trace-diverge -o "$T/want" "$T/a" "$T/b" || [ $? = 1 ]
	gzip -c "$T/a" >"$T/a.gz"
	zstd -q -c "$T/b" >"$T/b.zst"
	trace-diverge -o "$T/out" "$T/a.gz" "$T/b.zst" || [ $? = 1 ]
	assert_same "$T/want" "$T/out"
	trace-diverge -o "$T/out" - "$T/b" <"$T/a.gz" || [ $? = 1 ]
	assert_same "$T/want" "$T/out"
	# the same stream twice, concatenated with its header, is one stream
	cat "$T/a" "$T/a" >"$T/aa"
	{ cat "$T/a"; tail -n +2 "$T/a"; } >"$T/aa2"
	run trace-diverge "$T/aa" "$T/aa2"
	assert_success
}

@test "trace-diverge: of two bad inputs, the error reported is the first in comparison order, every run" {
	# 3,000 equal events; the reference has a bad line at 2,001, the
	# candidate at 1,001 (each found by its own reading thread)
	awk 'BEGIN { print "op\tlr\tts"; for (i = 1; i <= 3000; i++)
	    printf "op%d\t0x%x\t%d\n", i % 7, i % 13, i }' >"$T/a"
	awk 'NR == 2001 { $0 = $0 "\tx" } 1' "$T/a" >"$T/ra"
	awk 'NR == 1001 { $0 = $0 "\tx" } 1' "$T/a" >"$T/cb"
	for p in $(simd_paths); do
		export TRACE_TOOLS_SIMD=$p
		for i in 1 2 3 4 5 6 7 8 9 10; do
			run --separate-stderr trace-diverge "$T/ra" "$T/cb"
			assert_failure 2
			[ "$stderr" = "trace-diverge: $T/cb:1001: expected 3 fields, got 4" ]
			run --separate-stderr trace-diverge "$T/cb" "$T/ra"
			assert_failure 2
			[ "$stderr" = "trace-diverge: $T/cb:1001: expected 3 fields, got 4" ]
		done
		# --first stops at a divergence whose window ends before either
		# error: like cmp, it reads no further and reports none
		awk 'NR == 11 { $1 = "zz" } 1' OFS='\t' "$T/ra" >"$T/rd"
		for i in 1 2 3 4 5; do
			run --separate-stderr trace-diverge --first --window 100 --max-edits 10 "$T/rd" "$T/cb"
			assert_failure 1
			[ "$stderr" = "" ]
			[ "${lines[1]}" = "$(printf '\t\tchanged\t10\t1\t10\t1\t10\t10\tzz:0xa\top3:0xa')" ]
		done
		# without --first, the comparison goes on to the candidate's
		run --separate-stderr trace-diverge "$T/rd" "$T/cb"
		assert_failure 2
		[ "$stderr" = "trace-diverge: $T/cb:1001: expected 3 fields, got 4" ]
	done
}

@test "trace-diverge: exit 2 for bad input and usage, with the reason" {
	seq_file "$T/a" a b
	run trace-diverge "$T/a"
	assert_failure 2
	assert_output --partial "expected two inputs"
	run trace-diverge - -
	assert_failure 2
	run trace-diverge --window 10 "$T/a" "$T/a"
	assert_failure 2
	assert_output --partial "give --max-edits 4 or less"
	run trace-diverge --window 10 --max-edits 5 "$T/a" "$T/a"
	assert_failure 2
	run trace-diverge -f html "$T/a" "$T/a"
	assert_failure 2
	TRACE_TOOLS_SIMD=sse3 run --separate-stderr trace-diverge "$T/a" "$T/a"
	assert_failure 2
	[ "$output" = "" ]
	[ "$stderr" = "trace-diverge: TRACE_TOOLS_SIMD: unknown value 'sse3' (scalar, sse2 or avx2)" ]
	run trace-diverge --thread-map "$T/a" "$T/a" "$T/a"
	assert_failure 2
	assert_output --partial "give --by"
	run trace-diverge --by tid --thread-map "$T/a" "$T/a" "$T/a"
	assert_failure 2
	assert_output --partial "no column 'ref_tid'"
	run trace-diverge --by nosuch "$T/a" "$T/a"
	assert_failure 2
	assert_output --partial "no column 'nosuch'"
	run trace-diverge "$T/a" "$T/nonexistent"
	assert_failure 2
	printf 'op\tlr\tts\na\t0x1\n' >"$T/short"
	run trace-diverge "$T/a" "$T/short"
	assert_failure 2
	assert_output --partial "short:2: expected 3 fields, got 2"
	# fields counted on short and long lines, a tab at the very end;
	# read by either side
	printf 'op\tlr\tts\na\t0x1\t10\n' >"$T/ok"
	for bad in 'a\t0x1\t10\t' 'aaaaaaaaaaaaaaaaaaaa\t0x1\t10\t' \
	    'aaaaaaaaaaaa\tb\t0x1\t10' 'aaaaaaaaaaaaaaa\t'; do
		printf "op\tlr\tts\n$bad\n" >"$T/long"
		got=$(printf "$bad" | awk -F '\t' '{ print NF }')
		run trace-diverge "$T/long" "$T/ok"
		assert_failure 2
		assert_line "trace-diverge: $T/long:2: expected 3 fields, got $got"
		run trace-diverge "$T/ok" "$T/long"
		assert_failure 2
		assert_line "trace-diverge: $T/long:2: expected 3 fields, got $got"
	done
	printf 'op\tlr\ttid\na\t0x1\t\n' >"$T/notid"
	run trace-diverge --by tid "$T/a" "$T/notid"
	assert_failure 2
	assert_output --partial "notid:2: column tid: an event without a value"
	printf 'op\tlr\ttid\na\t0x1\t015\n' >"$T/tid"
	run trace-diverge --by tid "$T/tid" "$T/tid"
	assert_failure 2
	assert_output --partial "not a canonical integer"
	# a histogram is not a stream of events
	trace-key -a tid "$T/a" | trace-hist >"$T/h"
	printf 'op\tlr\tcount\ttid\na\t0x1\t2\t1:1,2:1\n' >"$T/h2"
	run trace-diverge --by tid "$T/h2" "$T/h2"
	assert_failure 2
	assert_output --partial "is a tally of several values"
	printf 'op\tlr\tcount\tts\na\t0x1\t2\t10..20\n' >"$T/h3"
	run trace-diverge "$T/h3" "$T/h3"
	assert_failure 2
	assert_output --partial "column ts: '10..20' is a tally of several values"
	printf 'op\tlr\tcount\na\t0x1\tx\n' >"$T/badcount"
	run trace-diverge "$T/badcount" "$T/badcount"
	assert_failure 2
	assert_output --partial "column count"
	# a failed run leaves no output file
	run trace-diverge -o "$T/none" "$T/a" "$T/short"
	assert_failure 2
	[ ! -e "$T/none" ]
}

@test "trace-diverge: memory stays flat from 100,000 to 2,000,000 events" {
	gen='awk -v n=$1 -v skip=$2 "BEGIN { print \"op\tlr\ttid\"; for (i = 0; i < n; i++) if (i % 10000 != skip) print \"op\" (i % 7) \"\t0x\" (i % 13) \"\t\" (1 + i % 3) }"'
	cmd="trace-diverge --by tid --window 2000 --max-edits 100 <(bash -c '$gen' _ \$1 -1) <(bash -c '$gen' _ \$1 5) | tail -1"
	small=$(maxrss "set -- 100000; $cmd >$T/small")
	large=$(maxrss "set -- 2000000; $cmd >$T/large")
	# every 10,000th event but the first is missing from the candidate
	grep -q 'deleted' "$T/large" || fail "no hunk found: $(cat "$T/large")"
	echo "peak RSS: $small KB at 100k events, $large KB at 2M" >&3
	[ "$large" -lt $((small * 3 / 2)) ] ||
	    fail "peak RSS grew from $small KB to $large KB"
}

@test "trace-diverge: a long stream parted every 10,000 events: every hunk, full windows, short lines, memory flat" {
	# lines of about 9 bytes: a 96 KB batch holds more rows than its
	# first array; the candidate lacks event 10000j+5 (j >= 1), so that
	# the queues hold full windows of 100,000 events
	gen='awk -v n=$1 -v skip=$2 "BEGIN { print \"op\tts\"; for (i = 0; i < n; i++) if (skip < 0 || i < 10000 || i % 10000 != skip) print \"k\" (i % 3) \"\t\" i }"'
	cmd="trace-diverge -k op <(bash -c '$gen' _ \$1 -1) <(bash -c '$gen' _ \$1 5)"
	small=$(maxrss "set -- 300000; $cmd >$T/small")
	large=$(maxrss "set -- 1500000; $cmd >$T/large")
	# one deleted event a hunk, at ref_pos 10000j+6, its ts 10000j+5
	awk -F'\t' 'NR > 1 { j++; if ($3 != "deleted" || $4 != 10000 * j + 6 ||
	    $5 != 1 || $6 != 10000 * j + 6 - j || $7 != 0 || $8 != 10000 * j + 5)
	    { print "row " NR ": " $0; bad = 1 } } END { if (j != 149) {
	    print j " hunks"; bad = 1 } exit bad }' "$T/large" ||
	    fail "$(head -3 "$T/large")"
	[ "$(tail -n +2 "$T/small" | wc -l)" -eq 29 ] ||
	    fail "$(wc -l <"$T/small") rows at 300,000 events"
	echo "peak RSS: $small KB at 300k events, $large KB at 1.5M" >&3
	[ "$large" -lt $((small * 3 / 2)) ] ||
	    fail "peak RSS grew from $small KB to $large KB"
}

@test "trace-diverge: --by with 40 threads read ahead at once: more huge-page regions than given, every hunk right" {
	# the reference holds each thread's 40,000 events in one block, the
	# candidate deals them round robin: the reference's queues all fill
	# at once, each past the ring size and the text chunks that move to
	# 2 MiB regions, 80 of them wanted where common/rd.c lists 32; those
	# past it take malloc's memory.  Thread t's candidate lacks its
	# (1000 t)th event: one deleted hunk a thread, nothing else.
	awk 'BEGIN { print "op\tlr\thandle\ttid\tts"
	    for (t = 1; t <= 40; t++) for (i = 1; i <= 40000; i++)
		printf "set\t0x%x\t0x10\t%d\t%d\n", 4096 + (i * 7 + t) % 97, t, i }' \
	    >"$T/ref.tsv"
	awk 'BEGIN { print "op\tlr\thandle\ttid\tts"
	    for (i = 1; i <= 40000; i++) for (t = 1; t <= 40; t++)
		if (i != 1000 * t)
			printf "set\t0x%x\t0x10\t%d\t%d\n", 4096 + (i * 7 + t) % 97, t, i }' \
	    >"$T/cand.tsv"
	run trace-diverge --by tid "$T/ref.tsv" "$T/cand.tsv"
	[ "$status" -eq 1 ] || fail "exit $status: $(echo "$output" | head -3)"
	echo "$output" | awk -F'\t' 'NR > 1 { n++; t = $1; i = 1000 * t
	    k = sprintf("set:0x%x", 4096 + (i * 7 + t) % 97)
	    if ($2 != t || $3 != "deleted" || $4 != i || $5 != 1 ||
	    $6 != i - 1 || $7 != 0 || $8 != i || $10 != k || seen[t]++) {
	    print "row " NR ": " $0; bad = 1 } }
	    END { if (n != 40) { print n " rows"; bad = 1 } exit bad }' ||
	    fail "$(echo "$output" | head -5)"
}
