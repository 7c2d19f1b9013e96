#!/usr/bin/env bats
# trace-hist: grouping, tallies, order, merging, wrong input.
load helper

keyed() {
	printf 'op\tlr\tcount\ttid\thandle\tts\n'
	printf 'set\t0x00000010\t1\t10\t0x0000000a\t5\n'
	printf 'set\t0x00000010\t1\t9\t0x00000009\t3\n'
	printf 'release\t0x00000009\t1\t15\t0x0000104c\t7\n'
	printf 'set\t0x00000010\t1\t10\t0x0000000a\t9\n'
	printf 'release\t0x00000009\t1\t15\t\t1\n'
	printf 'set\t0x00000009\t1\t2\t0x00000001\t4\n'
	printf 'set\t0x00000009\t1\t2\t0x00000001\t4\n'
}

@test "groups by key, sums counts, tallies tids and handles, ts range" {
	keyed > "$T/k"
	run trace-hist "$T/k"
	assert_success
	assert_output "$(printf 'op\tlr\tcount\ttid\thandle\tts
set\t0x00000010\t3\t9:1,10:2\t0x00000009:1,0x0000000a:2\t3..9
release\t0x00000009\t2\t15:2\t0x0000104c:1\t1..7
set\t0x00000009\t2\t2:2\t0x00000001:2\t4..4')"
}

@test "--sort key orders by key columns, numbers numerically" {
	keyed > "$T/k"
	run trace-hist --sort key "$T/k"
	assert_success
	assert_line --index 1 "$(printf 'release\t0x00000009\t2\t15:2\t0x0000104c:1\t1..7')"
	assert_line --index 2 "$(printf 'set\t0x00000009\t2\t2:2\t0x00000001:2\t4..4')"
	assert_line --index 3 "$(printf 'set\t0x00000010\t3\t9:1,10:2\t0x00000009:1,0x0000000a:2\t3..9')"
}

@test "ties in count are ordered by key, 9 before 10" {
	printf 'k\tcount\n10\t1\n9\t1\nb\t1\na\t1\n-3\t1\n' > "$T/k"
	run trace-hist "$T/k"
	assert_output "$(printf 'k\tcount\n-3\t1\n9\t1\n10\t1\na\t1\nb\t1')"
}

@test "tally kinds are chosen per column" {
	keyed > "$T/k"
	run trace-hist -t tid=distinct -t ts=counts -t handle=range "$T/k"
	assert_failure 2
	run trace-hist -t tid=distinct -t ts=counts "$T/k"
	assert_success
	assert_line --index 1 "$(printf 'set\t0x00000010\t3\t9,10\t0x00000009:1,0x0000000a:2\t3:1,5:1,9:1')"
	run trace-hist -t tid=bogus "$T/k"
	assert_failure 2
	run --separate-stderr trace-hist -t nope=counts "$T/k"
	assert_failure 2
	[ "$stderr" = "trace-hist: $T/k:1: no column 'nope' (columns: op, lr, count, tid, handle, ts)" ]
}

@test "weighted rows and explicit tallies merge by summing" {
	printf 'op\tcount\ttid\nset\t5\t3\nset\t2\t3:1,4:1\nset\t1\t\n' > "$T/k"
	run trace-hist "$T/k"
	assert_output "$(printf 'op\tcount\ttid\nset\t8\t3:6,4:1')"
}

@test "%-encoded values stay intact through grouping" {
	printf 'op\tcount\tfn\nset\t1\tXEvent%%3a%%3aSet\nset\t1\ta%%2cb\n' > "$T/k"
	run trace-hist "$T/k"
	assert_output "$(printf 'op\tcount\tfn\nset\t2\tXEvent%%3a%%3aSet:1,a%%2cb:1')"
}

@test "hist(A+B) equals hist(hist(A)+hist(B)) for several splits" {
	trace-normalize -q -s "$EX/xenia/canary.schema" "$DATA/parity/canary.jsonl" |
	    trace-key > "$T/k"
	trace-hist "$T/k" > "$T/want"
	n=$(($(wc -l < "$T/k") - 1))
	for cut in 0 1 $((n / 3)) $((n / 2)) $((n - 1)) $n; do
		head -1 "$T/k" > "$T/a"
		head -1 "$T/k" > "$T/b"
		tail -n +2 "$T/k" | head -n "$cut" >> "$T/a"
		tail -n +2 "$T/k" | tail -n +"$((cut + 1))" >> "$T/b"
		trace-hist "$T/a" > "$T/ha"
		trace-hist "$T/b" > "$T/hb"
		# as two operands, and as one concatenated stream
		trace-hist "$T/ha" "$T/hb" > "$T/got"
		assert_same "$T/want" "$T/got"
		cat "$T/ha" "$T/hb" | trace-hist > "$T/got"
		assert_same "$T/want" "$T/got"
	done
	# three-way, out of order
	sed -n '1p;2,400p' "$T/k" | trace-hist > "$T/h1"
	sed -n '1p;401,900p' "$T/k" | trace-hist > "$T/h2"
	sed -n '1p;901,$p' "$T/k" | trace-hist > "$T/h3"
	trace-hist "$T/h3" "$T/h1" "$T/h2" > "$T/got"
	assert_same "$T/want" "$T/got"
}

@test "output does not depend on input order, hash seed or locale" {
	trace-normalize -q -s "$EX/xenia/canary.schema" "$DATA/parity/canary.jsonl" |
	    trace-key > "$T/k"
	TRACE_TOOLS_HASH_SEED=1 trace-hist "$T/k" > "$T/a"
	{ head -1 "$T/k"; tail -n +2 "$T/k" | shuf --random-source=/dev/zero; } |
	    TRACE_TOOLS_HASH_SEED=2 LC_ALL=C.UTF-8 trace-hist > "$T/b"
	assert_same "$T/a" "$T/b"
	trace-hist "$T/k" > "$T/c"
	assert_same "$T/a" "$T/c"
}

@test "the seed's reference histogram: keys, counts, tid and handle sets" {
	trace-normalize -s "$EX/xenia/canary.schema" "$DATA/parity/canary.jsonl" |
	    trace-key | trace-hist --sort key |
	    awk -F '\t' 'NR > 1 {
		n = split($4, t, ","); s = ""
		for (i = 1; i <= n; i++) { sub(/:.*/, "", t[i]); s = s (i > 1 ? "," : "") t[i] }
		m = split($5, h, ","); r = ""
		for (i = 1; i <= m; i++) { sub(/:.*/, "", h[i]); r = r (i > 1 ? "," : "") h[i] }
		print $1 "\t" $2 "\t" $3 "\t" s "\t" r }' > "$T/got"
	assert_same "$DATA/parity/seed/canary-hist.tsv" "$T/got"
}

