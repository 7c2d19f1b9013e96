#!/usr/bin/env bats
# trace-join: status, counts, ratio, under flag, labels, wrong input.
load helper

ref() {
	printf 'op\tlr\tcount\ttid\n'
	printf 'set\t0x00000001\t100\t1:100\n'
	printf 'set\t0x00000002\t40\t2:40\n'
	printf 'release\t0x00000002\t20\t2:20\n'
	printf 'set\t0x00000003\t9\t3:9\n'
	printf 'set\t\t5\t4:5\n'
}

cand() {
	printf 'op\tlr\tcount\ttid\thandle\n'
	printf 'set\t0x00000001\t49\t7:49\t0x00000001:49\n'
	printf 'set\t0x00000002\t20\t8:20\t0x00000002:20\n'
	printf 'set\t0x00000003\t1\t9:1\t0x00000003:1\n'
	printf 'set\t0x00000004\t7\t9:7\t0x00000004:7\n'
	printf 'set\t\t5\t4:5\t\n'
}

@test "full outer join: one row per key, status, counts, ratio, under" {
	ref > "$T/r"; cand > "$T/c"
	run trace-join "$T/r" "$T/c"
	assert_success
	assert_output "$(printf 'op\tlr\tstatus\tref_count\tcand_count\tratio\tunder\tref_tid\tcand_tid\tcand_handle
set\t0x00000001\tmatched\t100\t49\t0.490000\tyes\t1:100\t7:49\t0x00000001:49
set\t0x00000002\tmatched\t40\t20\t0.500000\tno\t2:40\t8:20\t0x00000002:20
release\t0x00000002\tmissing\t20\t0\t0.000000\tno\t2:20\t\t
set\t0x00000003\tmatched\t9\t1\t0.111111\tno\t3:9\t9:1\t0x00000003:1
set\t\tmatched\t5\t5\t1.000000\tno\t4:5\t4:5\t
set\t0x00000004\textra\t0\t7\t\tno\t\t9:7\t0x00000004:7')"
}

@test "an empty key value is a value: it matches the same empty value" {
	printf 'op\thandle\tcount\nopen\t\t3\nclose\t\t2\nread\t0x3\t1\n' > "$T/r"
	printf 'op\thandle\tcount\nopen\t\t4\nclose\t0x5\t2\nread\t0x3\t1\n' > "$T/c"
	run trace-join "$T/r" "$T/c"
	assert_success
	assert_output "$(printf 'op\thandle\tstatus\tref_count\tcand_count\tratio\tunder
open\t\tmatched\t3\t4\t1.333333\tno
close\t\tmissing\t2\t0\t0.000000\tno
read\t0x3\tmatched\t1\t1\t1.000000\tno
close\t0x5\textra\t0\t2\t\tno')"
}

@test "status comes from the counts: a count of 0 is not a fire" {
	printf 'op\tcount\na\t3\nb\t0\nc\t0\nd\t0\n' > "$T/r"
	printf 'op\tcount\na\t0\nb\t5\nc\t0\n' > "$T/c"
	run trace-join "$T/r" "$T/c"
	assert_success
	assert_output "$(printf 'op\tstatus\tref_count\tcand_count\tratio\tunder
a\tmissing\t3\t0\t0.000000\tno
b\textra\t0\t5\t\tno')"
}

@test "--names labels every column from a side; floor and threshold" {
	ref > "$T/r"; cand > "$T/c"
	run trace-join --names canary,ours --floor 5 --threshold 0.2 "$T/r" "$T/c"
	assert_success
	assert_line --index 0 "$(printf 'op\tlr\tstatus\tcanary_count\tours_count\tratio\tunder\tcanary_tid\tours_tid\tours_handle')"
	assert_line --index 4 "$(printf 'set\t0x00000003\tmatched\t9\t1\t0.111111\tyes\t3:9\t9:1\t0x00000003:1')"
	assert_line --index 1 --partial "$(printf '\t0.490000\tno\t')"
	run trace-join --names same,same "$T/r" "$T/c"
	assert_failure 2
	run trace-join --names 'a,b,c' "$T/r" "$T/c"
	assert_failure 2
}

@test "every key exactly once, whatever the sizes" {
	D="$DATA/parity"
	trace-normalize -s "$EX/xenia/canary.schema" "$D/canary.jsonl" | trace-key | trace-hist > "$T/r"
	trace-normalize -q -s "$EX/xenia/ours.schema" "$D/ours-iat.jsonl" "$D/ours-lr.jsonl" | trace-key | trace-hist > "$T/c"
	trace-join "$T/r" "$T/c" > "$T/j"
	cut -f1,2 "$T/j" | sort | uniq -d > "$T/dups"
	[ ! -s "$T/dups" ]
	keys=$( (tail -n +2 "$T/r"; tail -n +2 "$T/c") | cut -f1,2 | sort -u | wc -l)
	[ "$(($(wc -l < "$T/j") - 1))" -eq "$keys" ]
	# the sides' totals are preserved
	[ "$(awk -F '\t' 'NR > 1 { s += $4 } END { print s }' "$T/j")" -eq \
	    "$(awk -F '\t' 'NR > 1 { s += $3 } END { print s }' "$T/r")" ]
	[ "$(awk -F '\t' 'NR > 1 { s += $5 } END { print s }' "$T/j")" -eq \
	    "$(awk -F '\t' 'NR > 1 { s += $3 } END { print s }' "$T/c")" ]
}

