#!/usr/bin/env bats
# trace-join --runs, --per and --over: per-run columns, the exact
# Mann-Whitney p, rates, over-firing, their errors; and the join without
# them unchanged.
load helper

# h FILE HEADER ROW...: a histogram from tab-separated lines.
h() {
	local f=$1; shift
	printf '%s\n' "$@" > "$f"
}

@test "without --runs, --per and --over the join is as before, byte for byte" {
	D="$DATA/parity"
	trace-normalize -s "$EX/xenia/canary.schema" "$D/canary.jsonl" | trace-key -a tid,ts | trace-hist > "$T/r"
	trace-normalize -q -s "$EX/xenia/ours.schema" "$D/ours-iat.jsonl" "$D/ours-lr.jsonl" | trace-key -a tid,ts | trace-hist > "$T/c"
	trace-join --names canary,ours "$T/r" "$T/c" > "$T/j"
	assert_same "$DATA/join-runs/parity.join" "$T/j"
}

@test "--runs: runs fired, per-run min and max, a key absent from a run, flaky, p empty for one run" {
	h "$T/r" $'op\tcount\trun' $'a\t30\t1:10,2:10,3:10' $'b\t12\t1:6,2:6' $'c\t4\t1:1,2:1,3:2'
	h "$T/c" $'op\tcount\trun' $'a\t6\tx:6' $'b\t9\tx' $'d\t5\tx:5'
	run trace-join --runs run "$T/r" "$T/c"
	assert_success
	assert_output "$(printf 'op\tstatus\tref_count\tcand_count\tratio\tunder\tref_runs\tcand_runs\tref_min\tref_max\tcand_min\tcand_max\tflaky\tp\tref_run\tcand_run
a\tmatched\t30\t6\t0.200000\tno\t3\t1\t10\t10\t6\t6\tno\t\t1:10,2:10,3:10\tx:6
b\tmatched\t12\t9\t0.750000\tno\t2\t1\t0\t6\t9\t9\tyes\t\t1:6,2:6\tx
c\tmissing\t4\t0\t0.000000\tno\t3\t0\t1\t2\t0\t0\tno\t\t1:1,2:1,3:2\t
d\textra\t0\t5\t\tno\t0\t1\t0\t0\t5\t5\tno\t\t\tx:5')"
	# The same histograms without --runs: a is under on the sums.
	run trace-join "$T/r" "$T/c"
	assert_line --index 1 "$(printf 'a\tmatched\t30\t6\t0.200000\tyes\t1:10,2:10,3:10\tx:6')"
}

@test "--runs: a side without runs has empty min and max" {
	h "$T/r" $'op\tcount\trun' $'a\t3\t1:1,2:2'
	h "$T/c" $'op\tcount\trun'
	run trace-join --runs run "$T/r" "$T/c"
	assert_success
	assert_line --index 1 "$(printf 'a\tmissing\t3\t0\t0.000000\tno\t2\t0\t1\t2\t\t\tno\t\t1:1,2:2\t')"
}

@test "p: separated samples of 3 and 5 runs, identical ones, m and n that differ" {
	h "$T/r3" $'op\tcount\trun' $'k\t6\t1:1,2:2,3:3'
	h "$T/c3" $'op\tcount\trun' $'k\t15\t1:4,2:5,3:6'
	[ "$(trace-join --runs run "$T/r3" "$T/c3" | cut -f 14 | tail -1)" = 0.100000 ]
	[ "$(trace-join --runs run "$T/c3" "$T/r3" | cut -f 14 | tail -1)" = 0.100000 ]
	h "$T/r5" $'op\tcount\trun' $'k\t15\t1:1,2:2,3:3,4:4,5:5'
	h "$T/c5" $'op\tcount\trun' $'k\t40\t1:6,2:7,3:8,4:9,5:10'
	[ "$(trace-join --runs run "$T/r5" "$T/c5" | cut -f 14 | tail -1)" = 0.007937 ]
	h "$T/rs" $'op\tcount\trun' $'k\t12\t1:4,2:4,3:4'
	[ "$(trace-join --runs run "$T/rs" "$T/rs" | cut -f 14 | tail -1)" = 1.000000 ]
	# 2 runs against 4, apart: 2 of C(6,2) = 15 labellings.
	h "$T/r2" $'op\tcount\trun' $'k\t3\t1:1,2:2'
	h "$T/c4" $'op\tcount\trun' $'k\t26\t1:5,2:6,3:7,4:8'
	[ "$(trace-join --runs run "$T/r2" "$T/c4" | cut -f 14 | tail -1)" = 0.133333 ]
}