@test "the seed's reference histogram, recomputed by diff.py itself" {
	[ -f "$SEED_DIFF" ] || skip "seed script not present: $SEED_DIFF"
	python3 "$TOP/tests/seed-figures.py" "$SEED_DIFF" "$DATA/parity" --canary-hist > "$T/want"
	assert_same "$DATA/parity/seed/canary-hist.tsv" "$T/want"
}

@test "GNU parallel map/merge equals the single-pass histogram" {
	command -v parallel >/dev/null || skip "GNU parallel not installed"
	trace-normalize -q -s "$EX/xenia/canary.schema" "$DATA/parity/canary.jsonl" |
	    trace-key | trace-hist > "$T/want"
	# one file cut into blocks
	run "$EX/parallel/hist-parallel.sh" -j 2 "$EX/xenia/canary.schema" "$DATA/parity/canary.jsonl"
	assert_success
	echo "$output" > "$T/got"
	assert_same "$T/want" "$T/got"
	# several files, one compressed
	split -l 700 "$DATA/parity/canary.jsonl" "$T/part."
	gzip "$T/part.aa"
	run "$EX/parallel/hist-parallel.sh" -j 2 "$EX/xenia/canary.schema" "$T"/part.*
	assert_success
	echo "$output" > "$T/got"
	assert_same "$T/want" "$T/got"
}

@test "GNU parallel map/merge: a failed job fails the run, with no histogram" {
	command -v parallel >/dev/null || skip "GNU parallel not installed"
	split -l 700 "$DATA/parity/canary.jsonl" "$T/part."
	# a bad line in the middle of a piece: trace-normalize stops there,
	# trace-key and trace-hist succeed on what came before
	sed -i '3s/.*/{"op": "set", "lr": /' "$T/part.ab"
	run --separate-stderr "$EX/parallel/hist-parallel.sh" -j 2 "$EX/xenia/canary.schema" "$T"/part.*
	assert_failure 2
	assert_output ""
	run grep '^hist-parallel.sh:' <<< "$stderr"
	assert_output "hist-parallel.sh: localhost: $T/part.ab: failed (exit 2)"
	[[ "$stderr" == *"trace-normalize: $T/part.ab:3: "* ]]
	# one file, cut into blocks
	run --separate-stderr "$EX/parallel/hist-parallel.sh" "$EX/xenia/canary.schema" "$T/part.ab"
	assert_failure 2
	assert_output ""
	run grep '^hist-parallel.sh:' <<< "$stderr"
	assert_output "hist-parallel.sh: localhost: $T/part.ab block 1: failed (exit 2)"
	# a missing file
	run --separate-stderr "$EX/parallel/hist-parallel.sh" "$EX/xenia/canary.schema" "$T/part.aa" "$T/none"
	assert_failure 2
	assert_output ""
	[[ "$stderr" == *"hist-parallel.sh: localhost: $T/none: failed (exit 2)" ]]
}

@test "GNU parallel map/merge: usage errors" {
	HP=$EX/parallel/hist-parallel.sh
	usage="usage: hist-parallel.sh [-j jobs] [-S sshlogin] [--sshloginfile file] [--transfer | --remote-files] schema file..."
	run "$HP" --transfer "$EX/xenia/canary.schema" "$DATA/parity/canary.jsonl"
	assert_failure 2
	assert_output "hist-parallel.sh: --transfer needs -S or --sshloginfile
$usage"
	run "$HP" -S host1 --remote-files "$EX/xenia/canary.schema" host1:a.jsonl
	assert_failure 2
	assert_output "hist-parallel.sh: --remote-files takes the machines from the operands, not -S or --sshloginfile
$usage"
	run "$HP" --remote-files "$EX/xenia/canary.schema" a.jsonl
	assert_failure 2
	assert_output "hist-parallel.sh: --remote-files: 'a.jsonl' is not SSHLOGIN:PATH
$usage"
	run "$HP" -S host1,: --transfer "$EX/xenia/canary.schema" "$DATA/parity/canary.jsonl"
	assert_failure 2
	assert_output "hist-parallel.sh: --transfer maps on remote machines only; ':' (this machine) cannot be one
$usage"
	run "$HP" --transfer --remote-files "$EX/xenia/canary.schema" h:a
	assert_failure 2
	assert_output "hist-parallel.sh: --transfer and --remote-files exclude each other
$usage"
	run "$HP" --bogus "$EX/xenia/canary.schema" a
	assert_failure 2
	assert_output "hist-parallel.sh: unknown option --bogus
$usage"
	run "$HP" "$EX/xenia/canary.schema"
	assert_failure 2
	assert_output "$usage"
	run "$HP" "$T/none.schema" a
	assert_failure 2
	assert_output "hist-parallel.sh: $T/none.schema: cannot read"
	run "$HP" -h
	assert_success
	assert_output "$usage"
}

@test "wrong input: no count column, a join file, mismatched headers" {
	printf 'op\tlr\ttid\nset\t0x00000001\t1\n' > "$T/ev"
	run --separate-stderr trace-hist "$T/ev"
	assert_failure 2
	[ "$stderr" = "trace-hist: $T/ev:1: no column 'count' (columns: op, lr, tid); expected a keyed stream from trace-key or a histogram from trace-hist" ]
	printf 'op\tlr\tstatus\tref_count\tcand_count\n' > "$T/join"
	run --separate-stderr trace-hist "$T/join"
	assert_failure 2
	[[ "$stderr" == *"(this looks like trace-join output)" ]]
	keyed > "$T/k"
	printf 'op\tlr\tcount\n' > "$T/k2"
	run --separate-stderr trace-hist "$T/k" "$T/k2"
	assert_failure 2
	[ "$stderr" = "trace-hist: $T/k2:1: columns (op, lr, count) differ from the first input's (op, lr, count, tid, handle, ts)" ]
	printf 'count\ttid\n1\t2\n' > "$T/nokey"
	run trace-hist "$T/nokey"
	assert_failure 2
}

@test "malformed cells and counts are errors with FILE:LINE" {
	printf 'op\tcount\ttid\nset\tx\t1\n' > "$T/a"
	run --separate-stderr trace-hist "$T/a"
	assert_failure 2
	[ "$stderr" = "trace-hist: $T/a:2: bad count 'x'" ]
	printf 'op\tcount\ttid\nset\t1\t3:x\n' > "$T/b"
	run --separate-stderr trace-hist "$T/b"
	assert_failure 2
	[ "$stderr" = "trace-hist: $T/b:2: column tid: bad count in tally entry '3:x'" ]
	printf 'op\tcount\tts\nset\t1\tabc\n' > "$T/c"
	run trace-hist "$T/c"
	assert_failure 2
	printf 'op\tcount\nset\t18446744073709551615\nset\t1\n' > "$T/d"
	run --separate-stderr trace-hist "$T/d"
	assert_failure 2
	[ "$stderr" = "trace-hist: $T/d:3: count overflows 64 bits" ]
	printf 'op\tcount\nset\n' > "$T/e"
	run trace-hist "$T/e"
	assert_failure 2
}

