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

# trace-join REF CAND exits 2 with exactly the message MSG on stderr.
join_fails() {
	run --separate-stderr trace-join "$1" "$2"
	assert_failure 2
	[ "$stderr" = "$3" ]
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
	join_fails "$T/r" "$T/c" \
	    "trace-join: key columns differ: $T/r has (op, lr), $T/c has (op, fn)"
}

@test "wrong input: not a histogram, repeated key, missing file" {
	ref > "$T/r"
	printf 'op\tlr\ttid\n' > "$T/ev"
	join_fails "$T/r" "$T/ev" \
	    "trace-join: $T/ev:1: no column 'count' (columns: op, lr, tid); expected a histogram from trace-hist"
	printf 'op\tlr\tcount\nset\t0x1\t1\nset\t0x1\t2\n' > "$T/k"
	join_fails "$T/r" "$T/k" \
	    "trace-join: $T/k:3: key seen twice: not a histogram (run trace-hist on it first)"
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

# Histograms whose keys are in the join's key order (integers by value,
# ties and other values by their bytes): regular files of them are
# joined by merging, without a table of keys.
sorted_ref() {
	printf 'op\tlr\tcount\ttid\n'
	printf 'a\t-3\t4\t1:4\n'
	printf 'a\t9\t7\t1:7\n'
	printf 'a\t10\t2\t2:2\n'
	printf 'a\t0x10\t5\t1:5\n'
	printf 'a\t16\t0\t\n'
	printf 'a\tabb\t2\t1:2\n'
	printf 'a\tabc\t3\t3:3\n'
	printf 'b\t\t6\t1:6\n'
}

sorted_cand() {
	printf 'op\tlr\tcount\ttid\n'
	printf 'a\t-3\t4\t2:4\n'
	printf 'a\t010\t1\t1:1\n'
	printf 'a\t10\t0\t\n'
	printf 'a\t16\t8\t1:8\n'
	printf 'a\tab\t9\t1:9\n'
	printf 'a\tabc\t3\t3:3\n'
	printf 'b\t\t0\t\n'
	printf 'c\t1\t0\t\n'
}

# agree [OPTION...] REF CAND: the join of the two files is the same,
# byte for byte, as with CAND read from the standard input, which is
# never merged: the table join.
agree() {
	local c=${!#} a=("${@:1:$#-1}")
	trace-join "${a[@]}" "$c" > "$T/merged"
	trace-join "${a[@]}" - < "$c" > "$T/table"
	assert_same "$T/table" "$T/merged"
}

@test "keys in order: merged, numbers by value, counts of 0, one row per key" {
	sorted_ref > "$T/r"; sorted_cand > "$T/c"
	run trace-join "$T/r" "$T/c"
	assert_success
	assert_output "$(printf 'op\tlr\tstatus\tref_count\tcand_count\tratio\tunder\tref_tid\tcand_tid
a\t9\tmissing\t7\t0\t0.000000\tno\t1:7\t
b\t\tmissing\t6\t0\t0.000000\tno\t1:6\t
a\t0x10\tmissing\t5\t0\t0.000000\tno\t1:5\t
a\t-3\tmatched\t4\t4\t1.000000\tno\t1:4\t2:4
a\tabc\tmatched\t3\t3\t1.000000\tno\t3:3\t3:3
a\t10\tmissing\t2\t0\t0.000000\tno\t2:2\t
a\tabb\tmissing\t2\t0\t0.000000\tno\t1:2\t
a\tab\textra\t0\t9\t\tno\t\t1:9
a\t16\textra\t0\t8\t\tno\t\t1:8
a\t010\textra\t0\t1\t\tno\t\t1:1')"
	agree "$T/r" "$T/c"
	agree "$T/c" "$T/r"
	agree "$T/r" "$T/r"
	for o in --over=1.5 --per=total --per=op=a --names=x,y \
	    '--floor=1 --threshold=1.5'; do
		# shellcheck disable=SC2086
		agree $o "$T/r" "$T/c"
	done
}

@test "keys in order: a side empty, CRLF, no final newline, a header again, a NUL" {
	sorted_ref > "$T/r"; sorted_cand > "$T/c"
	printf 'op\tlr\tcount\ttid\n' > "$T/e"
	agree "$T/r" "$T/e"
	agree "$T/e" "$T/c"
	agree "$T/e" "$T/e"
	sed 's/$/\r/' "$T/c" > "$T/crlf"
	agree "$T/r" "$T/crlf"
	agree "$T/crlf" "$T/r"
	printf 'op\tlr\tcount\ttid\na\t-3\t1\t1:1\r' > "$T/last"
	agree "$T/r" "$T/last"
	agree "$T/last" "$T/c"
	{ sed -n 1,4p "$T/r"; sed -n '1p;5,$p' "$T/r"; } > "$T/hdr"
	agree "$T/hdr" "$T/c"
	printf 'op\tlr\tcount\ttid\na\t-3\t1\t1\0002:1\n' > "$T/nul"
	agree "$T/nul" "$T/c"
	agree "$T/r" "$T/nul"
	run trace-join "$T/nul" "$T/c"
	assert_line --index 1 "$(printf 'a\t-3\tmatched\t1\t4\t4.000000\tno\t1\t2:4')"
}

@test "keys out of order, compressed, with a byte order mark: the table join" {
	sorted_ref > "$T/r"; sorted_cand > "$T/c"
	sed '3{h;d};4G' "$T/c" > "$T/swap"
	sed '$d' "$T/r" > "$T/short"
	printf 'b\t\t2\t1:2\na\tzz\t1\t1:1\n' >> "$T/short"
	for f in "$T/swap" "$T/short"; do
		agree "$T/r" "$f"
		agree "$f" "$T/c"
	done
	run trace-join "$T/r" "$T/swap"
	assert_line --index 9 "$(printf 'a\t16\textra\t0\t8\t\tno\t\t1:8')"
	gzip -c "$T/c" > "$T/c.gz"
	agree "$T/r" "$T/c.gz"
	printf '\357\273\277' | cat - "$T/c" > "$T/bom"
	agree "$T/r" "$T/bom"
	agree "$T/bom" "$T/c"
}

@test "keys in order: a key twice, bad rows, in the table join's order" {
	sorted_ref > "$T/r"; sorted_cand > "$T/c"
	sed '3p' "$T/c" > "$T/twice"
	join_fails "$T/r" "$T/twice" \
	    "trace-join: $T/twice:4: key seen twice: not a histogram (run trace-hist on it first)"
	join_fails "$T/twice" "$T/c" \
	    "trace-join: $T/twice:4: key seen twice: not a histogram (run trace-hist on it first)"
	# REF is read to its end before CAND
	sed '$s/6/x/' "$T/r" > "$T/badr"
	sed '2s/4/y/' "$T/c" > "$T/badc"
	join_fails "$T/badr" "$T/badc" \
	    "trace-join: $T/badr:9: bad count 'x'"
	join_fails "$T/r" "$T/badc" \
	    "trace-join: $T/badc:2: bad count 'y'"
	# a key out of order, then a bad row: the bad row
	sed '3{h;d};4G;$s/\t0\t/\t0\t1:1/' "$T/c" > "$T/late"
	join_fails "$T/r" "$T/late" \
	    "trace-join: $T/late:9: column tid: tally counts add up to 1, more than the row's count 0"
	# CAND's rows are read before its key columns are compared
	printf 'op\tfn\tcount\na\t1\t1\nb\t1\n' > "$T/other"
	join_fails "$T/r" "$T/other" \
	    "trace-join: $T/other:3: expected 3 fields, got 2"
	printf 'op\tfn\tcount\na\t1\t1\n' > "$T/other"
	join_fails "$T/r" "$T/other" \
	    "trace-join: key columns differ: $T/r has (op, lr), $T/other has (op, fn)"
	printf 'op\top\tcount\n' > "$T/hdr"
	join_fails "$T/badr" "$T/hdr" \
	    "trace-join: $T/badr:9: bad count 'x'"
}

@test "keys in order: histograms sorted by key, every option, -o, a full disk" {
	D="$DATA/parity"
	trace-normalize -s "$EX/xenia/canary.schema" "$D/canary.jsonl" | trace-key | trace-hist --sort key > "$T/r"
	trace-normalize -q -s "$EX/xenia/ours.schema" "$D/ours-iat.jsonl" "$D/ours-lr.jsonl" | trace-key | trace-hist --sort key > "$T/c"
	agree "$T/r" "$T/c"
	agree "$T/c" "$T/r"
	agree --over 2 --names canary,ours "$T/r" "$T/c"
	agree --per total "$T/r" "$T/c"
	agree --per time "$T/r" "$T/c"
	trace-join "$T/r" "$T/c" > "$T/j"
	trace-hist "$T/r" > "$T/rc"
	trace-hist "$T/c" > "$T/cc"
	trace-join "$T/rc" - < "$T/cc" > "$T/jc"
	assert_same "$T/jc" "$T/j"
	trace-join -o "$T/o" "$T/r" "$T/c"
	assert_same "$T/j" "$T/o"
	run bash -c 'trace-join "$1" "$2" > /dev/full' _ "$T/r" "$T/c"
	assert_failure 2
}

@test "tally cells: the usual counts cells and all the others, checked alike" {
	while IFS='|' read -r cell want; do
		printf 'op\tcount\ttid\nk\t3\t%s\n' "$cell" > "$T/x"
		run --separate-stderr trace-join "$T/x" "$T/x"
		if [ "$want" = ok ]; then
			assert_success
			[ "${lines[1]}" = "$(printf 'k\tmatched\t3\t3\t1.000000\tno\t%s\t%s' "$cell" "$cell")" ]
		else
			assert_failure 2
			[ "$stderr" = "trace-join: $T/x:2: column tid: $want" ]
		fi
	done <<-'EOF2'
	a:1,b:2|ok
	a:01|ok
	:3|ok
	a:2,b:1,|bad tally entry ''
	a:1,,b:1|bad tally entry ''
	a,b:1|bad tally entry 'a'
	a:-1|bad tally entry 'a:-1'
	a:1x|bad tally entry 'a:1x'
	a:|bad tally entry 'a:'
	a:1:2|bad tally entry 'a:1:2'
	:5|tally counts add up to 5, more than the row's count 3
	a:2,b:2|tally counts add up to 4, more than the row's count 3
	a:99999999999999999999|bad tally entry 'a:99999999999999999999'
	a:9999999999999999999,b:9999999999999999999|tally counts add up to 18446744073709551615, more than the row's count 3
	a%3a:1|ok
	a%zz:1|bad %-encoding in tally value 'a%zz' (only %25, %2c and %3a)
	EOF2
}

@test "keys in order: counts of one to five bytes, many equal, ordered as the table join orders them" {
	# REF: 3000 keys in order; CAND: a fifth of them left out, a quarter
	# halved, and an extra key after every eleventh
	awk 'BEGIN { print "op\tlr\tcount\ttid"
		for (i = 0; i < 3000; i++) {
			c = i % 7 == 0 ? 300 : i % 3 ? (i * 7919) % 70000 : i * 2000003
			printf "f\t0x%x\t%d\t1:%d\n", 4096 + 4 * i, c, c
			if (i % 5 == 0)
				continue
			if (i % 4 == 0)
				c = int(c / 2)
			printf "f\t0x%x\t%d\t1:%d\n", 4096 + 4 * i, c, c > "/dev/stderr"
			if (i % 11 == 0)
				printf "f\t0x%x\t%d\t1:%d\n", 4097 + 4 * i, i % 13,
				    i % 13 > "/dev/stderr"
		} }' > "$T/r" 2> "$T/body"
	{ head -n 1 "$T/r"; cat "$T/body"; } > "$T/c"
	[ "$(sort -n -t "$(printf '\t')" -k3 "$T/r" | tail -n 1 | cut -f3)" -gt 4294967296 ]
	agree "$T/r" "$T/c"
	agree "$T/c" "$T/r"
	agree --per total "$T/r" "$T/c"
}

@test "keys in order: hex in either case, long numbers, compared by value as the table join compares them" {
	printf 'op\tlr\tcount\n' > "$T/r"
	cp "$T/r" "$T/c"
	# in key order: integers by value, ties by their bytes, then the rest
	for k in 0x09 0x0A 0x0a 0x0B 0x0b 0x0c 0x1f 0x20 00033 0x21 33 \
	    9999999999999999999 0x8ac7230489e80000 0xffffffffffffffff \
	    18446744073709551615 0x10000000000000000 18446744073709551616 \
	    99999999999999999999 abc; do
		printf 'f\t%s\t%d\n' "$k" "${#k}" >> "$T/r"
		case $k in 0x0a | 0x0B | 33 | 0xffffffffffffffff) ;;
		*) printf 'f\t%s\t%d\n' "$k" "$((${#k} % 5 + 1))" >> "$T/c" ;; esac
	done
	agree "$T/r" "$T/c"
	agree "$T/c" "$T/r"
	run trace-join "$T/r" "$T/c"
	assert_line --index 7 "$(printf 'f\t0xffffffffffffffff\tmissing\t18\t0\t0.000000\tno')"
	assert_line --index 15 "$(printf 'f\t0x21\tmatched\t4\t5\t1.250000\tno')"
	assert_line --index 16 "$(printf 'f\t0x0a\tmissing\t4\t0\t0.000000\tno')"
	assert_line --index 19 "$(printf 'f\t33\tmissing\t2\t0\t0.000000\tno')"
	# in order by bytes, not by value: the table join
	printf 'op\tlr\tcount\nf\t0x0B\t1\nf\t0x0a\t1\n' > "$T/o"
	agree "$T/o" "$T/c"
	agree "$T/c" "$T/o"
	agree "$T/o" "$T/o"
	run trace-join "$T/o" "$T/o"
	assert_line --index 1 "$(printf 'f\t0x0a\tmatched\t1\t1\t1.000000\tno')"
}

@test "keys in order: files of several MiB, rows longer than a MiB, counts in no order" {
	awk 'BEGIN { print "op\tlr\tcount\ttid"
		long = "x"
		while (length(long) < 1500000)
			long = long long
		for (i = 0; i < 60000; i++) {
			c = (i * 7919) % 1009
			if (i == 30000)
				print "op\tlr\tcount\ttid"
			if (i % 20000 == 7)
				printf "f\t%d\t%d\t%s\n", 3 * i, c, long
			else
				printf "f\t%d\t%d\t1:%d\n", 3 * i, c, c
		} }' > "$T/r"
	awk -F '\t' 'NR == 1 || NR % 3 != 0 { print }
		NR % 3 == 1 && NR > 1 && $2 != "lr" { printf "f\t%d\t1\t2:1\n", $2 + 1 }' \
	    "$T/r" > "$T/c"
	[ "$(wc -c < "$T/r")" -gt 4000000 ]
	agree "$T/r" "$T/c"
	agree "$T/c" "$T/r"
	agree "$T/r" "$T/r"
}