@test "p with ties: mid-ranks, checked against a brute force in Python" {
	command -v python3 >/dev/null || skip "python3 not installed"
	h "$T/r" $'op\tcount\trun' $'a\t4\t1:1,2:1,3:2' $'b\t9\t1:3,2:3,3:3,4:0' \
	    $'c\t7\t1:2,3:5' $'d\t10\t1:2,2:2,3:2,4:4' $'e\t2\t2:1,4:1'
	h "$T/c" $'op\tcount\trun' $'a\t8\tx:2,y:3,z:3' $'b\t9\tx:3,y:3,z:3' \
	    $'c\t9\tx:2,y:2,z:5' $'d\t5\tx:1,y:2,z:2' $'f\t1\tx:1'
	trace-join --runs run "$T/r" "$T/c" > "$T/j"
	python3 - "$T/r" "$T/c" "$T/j" > "$T/want" <<'PY'
import sys, itertools
from fractions import Fraction as F

def runs(path):
    keys, allruns = {}, []
    for line in open(path).read().splitlines()[1:]:
        op, count, cell = line.split('\t')
        d = {}
        for e in cell.split(','):
            v, n = e.split(':')
            d[v] = int(n)
            if v not in allruns:
                allruns.append(v)
        keys[op] = d
    return keys, allruns

def p(a, b):
    m, n = len(a), len(b)
    if m < 2 or n < 2:
        return ''
    v = a + b
    rank = [F(sum(x < y for x in v)) + F(sum(x == y for x in v) + 1, 2) for y in v]
    mid = F(m * n, 2)
    u = sum(rank[:m]) - F(m * (m + 1), 2)
    hit = all_ = 0
    for c in itertools.combinations(range(m + n), m):
        r = sum(rank[i] for i in c) - F(m * (m + 1), 2)
        all_ += 1
        hit += abs(r - mid) >= abs(u - mid)
    return '%.6f' % min(1.0, hit / all_)

(rk, rr), (ck, cr) = runs(sys.argv[1]), runs(sys.argv[2])
for line in open(sys.argv[3]).read().splitlines()[1:]:
    op = line.split('\t')[0]
    a = [rk.get(op, {}).get(r, 0) for r in rr]
    b = [ck.get(op, {}).get(r, 0) for r in cr]
    print(op, p(a, b))
PY
	tail -n +2 "$T/j" | cut -f 1,14 | tr '\t' ' ' > "$T/got"
	assert_same "$T/want" "$T/got"
	# Not all of them 1 or empty: the test would notice a wrong p.
	[ "$(sort -u -k2 "$T/got" | wc -l)" -ge 3 ]
}

@test "--runs: under in every pair of runs, with the floor on the least reference count" {
	h "$T/r" $'op\tcount\trun' $'k1\t60\t1:20,2:20,3:20' $'k2\t60\t1:20,2:20,3:20' \
	    $'k3\t27\t1:9,2:9,3:9'
	h "$T/c" $'op\tcount\trun' $'k1\t22\t1:5,2:5,3:12' $'k2\t27\t1:9,2:9,3:9' \
	    $'k3\t3\t1:1,2:1,3:1'
	run trace-join "$T/r" "$T/c"
	assert_output "$(printf 'op\tstatus\tref_count\tcand_count\tratio\tunder\tref_run\tcand_run
k2\tmatched\t60\t27\t0.450000\tyes\t1:20,2:20,3:20\t1:9,2:9,3:9
k1\tmatched\t60\t22\t0.366667\tyes\t1:20,2:20,3:20\t1:5,2:5,3:12
k3\tmatched\t27\t3\t0.111111\tyes\t1:9,2:9,3:9\t1:1,2:1,3:1')"
	run trace-join --runs run "$T/r" "$T/c"
	assert_success
	assert_line --index 1 --partial "$(printf 'k2\tmatched\t60\t27\t0.450000\tyes\t')"
	assert_line --index 2 --partial "$(printf 'k1\tmatched\t60\t22\t0.366667\tno\t')"
	assert_line --index 3 --partial "$(printf 'k3\tmatched\t27\t3\t0.111111\tno\t')"
	run trace-join --runs run --floor 9 "$T/r" "$T/c"
	assert_line --index 3 --partial "$(printf 'k3\tmatched\t27\t3\t0.111111\tyes\t')"
}