@test "empty input is an error; a header alone is an empty histogram" {
	: > "$T/empty"
	run trace-hist "$T/empty"
	assert_failure 2
	printf 'op\tcount\n' > "$T/h"
	run trace-hist "$T/h"
	assert_success
	assert_output "$(printf 'op\tcount')"
}

@test "usage and write errors" {
	run trace-hist --help
	assert_success
	[[ "$output" == "usage: trace-hist "* ]]
	run trace-hist --sort nope
	assert_failure 2
	keyed > "$T/k"
	run bash -c 'trace-hist "$1" > /dev/full' _ "$T/k"
	assert_failure 2
}

@test "-o follows a symbolic link and writes devices in place" {
	printf 'op\tcount\nset\t1\n' > "$T/k"
	echo old > "$T/target"
	ln -s "$T/target" "$T/link"
	run trace-hist -o "$T/link" "$T/k"
	assert_success
	[ -L "$T/link" ]
	[ "$(cat "$T/target")" = "$(printf 'op\tcount\nset\t1')" ]
	run trace-hist -o /dev/null "$T/k"
	assert_success
	[ -c /dev/null ]
	run bash -c 'trace-hist -o /dev/stdout "$1" | cat' _ "$T/k"
	assert_success
	assert_output "$(printf 'op\tcount\nset\t1')"
	[ -L /dev/stdout ] || [ -c /dev/stdout ]
}

@test "a different header inside one stream is named as such" {
	{ printf 'op\tcount\nset\t1\n'; printf 'op\tcount\tx\n'; } > "$T/k"
	run --separate-stderr trace-hist "$T/k"
	assert_failure 2
	[ "$stderr" = "trace-hist: $T/k:3: a header line that differs from the first one (op, count)" ]
}

# Three runs of one program, numbered by trace-normalize --set, keyed.
runs_keyed() {
	printf '{"op":"set","lr":1,"tid":4,"ts":10}\n{"op":"set","lr":1,"tid":4,"ts":20}\n{"op":"set","lr":2,"tid":5,"ts":30}\n' > "$T/r1"
	printf '{"op":"set","lr":1,"tid":4,"ts":11}\n{"op":"set","lr":2,"tid":5,"ts":35}\n{"op":"set","lr":2,"tid":6,"ts":36}\n' > "$T/r2"
	printf '{"op":"set","lr":1,"tid":4,"ts":9}\n{"op":"set","lr":1,"tid":7,"ts":25}\n' > "$T/r3"
	for i in 1 2 3; do
		trace-normalize -c op -c lr -c tid -c ts --set run=$i "$T/r$i"
	done | trace-key
}

@test "a run column is tallied as counts, and histograms of runs merge" {
	runs_keyed > "$T/k"
	run trace-hist "$T/k"
	assert_success
	assert_output "$(printf 'op\tlr\tcount\ttid\tts\trun
set\t0x00000001\t5\t4:4,7:1\t9..25\t1:2,2:1,3:2
set\t0x00000002\t3\t5:2,6:1\t30..36\t1:1,2:2')"
	trace-hist "$T/k" > "$T/want"
	# hist(A+B) = hist(hist(A)+hist(B)), split between runs and inside one
	for cut in 2 3 4 6; do
		head -n "$cut" "$T/k" > "$T/a"
		{ head -1 "$T/k"; tail -n +"$((cut + 1))" "$T/k"; } > "$T/b"
		trace-hist "$T/a" > "$T/ha"
		trace-hist "$T/b" > "$T/hb"
		cat "$T/ha" "$T/hb" | trace-hist > "$T/got"
		assert_same "$T/want" "$T/got"
		trace-hist "$T/hb" "$T/ha" > "$T/got"
		assert_same "$T/want" "$T/got"
	done
	# one histogram per run, merged
	for i in 1 2 3; do
		trace-normalize -c op -c lr -c tid -c ts --set run=$i "$T/r$i" | trace-key | trace-hist > "$T/h$i"
	done
	cat "$T/h3" "$T/h1" "$T/h2" | trace-hist > "$T/got"
	assert_same "$T/want" "$T/got"
}

@test "tid: a name or a canonical integer, in every tool as in --check" {
	# 015 and 15 would count as two threads: every tool refuses 015.
	for t in 015 -0 +3 007; do
		printf 'op\tlr\ttid\nset\t0x00000001\t%s\n' "$t" > "$T/ev"
		run --separate-stderr trace-normalize --check "$T/ev"
		assert_failure 1
		run --separate-stderr trace-key "$T/ev"
		assert_failure 2
		[ "$stderr" = "trace-key: $T/ev:2: column tid: tid '$t' is not a canonical integer (no '+', no leading zeros, no -0)" ]
		printf 'op\tlr\tcount\ttid\nset\t0x00000001\t2\t7:1,%s:1\n' "$t" > "$T/h"
		run --separate-stderr trace-hist "$T/h"
		assert_failure 2
		[ "$stderr" = "trace-hist: $T/h:2: column tid: tid '$t' is not a canonical integer (no '+', no leading zeros, no -0)" ]
		printf 'op\tlr\tstatus\tr_count\tc_count\tratio\tunder\tr_tid\tc_tid\nset\t0x00000001\tmissing\t2\t0\t0.000000\tno\t7:1,%s:1\t\n' "$t" > "$T/j"
		run --separate-stderr trace-report "$T/j"
		assert_failure 2
		[ "$stderr" = "trace-report: $T/j:2: column r_tid: tid '$t' is not a canonical integer (no '+', no leading zeros, no -0)" ]
	done
	# Names and canonical integers pass through all of them.
	printf 'op\tlr\ttid\nset\t0x00000001\tmain\nset\t0x00000001\t-7\nset\t0x00000001\t0\nset\t0x00000001\t-\n' > "$T/ev"
	trace-normalize --check "$T/ev"
	trace-key "$T/ev" | trace-hist > "$T/h"
	[ "$(cut -f4 "$T/h" | tail -1)" = "-7:1,0:1,-:1,main:1" ]
	trace-join --names r,c "$T/h" "$T/h" | trace-report -f json | jq -e '.groups.rows | length == 4'
}