@test "different key columns are an error" {
	ref > "$T/r"
	printf 'op\tfn\tcount\nset\tx\t1\n' > "$T/c"
	run --separate-stderr trace-join "$T/r" "$T/c"
	assert_failure 2
	[ "$stderr" = "trace-join: key columns differ: $T/r has (op, lr), $T/c has (op, fn)" ]
}

@test "wrong input: not a histogram, repeated key, missing file" {
	ref > "$T/r"
	printf 'op\tlr\ttid\n' > "$T/ev"
	run --separate-stderr trace-join "$T/r" "$T/ev"
	assert_failure 2
	[ "$stderr" = "trace-join: $T/ev:1: no column 'count' (columns: op, lr, tid); expected a histogram from trace-hist" ]
	printf 'op\tlr\tcount\nset\t0x1\t1\nset\t0x1\t2\n' > "$T/k"
	run --separate-stderr trace-join "$T/r" "$T/k"
	assert_failure 2
	[ "$stderr" = "trace-join: $T/k:3: key seen twice: not a histogram (run trace-hist on it first)" ]
	run trace-join "$T/r"
	assert_failure 2
	run trace-join "$T/r" "$T/nope"
	assert_failure 2
}

@test "empty histograms: every key missing, or extra, or nothing" {
	ref > "$T/r"
	printf 'op\tlr\tcount\ttid\n' > "$T/e"
	run trace-join "$T/r" "$T/e"
	assert_success
	[ "$(grep -c $'\tmissing\t' <<< "$output")" -eq 5 ]
	run trace-join "$T/e" "$T/r"
	[ "$(grep -c $'\textra\t' <<< "$output")" -eq 5 ]
	run trace-join "$T/e" "$T/e"
	assert_output "$(printf 'op\tlr\tstatus\tref_count\tcand_count\tratio\tunder\tref_tid\tcand_tid')"
}

@test "usage and write errors" {
	run trace-join --help
	assert_success
	[[ "$output" == "usage: trace-join "* ]]
	run --separate-stderr trace-join --floor x a b
	assert_failure 2
	ref > "$T/r"
	run bash -c 'trace-join "$1" "$1" > /dev/full' _ "$T/r"
	assert_failure 2
}

@test "under: a reference count equal to the floor is flagged, one below is not" {
	printf 'op\tcount\na\t10\nb\t9\nc\t10\n' > "$T/r"
	printf 'op\tcount\na\t4\nb\t1\nc\t5\n' > "$T/c"
	run trace-join "$T/r" "$T/c"
	assert_success
	assert_output "$(printf 'op\tstatus\tref_count\tcand_count\tratio\tunder
c\tmatched\t10\t5\t0.500000\tno
a\tmatched\t10\t4\t0.400000\tyes
b\tmatched\t9\t1\t0.111111\tno')"
}

@test "malformed histograms: counts above the row's count, bad %-encoding" {
	printf 'op\tcount\ttid\na\t1\t5:7,6:9\n' > "$T/sum"
	printf 'op\tcount\ttid\na\t1\tx%%zz\n' > "$T/pct"
	printf 'op\tcount\ttid\na\t1\t5:1\n' > "$T/ok"
	for t in trace-hist trace-join; do
		run "$t" "$T/sum" "$T/ok"
		assert_failure 2
		assert_output "$t: $T/sum:2: column tid: tally counts add up to 16, more than the row's count 1"
		run "$t" "$T/pct" "$T/ok"
		assert_failure 2
		assert_output "$t: $T/pct:2: column tid: bad %-encoding in tally value 'x%zz' (only %25, %2c and %3a)"
	done
	trace-join "$T/ok" "$T/ok" | sed 's/5:1\t5:1/5:9\t5:1/' > "$T/j"
	run trace-report "$T/j"
	assert_failure 2
	assert_output "trace-report: $T/j:2: column tid: tally counts add up to 9, more than the row's count 1"
	trace-join "$T/ok" "$T/ok" | sed 's/5:1\t5:1/5%zz:1\t5:1/' > "$T/j"
	run trace-report "$T/j"
	assert_failure 2
	assert_output "trace-report: $T/j:2: column tid: bad %-encoding in tally value '5%zz' (only %25, %2c and %3a)"
}