@test "--over: above R times the reference, the floor on the candidate side; with runs, in every pair" {
	h "$T/r" $'op\tcount\trun' $'k4\t16\t1:5,2:5,3:6' $'k5\t7\t1:2,2:3,3:2' \
	    $'k6\t3\t1:1,2:1,3:1' $'k7\t20\t1:7,2:7,3:6'
	h "$T/c" $'op\tcount\trun' $'k4\t36\t1:12,2:13,3:11' $'k5\t30\t1:10,2:10,3:10' \
	    $'k6\t27\t1:9,2:9,3:9' $'k7\t40\t1:14,2:13,3:13'
	run trace-join --over 2 "$T/r" "$T/c"
	assert_success
	assert_output "$(printf 'op\tstatus\tref_count\tcand_count\tratio\tunder\tover\tref_run\tcand_run
k7\tmatched\t20\t40\t2.000000\tno\tno\t1:7,2:7,3:6\t1:14,2:13,3:13
k4\tmatched\t16\t36\t2.250000\tno\tyes\t1:5,2:5,3:6\t1:12,2:13,3:11
k5\tmatched\t7\t30\t4.285714\tno\tyes\t1:2,2:3,3:2\t1:10,2:10,3:10
k6\tmatched\t3\t27\t9.000000\tno\tyes\t1:1,2:1,3:1\t1:9,2:9,3:9')"
	run trace-join --over 2 --runs run "$T/r" "$T/c"
	assert_success
	[ "$(cut -f 1,7 <<< "$output" | tr '\t\n' ' ')" = "op over k7 no k4 no k5 yes k6 no " ]
	run trace-join --over 2 --floor 30 "$T/r" "$T/c"
	[ "$(cut -f 1,7 <<< "$output" | tr '\t\n' ' ')" = "op over k7 no k4 yes k5 yes k6 no " ]
	# over comes after under, before the run columns.
	run trace-join --over 2 --runs run "$T/r" "$T/c"
	assert_line --index 0 --partial "$(printf '\tratio\tunder\tover\tref_runs\t')"
}

@test "--per total: rates per 1000 fires, ratio and flags from rates" {
	h "$T/r" $'op\tcount' $'a\t600' $'b\t400'
	h "$T/c" $'op\tcount' $'a\t100' $'b\t300'
	run trace-join --per total --over 1.5 "$T/r" "$T/c"
	assert_success
	assert_output "$(printf 'op\tstatus\tref_count\tcand_count\tratio\tunder\tover\tref_rate\tcand_rate
a\tmatched\t600\t100\t0.416667\tyes\tno\t600.000000\t250.000000
b\tmatched\t400\t300\t1.875000\tno\tyes\t400.000000\t750.000000')"
}

@test "--per time: per 1e9 units of the side's ts span, last - first" {
	h "$T/r" $'op\tcount\tts' $'a\t20\t0..500000000' $'b\t10\t250000000..1000000000' $'c\t5\t'
	h "$T/c" $'op\tcount\tts' $'a\t20\t10..2000000010' $'b\t10\t1000'
	run trace-join --per time --threshold 0.6 "$T/r" "$T/c"
	assert_success
	assert_output "$(printf 'op\tstatus\tref_count\tcand_count\tratio\tunder\tref_rate\tcand_rate\tref_ts\tcand_ts
a\tmatched\t20\t20\t0.500000\tyes\t20.000000\t10.000000\t0..500000000\t10..2000000010
b\tmatched\t10\t10\t0.500000\tyes\t10.000000\t5.000000\t250000000..1000000000\t1000
c\tmissing\t5\t0\t0.000000\tno\t5.000000\t0.000000\t\t')"
}