@test "tbin (trace-key --timeline) is tallied as counts; timelines merge and join" {
	printf 'op\tlr\tts\nset\t0x1\t1999\nset\t0x1\t2000\nset\t0x1\t2500\nset\t0x2\t-1\nset\t0x1\t\n' |
	    trace-key -a ts --timeline 1000 > "$T/k"
	run trace-hist "$T/k"
	assert_success
	assert_output "$(printf 'op\tlr\tcount\tts\ttbin
set\t0x1\t4\t1999..2500\t1000:1,2000:2
set\t0x2\t1\t-1..-1\t-1000:1')"
	# hist(A+B) = hist(hist(A)+hist(B)) with tbin tallies
	trace-normalize -q -s "$EX/xenia/canary.schema" "$DATA/parity/canary.jsonl" |
	    trace-key -a tid --timeline 1000000 > "$T/k"
	trace-hist "$T/k" > "$T/want"
	[ "$(head -1 "$T/want")" = "$(printf 'op\tlr\tcount\ttid\ttbin')" ]
	grep -q '	278000000:[0-9]*,279000000:[0-9]*,' "$T/want"
	n=$(($(wc -l < "$T/k") - 1))
	for cut in 1 $((n / 3)) $((n / 2)) $((n - 1)); do
		head -1 "$T/k" > "$T/a"
		head -1 "$T/k" > "$T/b"
		tail -n +2 "$T/k" | head -n "$cut" >> "$T/a"
		tail -n +2 "$T/k" | tail -n +"$((cut + 1))" >> "$T/b"
		trace-hist "$T/a" > "$T/ha"
		trace-hist "$T/b" > "$T/hb"
		trace-hist "$T/hb" "$T/ha" > "$T/got"
		assert_same "$T/want" "$T/got"
	done
	# trace-join carries the tbin tallies of both sides unchanged
	trace-normalize -q -s "$EX/xenia/ours.schema" "$DATA/parity/ours-iat.jsonl" \
	    "$DATA/parity/ours-lr.jsonl" | trace-key -a tid --timeline 1000000 |
	    trace-hist > "$T/ours"
	trace-join "$T/want" "$T/ours" > "$T/j"
	[ "$(head -1 "$T/j")" = "$(printf 'op\tlr\tstatus\tref_count\tcand_count\tratio\tunder\tref_tid\tref_tbin\tcand_tid\tcand_tbin')" ]
	awk -F '\t' 'NR > 1 && $4 > 0 { print $1 "\t" $2 "\t" $4 "\t" $8 "\t" $9 }' "$T/j" | sort > "$T/got"
	tail -n +2 "$T/want" | sort > "$T/ref"
	assert_same "$T/ref" "$T/got"
	awk -F '\t' 'NR > 1 && $5 > 0 { print $1 "\t" $2 "\t" $5 "\t" $10 "\t" $11 }' "$T/j" | sort > "$T/got"
	tail -n +2 "$T/ours" | sort > "$T/cand"
	assert_same "$T/cand" "$T/got"
	cut -f 5 "$T/cand" | grep -q '^1000000:[0-9]*,2000000:[0-9]*'
	grep -q matched "$T/j"
}

# A key's tally holds its first value in place and moves to a table at
# the second; counts survive each move and the table's growth.
@test "tallies: one value, then two, then many, counts kept" {
	{
		printf 'op\tcount\ttid\n'
		printf 'a\t5\t1\na\t3\t2\na\t2\t1\nb\t4\t9\n'
		for t in 3 4 5 6 7 8 9 10; do printf 'a\t1\t%s\n' "$t"; done
		printf 'a\t1\t2\nb\t1\t9\n'
	} > "$T/k"
	run trace-hist "$T/k"
	assert_success
	assert_output "$(printf 'op\tcount\ttid\na\t19\t1:7,2:4,3:1,4:1,5:1,6:1,7:1,8:1,9:1,10:1\nb\t5\t9:5')"
}

# The output order is radix-sorted on an encoding of count and key
# columns: a shared leading column is left out, numbers of every sign
# and spelling, names that share 30 bytes (sorted again past them), a
# count part of two bytes.
@test "order: numbers, names with a long shared start, counts far apart" {
	{
		printf 'op\tname\tcount\ttid\n'
		for n in -5 -0 0 010 10 0xa 9 18446744073709551615 0x10000000000 \
		    -18446744073709551615 -1 a b frame_aaaaaaaaaaaaaaaaaaaaaaaaaaaa_1 \
		    frame_aaaaaaaaaaaaaaaaaaaaaaaaaaaa_10 \
		    frame_aaaaaaaaaaaaaaaaaaaaaaaaaaaa_2 \
		    frame_aaaaaaaaaaaaaaaaaaaaaaaaaaaa 'x y' 1x; do
			printf 'set\t%s\t1\t1\n' "$n"
		done
		printf 'set\t9\t300\t1\nset\ta\t299\t2\n'
	} > "$T/k"
	run trace-hist "$T/k"
	assert_success
	assert_output "$(printf 'op\tname\tcount\ttid
set\t9\t301\t1:301
set\ta\t300\t1:1,2:299
set\t-18446744073709551615\t1\t1:1
set\t-5\t1\t1:1
set\t-1\t1\t1:1
set\t-0\t1\t1:1
set\t0\t1\t1:1
set\t010\t1\t1:1
set\t0xa\t1\t1:1
set\t10\t1\t1:1
set\t0x10000000000\t1\t1:1
set\t18446744073709551615\t1\t1:1
set\t1x\t1\t1:1
set\tb\t1\t1:1
set\tframe_aaaaaaaaaaaaaaaaaaaaaaaaaaaa\t1\t1:1
set\tframe_aaaaaaaaaaaaaaaaaaaaaaaaaaaa_1\t1\t1:1
set\tframe_aaaaaaaaaaaaaaaaaaaaaaaaaaaa_10\t1\t1:1
set\tframe_aaaaaaaaaaaaaaaaaaaaaaaaaaaa_2\t1\t1:1
set\tx y\t1\t1:1')"
	run trace-hist --sort key "$T/k"
	assert_success
	assert_line --index 1 "$(printf 'set\t-18446744073709551615\t1\t1:1')"
	assert_line --index 6 "$(printf 'set\t9\t301\t1:301')"
	assert_line --index 13 "$(printf 'set\ta\t300\t1:1,2:299')"
}

# Bytes 0x00 and 0x01 in a key are escaped in the sort's encoding: they
# sort below every other byte, a shorter key first.
@test "order: keys with bytes 0x00, 0x01 and 0x02" {
	printf 'k\tcount\na\001\t1\na\t1\na\002\t1\na\000b\t1\na\000\t1\na\001\001\t1\n' > "$T/k"
	run trace-hist "$T/k"
	assert_success
	printf 'k\tcount\na\t1\na\000\t1\na\000b\t1\na\001\t1\na\001\001\t1\na\002\t1\n' > "$T/want"
	trace-hist "$T/k" > "$T/got"
	assert_same "$T/want" "$T/got"
}

# Past 24576 keys rows are read in batches: a long key between short
# ones, repeated across batches, and a bad row after it named by its
# line; before that, row by row.
@test "rows of 64 KiB and more group with the rest; errors keep their line" {
	long=$(head -c 70000 /dev/zero | tr '\0' 'x')
	for n in 10 60000; do
		{
			printf 'op\tcount\ttid\n'
			awk -v n=$n 'BEGIN { for (i = 1; i <= n; i++) print "k" i "\t1\t1" }'
			for i in $(seq 1 40); do printf 'a\t1\t1\n'; done
			printf '%s\t2\t3\n' "$long"
			for i in $(seq 1 40); do printf 'b\t1\t2\n'; done
			printf '%s\t1\t3\n' "$long"
			printf 'a\t1\t1\n'
		} > "$T/k"
		trace-hist "$T/k" > "$T/h"
		[ "$(wc -l < "$T/h")" -eq $((n + 4)) ]
		assert_equal "$(head -4 "$T/h" | cut -c 1-12)" "$(printf 'op\tcount\ttid\na\t41\t1:41\nb\t40\t2:40\nxxxxxxxxxxxx')"
		assert_equal "$(sed -n 4p "$T/h" | cut -f 2-)" "$(printf '3\t3:3')"
		assert_equal "$(sed -n 5p "$T/h")" "$(printf 'k1\t1\t1:1')"
		[ "$(grep -c "$(printf '^k[0-9]*\t1\t1:1$')" "$T/h")" -eq $n ]
		printf 'a\t1\n' >> "$T/k"
		run trace-hist "$T/k"
		assert_failure 2
		assert_output "trace-hist: $T/k:$((n + 85)): expected 3 fields, got 2"
	done
}

# A row that starts as an earlier one did (key, count, the cells before
# ts) adds to the counts that row found, while they stay where they
# are: a key's second thread moves its counts to a table, more keys move
# every record, a count past 2^32 leaves its word.  Each case repeats
# the rows that were there before the move.
@test "repeated rows: counts kept when a key's tally grows, keys grow, counts pass 2^32" {
	{
		printf 'op\tcount\ttid\thandle\tts\n'
		for i in 1 2 3; do printf 'a\t1\t7\th1\t%d\n' $i; done
		printf 'a\t1\t8\th1\t9\n'
		for i in 1 2 3; do printf 'a\t1\t7\th1\t%d\n' $i; done
		printf 'a\t1\t7\th2\t9\n'
		for i in 1 2; do printf 'a\t1\t7\th1\t5\n'; done
	} > "$T/k"
	run trace-hist "$T/k"
	assert_success
	assert_output "$(printf 'op\tcount\ttid\thandle\tts\na\t10\t7:9,8:1\th1:9,h2:1\t1..9')"
	# 3000 keys, each seen four times, one round after another: the
	# records move twice during the first round
	awk 'BEGIN { print "op\tcount\ttid\tts"
	    for (r = 0; r < 4; r++) for (i = 0; i < 3000; i++)
		print "k" i "\t1\t7\t" r }' > "$T/k"
	trace-hist "$T/k" > "$T/h"
	[ "$(wc -l < "$T/h")" -eq 3001 ]
	[ "$(grep -c "$(printf '^k[0-9]*\t4\t7:4\t0..3$')" "$T/h")" -eq 3000 ]
	printf 'op\tcount\ttid\n' > "$T/k"
	for i in 1 2 3; do printf 'a\t3000000000\t7\n'; done >> "$T/k"
	run trace-hist "$T/k"
	assert_output "$(printf 'op\tcount\ttid\na\t9000000000\t7:9000000000')"
}

# Repeated rows add their counts to their key later, in one sum; a count
# that overflows must still be caught at the row that makes it, before
# or after such rows, and through a second input.
@test "repeated rows then a count that overflows: the error names its line" {
	big=18446744073709551613	# 2^64 - 3
	{
		printf 'op\tcount\ttid\tts\n'
		for i in 1 2 3; do printf 'set\t1\t1234\t%d\n' $i; done
		printf 'get\t1\t1234\t1\n'
		printf 'set\t%s\t1234\t4\n' $big
	} > "$T/k"
	run --separate-stderr trace-hist "$T/k"
	assert_failure 2
	[ "$stderr" = "trace-hist: $T/k:6: count overflows 64 bits" ]
	{
		printf 'op\tcount\ttid\tts\n'
		printf 'set\t%s\t1234\t4\n' $big
		for i in 1 2 3 4; do printf 'set\t1\t1234\t%d\n' $i; done
	} > "$T/k"
	run --separate-stderr trace-hist "$T/k"
	assert_failure 2
	[ "$stderr" = "trace-hist: $T/k:5: count overflows 64 bits" ]
	{
		printf 'op\tcount\ttid\tts\n'
		for i in 1 2 3; do printf 'set\t1\t1234\t%d\n' $i; done
	} > "$T/k1"
	printf 'op\tcount\ttid\tts\nset\t%s\t1234\t4\n' $big > "$T/k2"
	run --separate-stderr trace-hist "$T/k1" "$T/k2"
	assert_failure 2
	[ "$stderr" = "trace-hist: $T/k2:2: count overflows 64 bits" ]
	# one less fits: the sums are exact
	printf 'op\tcount\ttid\tts\nset\t%s\t1234\t4\n' 18446744073709551612 > "$T/k2"
	run trace-hist "$T/k1" "$T/k2"
	assert_success
	assert_output "$(printf 'op\tcount\ttid\tts\nset\t18446744073709551615\t1234:18446744073709551615\t1..4')"
}

# Values are interned through a memo of 1024 entries that holds a value
# of up to 16 bytes whole: values that differ in one byte, at every
# length from 1 to 20, many more than it holds, each tallied right.
@test "many values of every length, differing in one byte, counted apart" {
	awk 'BEGIN { print "op\tcount\thandle"
	    abc = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    for (r = 0; r < 3; r++) for (n = 1; n <= 20; n++)
		for (c = 0; c < 150; c++) {
			v = ""
			for (i = 1; i <= n; i++)
				v = v (i == int((n + 1) / 2) ? substr(abc, c % 62 + 1, 1) : "x")
			print "k" (c % 2) "\t1\t" v "@" c % 3
		} }' > "$T/k"
	trace-hist "$T/k" > "$T/h"
	# per key, each distinct value (by awk) counted as often as it came
	tail -n +2 "$T/k" | awk -F '\t' '{ n[$1 "\t" $3]++ } END {
	    for (x in n) print x "\t" n[x] }' | LC_ALL=C sort > "$T/want"
	tail -n +2 "$T/h" | awk -F '\t' '{ m = split($3, e, ",")
	    for (i = 1; i <= m; i++) { j = match(e[i], /:[0-9]+$/)
		print $1 "\t" substr(e[i], 1, j - 1) "\t" substr(e[i], j + 1) } }' |
	    LC_ALL=C sort > "$T/got"
	assert_same "$T/want" "$T/got"
	[ "$(wc -l < "$T/got")" -eq 3000 ]
}