@test "--per COLUMN=VALUE: per fire of a marker key; with --runs, per run" {
	h "$T/r" $'op\tlr\tcount\trun' $'vsync\t0x1\t30\t1:10,2:20' $'a\t0x2\t15\t1:5,2:10' $'vsync\t0x9\t0\t'
	h "$T/c" $'op\tlr\tcount\trun' $'vsync\t0x1\t20\t1:10,2:10' $'a\t0x2\t15\t1:10,2:5'
	run trace-join --per op=vsync "$T/r" "$T/c"
	assert_success
	assert_line --index 2 "$(printf 'a\t0x2\tmatched\t15\t15\t1.500000\tno\t0.500000\t0.750000\t1:5,2:10\t1:10,2:5')"
	run trace-join --per op=vsync --runs run --floor 1 "$T/r" "$T/c"
	assert_success
	assert_line --index 0 "$(printf 'op\tlr\tstatus\tref_count\tcand_count\tratio\tunder\tref_runs\tcand_runs\tref_min\tref_max\tcand_min\tcand_max\tflaky\tp\tref_rate\tcand_rate\tref_run\tcand_run')"
	assert_line --index 2 "$(printf 'a\t0x2\tmatched\t15\t15\t1.500000\tno\t2\t2\t0.500000\t0.500000\t0.500000\t1.000000\tno\t1.000000\t0.500000\t0.750000\t1:5,2:10\t1:10,2:5')"
	assert_line --index 1 "$(printf 'vsync\t0x1\tmatched\t30\t20\t1.000000\tno\t2\t2\t1.000000\t1.000000\t1.000000\t1.000000\tno\t1.000000\t1.000000\t1.000000\t1:10,2:20\t1:10,2:10')"
}

@test "a denominator of 0 is an error naming the side, and the run" {
	h "$T/r" $'op\tcount\trun\tts' $'vsync\t2\t1:1,2:1\t5' $'a\t4\t1:2,2:1,3:1\t5'
	h "$T/c" $'op\tcount\trun' $'a\t3\tx:3'
	h "$T/e" $'op\tcount\trun'
	run --separate-stderr trace-join --per op=vsync "$T/r" "$T/c"
	assert_failure 2
	[ "$stderr" = "trace-join: cand ($T/c): --per op=vsync: the denominator is 0" ]
	[ -z "$output" ]
	run --separate-stderr trace-join --names x,y --per op=vsync --runs run "$T/r" "$T/r"
	assert_failure 2
	[ "$stderr" = "trace-join: x ($T/r): --per op=vsync: the denominator is 0 in run '3'" ]
	run --separate-stderr trace-join --per total "$T/r" "$T/e"
	assert_failure 2
	[ "$stderr" = "trace-join: cand ($T/e): --per total: the denominator is 0" ]
	run --separate-stderr trace-join --per time "$T/r" "$T/r"
	assert_failure 2
	[ "$stderr" = "trace-join: ref ($T/r): --per time: the denominator is 0" ]
}