# A row whose cells hold %-escapes or separators takes the full parse;
# the same value written plainly and escaped are one value.
@test "cells with %-escapes and lists between plain rows of the same key" {
	{
		printf 'op\tcount\ttid\thandle\tts\n'
		printf 'a\t1\t7\th%%3a1\t1\n'
		printf 'a\t1\t7\th%%3a1\t2\n'
		printf 'a\t3\t7:2,8:1\th%%3A1:3\t3..4\n'
		printf 'a\t1\t7\th%%3a1\t5\n'
		printf 'a\t1\t7\th%%2c1\t6\n'
		printf 'a\t1\t7\th%%2c1\t6\n'
		printf 'b\t1\t%%25\th\t-2\n'
		printf 'b\t1\t%%25\th\t-2\n'
	} > "$T/k"
	run trace-hist "$T/k"
	assert_success
	assert_output "$(printf 'op\tcount\ttid\thandle\tts\na\t8\t7:7,8:1\th%%2c1:2,h%%3A1:3,h%%3a1:3\t1..6\nb\t2\t%%25:2\th:2\t-2..-2')"
	printf 'a\t1\t7\th%%3b1\t7\n' >> "$T/k"
	run trace-hist "$T/k"
	assert_failure 2
	assert_output "trace-hist: $T/k:10: column handle: bad %-encoding in tally value 'h%3b1' (only %25, %2c and %3a)"
}

# Rows are split by masks of 64 bytes at a time, made by AVX2, SSE2 or
# byte by byte (TRACE_TOOLS_SIMD): with each, keys with raw '%', ',' and
# ':' and values with %-escapes put tabs, newlines and bytes to encode at
# every offset of a piece, some rows end in "\r\n", some are longer than
# 2 KiB; each key has one value, so the histogram is counted by awk.
@test "each SIMD path splits rows alike, bytes to encode at every offset" {
	awk 'function str(n, s, i) {
		s = ""
		for (i = 0; i < n; i++)
			s = s substr("abc%,:xyz", 1 + (i * 7 + n) % \
			    (n % 3 ? 9 : 6), 1)
		return s
	}
	BEGIN {
		split("x %3a %2c %25 yy", tok, " ")
		print "k\tcount\tv\tts"
		for (i = 0; i < 1500; i++) {
			j = i % 101
			k = "k" str(j % 67) (j % 29 == 3 ? str(2300 + j) : "") \
			    "/" j
			v = ""
			for (t = 0; t < j % 8; t++)
				v = v tok[1 + (j + t) % 5]
			printf "%s\t%d\t%s\t%d%s\n", k, 1 + i % 3, v, i,
			    i % 9 == 4 ? "\r" : ""
		}
	}' > "$T/keyed"
	{
		printf 'k\tcount\tv\tts\n'
		awk -F'\t' -v OFS='\t' 'NR > 1 {
			sub(/\r$/, "")
			c[$1] += $2
			v[$1] = $3
			if (!($1 in lo))
				lo[$1] = $4
			hi[$1] = $4
		}
		END {
			for (k in c)
				print k, c[k], v[k] == "" ? "" : v[k] ":" c[k],
				    lo[k] ".." hi[k]
		}' "$T/keyed" | LC_ALL=C sort
	} > "$T/want"
	awk 'NR == 1200 { sub(/\t[0-9]+\r?$/, "") } 1' "$T/keyed" > "$T/short"
	for p in $(simd_paths); do
		TRACE_TOOLS_SIMD=$p trace-hist --sort key "$T/keyed" > "$T/out.$p"
		cmp "$T/want" "$T/out.$p"
		TRACE_TOOLS_SIMD=$p run trace-hist "$T/short"
		assert_failure 2
		assert_output "trace-hist: $T/short:1200: expected 4 fields, got 3"
	done
	# an unknown path is an error before any output, even on no rows
	head -n 1 "$T/keyed" > "$T/hdr"
	for f in "$T/keyed" "$T/hdr"; do
		TRACE_TOOLS_SIMD=sse3 run --separate-stderr trace-hist -o "$T/h.out" "$f"
		assert_failure 2
		[ ! -e "$T/h.out" ]
		[ "$stderr" = "trace-hist: TRACE_TOOLS_SIMD: unknown value 'sse3' (scalar, sse2 or avx2)" ]
	done
}

@test "each SIMD path: rows of every length and offset, a cell after the range" {
	# Rows of 15 to 90 bytes, so that they start at every offset of the
	# pieces of 64 bytes, cross them and the pieces classified at once;
	# the rows of a key repeat but for ts, so the row memo takes most;
	# a cell after the range; a header again; "\r" on some rows.
	awk 'BEGIN {
		pad = "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz0123"
		print "k\tcount\ttid\tts\tnote"
		for (i = 0; i < 4000; i++) {
			j = i % 41
			printf "k%d%s\t%d\t%d\t%d\tn%d%s%s\n", j,
			    substr(pad, 1, (j * 13) % 20), 1 + (i % 7 == 0),
			    j % 5, i * 997 % 100003 - 50000, j,
			    substr(pad, 1, (j * 29) % 56),
			    i % 9 == 4 ? "\r" : ""
			if (i == 2500)
				print "k\tcount\ttid\tts\tnote"
		}
	}' > "$T/keyed"
	{
		printf 'k\tcount\ttid\tts\tnote\n'
		awk -F'\t' -v OFS='\t' 'NR > 1 && $2 != "count" {
			sub(/\r$/, "")
			c[$1] += $2
			t[$1] = $3
			n[$1] = $5
			if (!($1 in lo) || $4 < lo[$1])
				lo[$1] = $4
			if (!($1 in hi) || $4 > hi[$1])
				hi[$1] = $4
		}
		END {
			for (k in c)
				print k, c[k], t[k] ":" c[k], lo[k] ".." hi[k],
				    n[k] ":" c[k]
		}' "$T/keyed" | LC_ALL=C sort
	} > "$T/want"
	# a short row with a field too many, one with one too few, a bad
	# count in a row the memo has seen but for its count, each late
	awk 'NR == 3001 { sub(/\tn/, "\t\tn") } 1' "$T/keyed" > "$T/more"
	awk 'NR == 3002 { sub(/\tn[0-9a-z]*\r?$/, "") } 1' "$T/keyed" > "$T/less"
	awk 'NR == 3003 { sub(/\t1\t/, "\t1x\t") } 1' "$T/keyed" > "$T/count"
	for p in $(simd_paths); do
		TRACE_TOOLS_SIMD=$p trace-hist --sort key "$T/keyed" > "$T/out.$p"
		cmp "$T/want" "$T/out.$p"
		for e in "more:3001: expected 5 fields, got 6" \
		    "less:3002: expected 5 fields, got 4" \
		    "count:3003: bad count '1x'"; do
			TRACE_TOOLS_SIMD=$p run trace-hist "$T/${e%%:*}"
			assert_failure 2
			assert_output "trace-hist: $T/$e"
		done
	done
}

# With many keys (from about 24,600 on) rows are taken in batches, looked
# at ahead in stages (the key, its record, its value maps) before each is
# added in turn: the sums are those of one row at a time, and an error
# names its row, wherever it falls in a batch.
@test "many keys with several threads each: rows looked at ahead are added as one at a time" {
	python3 - "$T" <<'PY'
import random, sys
d = sys.argv[1]
rnd = random.Random(5)
rows = []
for k in range(30000):
    for t in rnd.sample(range(1, 40), rnd.randint(1, 6)):
        rows += [(k, t, rnd.randint(1, 9))] * rnd.randint(1, 3)
rnd.shuffle(rows)
exp = {}
with open(d + "/k", "w") as f:
    f.write("op\tlr\tcount\ttid\thandle\tts\n")
    for i, (k, t, c) in enumerate(rows):
        f.write("Op\t0x%x\t%d\t%d\t0x%x\t%d\n" % (0x1000 + 4 * k, c, t, t % 3, i))
        e = exp.setdefault(k, [0, {}, {}, i, i])
        e[0] += c
        e[1][t] = e[1].get(t, 0) + c
        e[2][t % 3] = e[2].get(t % 3, 0) + c
        e[4] = i
with open(d + "/want", "w") as f:
    for k in sorted(exp):
        c, tt, hh, lo, hi = exp[k]
        f.write("Op\t0x%x\t%d\t%s\t%s\t%d..%d\n" % (0x1000 + 4 * k, c,
            ",".join("%d:%d" % x for x in sorted(tt.items())),
            ",".join("0x%x:%d" % x for x in sorted(hh.items())), lo, hi))
PY
	trace-hist --sort key "$T/k" > "$T/h"
	# each tally's entries in value order, as the expectation has them:
	# tids as numbers, handles (0x0..0x2) as text
	awk -F '\t' -v OFS='\t' '
	function order(c, num,    n, e, i, j, t, s) {
		n = split($c, e, ",")
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && (num ? e[j - 1] + 0 > e[j] + 0 : e[j - 1] > e[j]); j--) {
				t = e[j]; e[j] = e[j - 1]; e[j - 1] = t
			}
		for (i = 1; i <= n; i++)
			s = s (i > 1 ? "," : "") e[i]
		$c = s
	}
	NR > 1 { order(4, 1); order(5, 0); print }' "$T/h" > "$T/got"
	assert_same "$T/want" "$T/got"
	[ "$(wc -l < "$T/want")" -eq 30000 ]
	# a short row, and a count that overflows, late in the input: the
	# error names that row
	n=$(wc -l < "$T/k")
	for at in $((n - 1000)) $((n - 17)); do
		awk -v at="$at" 'NR == at { print "Op\t0x1000\t1\t7"; next } { print }' "$T/k" > "$T/bad"
		run --separate-stderr trace-hist "$T/bad"
		assert_failure 2
		[ "$stderr" = "trace-hist: $T/bad:$at: expected 6 fields, got 4" ] || fail "$stderr"
		awk -v at="$at" 'NR == at { $3 = "18446744073709551615" } { print }' OFS='\t' "$T/k" > "$T/bad"
		run --separate-stderr trace-hist "$T/bad"
		assert_failure 2
		[ "$stderr" = "trace-hist: $T/bad:$at: count overflows 64 bits" ] || fail "$stderr"
	done
}

# In a batch a key's slot is found by its 32-bit hash alone, and its
# bytes compared once fetched: two keys of the same hash (SipHash-1-3
# under TRACE_TOOLS_HASH_SEED=1, checked here) each keep their counts;
# a header line there (histograms concatenated) is skipped.
@test "many keys: two keys of the same 32-bit hash in a batch keep their own counts" {
	python3 - "$T" <<'PY'
import sys
M = (1 << 64) - 1
def rotl(x, b):
    return ((x << b) | (x >> (64 - b))) & M
def siphash13(k0, k1, data):
    v = [k0 ^ 0x736f6d6570736575, k1 ^ 0x646f72616e646f6d,
        k0 ^ 0x6c7967656e657261, k1 ^ 0x7465646279746573]
    def rnd():
        v[0] = (v[0] + v[1]) & M; v[1] = rotl(v[1], 13) ^ v[0]; v[0] = rotl(v[0], 32)
        v[2] = (v[2] + v[3]) & M; v[3] = rotl(v[3], 16) ^ v[2]
        v[0] = (v[0] + v[3]) & M; v[3] = rotl(v[3], 21) ^ v[0]
        v[2] = (v[2] + v[1]) & M; v[1] = rotl(v[1], 17) ^ v[2]; v[2] = rotl(v[2], 32)
    n, i = len(data), 0
    while i + 8 <= n:
        m = int.from_bytes(data[i:i + 8], "little")
        v[3] ^= m; rnd(); v[0] ^= m; i += 8
    b = ((n << 56) & M) | int.from_bytes(data[i:], "little")
    v[3] ^= b; rnd(); v[0] ^= b; v[2] ^= 0xff
    rnd(); rnd(); rnd()
    return v[0] ^ v[1] ^ v[2] ^ v[3]
key = lambda k: "Op\t0x%x" % (0x1000 + 4 * k)
a, b = 11874, 131061
h = [siphash13(1, 1 ^ 0x736f6d6570736575, key(k).encode()) & 0xffffffff for k in (a, b)]
assert h[0] == h[1], h
with open(sys.argv[1] + "/k", "w") as f:
    f.write("op\tlr\tcount\ttid\n")
    for r in range(3):
        for k in range(30000):
            f.write("%s\t1\t%d\n" % (key(k), 1 + r))
    f.write("op\tlr\tcount\ttid\n")	# as cat h1 h2 has it
    f.write("%s\t1\t9\n" % key(b))
    for i in range(40):
        f.write("%s\t2\t%d\n%s\t3\t%d\n" % (key(a), 4 + i % 2, key(b), 7 + i % 3))
PY
	TRACE_TOOLS_HASH_SEED=1 trace-hist "$T/k" > "$T/h"
	[ "$(wc -l < "$T/h")" -eq 30002 ]
	assert_equal "$(grep "$(printf '^Op\t0x%x\t' $((0x1000 + 4 * 11874)))" "$T/h")" \
	    "$(printf 'Op\t0x%x\t83\t1:1,2:1,3:1,4:40,5:40' $((0x1000 + 4 * 11874)))"
	assert_equal "$(grep "$(printf '^Op\t0x%x\t' $((0x1000 + 4 * 131061)))" "$T/h")" \
	    "$(printf 'Op\t0x%x\t121\t7:42,8:39,9:40' $((0x1000 + 4 * 131061)))"
	[ "$(grep -c "$(printf '\t3\t1:1,2:1,3:1$')" "$T/h")" -eq 29999 ]
	# the rows classified byte by byte, 16 bytes at a time or 32
	for p in $(simd_paths); do
		TRACE_TOOLS_SIMD=$p TRACE_TOOLS_HASH_SEED=1 trace-hist "$T/k" > "$T/h2"
		cmp "$T/h" "$T/h2"
	done
}