@test "usage errors: --per time with --runs, bad --per, --over, --runs" {
	h "$T/r" $'op\tcount\trun\tts' $'a\t2\t1:1,2:1\t5..9'
	run --separate-stderr trace-join --per time --runs run "$T/r" "$T/r"
	assert_failure 2
	[ "$stderr" = "trace-join: --per time with --runs: a histogram has no time span per run
Try 'trace-join --help' for more information." ]
	[ -z "$output" ]
	run --separate-stderr trace-join --runs run --per time "$T/r" "$T/r"
	assert_failure 2
	for bad in "--per frames" "--per =x" "--over -1" "--over x" "--runs="; do
		# shellcheck disable=SC2086
		run trace-join $bad "$T/r" "$T/r"
		assert_failure 2
	done
	run --separate-stderr trace-join --per op=vsync --over 0 "$T/r" "$T/r"
	assert_failure 2
	[[ "$stderr" == *"denominator is 0"* ]]
	run --separate-stderr trace-join --per zz=1 "$T/r" "$T/r"
	assert_failure 2
	[ "$stderr" = "trace-join: $T/r:1: --per zz=1: no key column 'zz' (columns: op, count, run, ts)" ]
}

@test "reserved tally names with --runs or --per: runs, min, max, rate" {
	for name in runs min max rate; do
		h "$T/r" "op	count	run	$name" "a	2	1:1,2:1	x"
		run --separate-stderr trace-join --runs run "$T/r" "$T/r"
		assert_failure 2
		[ "$stderr" = "trace-join: $T/r:1: tally column '$name' is reserved with --runs and --per (rename it)" ]
		run --separate-stderr trace-join --per total "$T/r" "$T/r"
		assert_failure 2
		run trace-join --over 1 "$T/r" "$T/r"
		assert_success
	done
}

@test "malformed runs: no such column, a key column, a distinct tally, events without a run" {
	h "$T/r" $'op\tcount\trun' $'a\t2\t1:1,2:1'
	h "$T/nocol" $'op\tcount\ttid' $'a\t2\t1:1,2:1'
	h "$T/dist" $'op\tcount\trun' $'a\t2\t1,2'
	h "$T/short" $'op\tcount\trun' $'a\t2\t1:1,2:1' $'b\t5\t1:1,2:3'
	h "$T/empty" $'op\tcount\trun' $'a\t2\t'
	run --separate-stderr trace-join --runs run "$T/r" "$T/nocol"
	assert_failure 2
	[ "$stderr" = "trace-join: $T/nocol:1: --runs: no column 'run' (columns: op, count, tid)" ]
	run --separate-stderr trace-join --runs op "$T/r" "$T/r"
	assert_failure 2
	[ "$stderr" = "trace-join: $T/r:1: --runs: column 'op' is not a tally column (a column after count)" ]
	run --separate-stderr trace-join --runs run "$T/r" "$T/dist"
	assert_failure 2
	[ "$stderr" = "trace-join: $T/dist:2: column run: --runs needs a counts tally, not '1,2'" ]
	run --separate-stderr trace-join --runs run "$T/short" "$T/r"
	assert_failure 2
	[ "$stderr" = "trace-join: $T/short:3: column run: tally counts add up to 4, less than the row's count 5: --runs needs the run of every event" ]
	run --separate-stderr trace-join --runs run "$T/r" "$T/empty"
	assert_failure 2
	[ "$stderr" = "trace-join: $T/empty:2: column run: tally counts add up to 0, less than the row's count 2: --runs needs the run of every event" ]
	# Without --runs the same histograms join.
	run trace-join "$T/short" "$T/dist"
	assert_success
}

@test "--runs and --per to a full disk is an error" {
	h "$T/r" $'op\tcount\trun' $'a\t2\t1:1,2:1'
	run bash -c 'trace-join --runs run --per total "$1" "$1" > /dev/full' _ "$T/r"
	assert_failure 2
}

@test "bash completion: trace-join --runs, --per and its words" {
	source "$TOP/src/trace-tools.bash-completion"
	COMP_WORDS=(trace-join --ru); COMP_CWORD=1
	_trace_tools
	[ "${COMPREPLY[*]}" = "--runs" ]
	COMP_WORDS=(trace-join --per ""); COMP_CWORD=2
	_trace_tools
	[ "${COMPREPLY[*]}" = "total time" ]
}

@test "--runs: a last line without a newline, a gzip-compressed side" {
	printf 'op\tcount\trun\na\t3\t1:1,2:2' > "$T/r"
	printf 'op\tcount\trun\na\t4\tx:4\n' | gzip > "$T/c.gz"
	run trace-join --runs run "$T/r" "$T/c.gz"
	assert_success
	assert_line --index 1 "$(printf 'a\tmatched\t3\t4\t1.333333\tno\t2\t1\t1\t2\t4\t4\tno\t\t1:1,2:2\tx:4')"
}

@test "--runs: run counts too large for a dense row, first and mid-row" {
	h "$T/r" $'op\tcount\trun' $'a\t4294967300\t1:4294967295,2:3,3:2' $'b\t6\t1:2,2:2,3:2'
	h "$T/c" $'op\tcount\trun' $'a\t4294967302\t1:3,2:4294967296,3:3' $'b\t5000000000\t1:4999999990,2:5,3:5'
	run trace-join --runs run "$T/r" "$T/c"
	assert_success
	assert_line --index 1 "$(printf 'a\tmatched\t4294967300\t4294967302\t1.000000\tno\t3\t3\t2\t4294967295\t3\t4294967296\tno\t0.700000\t1:4294967295,2:3,3:2\t1:3,2:4294967296,3:3')"
	assert_line --index 2 "$(printf 'b\tmatched\t6\t5000000000\t833333333.333333\tno\t3\t3\t2\t2\t5\t4999999990\tno\t0.100000\t1:2,2:2,3:2\t1:4999999990,2:5,3:5')"
}