@test "per-key thread maps: the heap is given huge pages, a run without maps is left alone" {
	command -v strace > /dev/null || skip "no strace"
	# (AddressSanitizer's allocator has no heap of brk(2) to advise)
	[ -z "${TRACE_TOOLS_SANITIZED:-}" ] || skip "sanitizer build: malloc is the sanitizer's"
	# 20,000 keys fired from two threads each: a map per key, and the
	# heap grows; one thread per key: no map at all
	awk 'BEGIN { print "op\tlr\tcount\ttid"
	    for (i = 0; i < 20000; i++) for (t = 1; t <= 2; t++)
	        printf "set\t0x%08x\t1\t%d\n", 4 * i, t }' > "$T/k2"
	awk 'BEGIN { print "op\tlr\tcount\ttid"
	    for (i = 0; i < 40000; i++) printf "set\t0x%08x\t1\t1\n", 4 * i }' > "$T/k1"
	strace -f -e trace=madvise -o "$T/s2" trace-hist -o "$T/h2" "$T/k2"
	strace -f -e trace=madvise -o "$T/s1" trace-hist -o "$T/h1" "$T/k1"
	# each growth of the heap (64 MiB at least) advised once
	run awk '/MADV_HUGEPAGE/ { split($0, a, ", "); if (a[2] + 0 >= 67108864) n++ }
	    END { print n + 0 }' "$T/s2"
	assert_output 1
	run grep -c MADV_HUGEPAGE "$T/s1"
	assert_output 0
	# the maps are right: every key 2, each thread once
	run awk -F '\t' 'NR > 1 && ($3 != 2 || $4 != "1:1,2:1") { bad++ }
	    END { print NR - 1, bad + 0 }' "$T/h2"
	assert_output "20000 0"
}

# A key's map of many values is a table, open (hashed) or dense (by
# value id, where its values are most of the ids below its largest): a
# pool of threads each firing most call sites.  Tables change from one
# to the other as they grow; each way must keep every count, 0 too.
@test "value maps: dense and open tables, and each change between them, keep every count" {
	python3 - "$T" <<'PY'
import random, sys
d = sys.argv[1]
rnd = random.Random(11)
rows = []
# pool keys: most of threads 1..60 (dense); sparse keys: threads far
# apart (open); late keys: threads 1..16 first, then, after the others
# have made thousands of ids, one far thread (dense, then open), then
# their first threads again
for k in range(300):
    for t in rnd.sample(range(1, 61), rnd.randint(40, 60)):
        rows += [("pool%d" % k, t, rnd.choice([0, 1, 2, 7]))] * rnd.randint(1, 3)
for k in range(200):
    for t in rnd.sample(range(1000, 90000), rnd.randint(2, 30)):
        rows.append(("sparse%d" % k, t, rnd.randint(0, 5)))
rnd.shuffle(rows)
late = []
for k in range(50):
    late += [("late%d" % k, t, rnd.randint(0, 3)) for t in range(1, 17)]
rnd.shuffle(late)
far = [("late%d" % k, 90000 + k, 1) for k in range(50)]
again = [("late%d" % k, t, 5) for k in range(50) for t in (1, 8, 16)]
# counts a dense table's 32 bits cannot hold (it goes open): one that
# grows past them, one that comes too large, on a value it has or not;
# an open table with such a count that grows stays open
big = [("pool7", 1, 4294967295), ("pool7", 1, 1), ("pool7", 1, 7),
    ("pool9", 2, 2 ** 32 + 5), ("pool11", 60, 2 ** 40), ("pool11", 3, 1),
    ("fit", 1, 2 ** 33), ("fit", 2, 1), ("fit", 3, 1), ("fit", 4, 2)]
rows = late + rows + far + again + big
exp = {}
with open(d + "/k", "w") as f:
    f.write("op\tcount\ttid\n")
    for (k, t, c) in rows:
        f.write("%s\t%d\t%d\n" % (k, c, t))
        e = exp.setdefault(k, [0, {}])
        e[0] += c
        e[1][t] = e[1].get(t, 0) + c
with open(d + "/want", "w") as f:
    f.write("op\tcount\ttid\n")
    for k in sorted(exp):
        c, tt = exp[k]
        f.write("%s\t%d\t%s\n" % (k, c, ",".join("%d:%d" % x for x in sorted(tt.items()))))
PY
	trace-hist --sort key "$T/k" > "$T/got"
	assert_same "$T/want" "$T/got"
	# the same maps made from tallies: histograms of the two halves
	n=$(wc -l < "$T/k")
	sed -n "1p;2,$((n / 2))p" "$T/k" | trace-hist > "$T/h1"
	sed -n "1p;$((n / 2 + 1)),\$p" "$T/k" | trace-hist > "$T/h2"
	trace-hist --sort key "$T/h2" "$T/h1" > "$T/got"
	assert_same "$T/want" "$T/got"
	# a count that overflows on a value a dense table has, by the row
	# and by a tally: the error names its line
	{ cat "$T/k"; printf 'pool7\t18446744073709551615\t%d\n' "$(awk -F '\t' '$1 == "pool7" { print $3; exit }' "$T/k")"; } > "$T/bad"
	run --separate-stderr trace-hist "$T/bad"
	assert_failure 2
	[ "$stderr" = "trace-hist: $T/bad:$((n + 1)): count overflows 64 bits" ] || fail "$stderr"
	t=$(awk -F '\t' '$1 == "pool7" { print $3; exit }' "$T/k")
	{ cat "$T/h1"; printf 'pool7\t18446744073709551615\t%d:18446744073709551615\n' "$t"; } > "$T/bad"
	run --separate-stderr trace-hist "$T/bad"
	assert_failure 2
	[ "$stderr" = "trace-hist: $T/bad:$(wc -l < "$T/bad"): count overflows 64 bits" ] || fail "$stderr"
}
