#!/usr/bin/env bats
# trace-key: key choice, weights, transforms, wrong input.
load helper

events() {
	printf 'op\tlr\thandle\ttid\tts\tfn\n'
	printf 'set\t0x82506c90\t0x0000104c\t15\t1999\tXEvent::Set\n'
	printf 'release\t0x82506b08\t0x00000010\t9\t-1\ta,b%%c\n'
	printf 'set\t0x82400000\t\t10\t3000\t\n'
	printf 'set\t0x82508624\t0x00000001\t10\t0\tw\n'
}

@test "default key op,lr; count 1; tallied tid, handle, ts" {
	events > "$T/ev"
	run trace-key "$T/ev"
	assert_success
	assert_line --index 0 "$(printf 'op\tlr\tcount\ttid\thandle\tts')"
	assert_line --index 1 "$(printf 'set\t0x82506c90\t1\t15\t0x0000104c\t1999')"
	assert_line --index 3 "$(printf 'set\t0x82400000\t1\t10\t\t3000')"
	[ "${#lines[@]}" -eq 5 ]
}

@test "-k and -a choose columns by name; attribute values are %-encoded" {
	events > "$T/ev"
	run trace-key -k lr -a fn,tid "$T/ev"
	assert_success
	assert_line --index 0 "$(printf 'lr\tcount\tfn\ttid')"
	assert_line --index 1 "$(printf '0x82506c90\t1\tXEvent%%3a%%3aSet\t15')"
	assert_line --index 2 "$(printf '0x82506b08\t1\ta%%2cb%%25c\t9')"
}

@test "a long attribute value is encoded wherever its special bytes lie" {
	# Values are scanned eight bytes at a time: put the bytes to encode
	# in the first word, in a later word, at a word's last byte and in
	# the tail.
	printf 'lr\tv\n' > "$T/ev"
	printf '0x1\tabcdefghijklmnop\n' >> "$T/ev"
	printf '0x2\tabcdefghij,lmnopq:stuvwxyz%%\n' >> "$T/ev"
	printf '0x3\tabcdefg:abcdefghi\n' >> "$T/ev"
	printf '0x4\t%%bcdefghabcdefgh\n' >> "$T/ev"
	run trace-key -k lr -a v "$T/ev"
	assert_success
	assert_line --index 1 "$(printf '0x1\t1\tabcdefghijklmnop')"
	assert_line --index 2 "$(printf '0x2\t1\tabcdefghij%%2clmnopq%%3astuvwxyz%%25')"
	assert_line --index 3 "$(printf '0x3\t1\tabcdefg%%3aabcdefghi')"
	assert_line --index 4 "$(printf '0x4\t1\t%%25bcdefghabcdefgh')"
}

@test "default attributes are those present; named ones must exist" {
	printf 'op\tlr\ttid\nset\t0x00000001\t4\n' > "$T/ev"
	run trace-key "$T/ev"
	assert_success
	assert_output "$(printf 'op\tlr\tcount\ttid\nset\t0x00000001\t1\t4')"
	run --separate-stderr trace-key -a tid,handle "$T/ev"
	assert_failure 2
	[ "$stderr" = "trace-key: $T/ev:1: no column 'handle' (columns: op, lr, tid)" ]
}

@test "a misspelled key column is an error naming the columns" {
	events > "$T/ev"
	run --separate-stderr trace-key -k op,rl "$T/ev"
	assert_failure 2
	[ "$stderr" = "trace-key: $T/ev:1: no column 'rl' (columns: op, lr, handle, tid, ts, fn)" ]
	[ -z "$output" ]
}

@test "a weight column replaces the count of 1" {
	printf 'op\tlr\tn\nset\t0x00000001\t5\nset\t0x00000001\t0\n' > "$T/ev"
	run trace-key -w n -a '' "$T/ev"
	assert_success
	assert_output "$(printf 'op\tlr\tcount\nset\t0x00000001\t5\nset\t0x00000001\t0')"
	printf 'op\tlr\tn\nset\t0x00000001\tx\n' > "$T/bad"
	run --separate-stderr trace-key -w n "$T/bad"
	assert_failure 2
	[ "$stderr" = "trace-key: $T/bad:2: weight column n: not a number: 'x'" ]
}

@test "symbolize: nearest preceding symbol, exact hit, below all, past size" {
	cat > "$T/syms" <<'EOT'
# address name [size]
0x82506B08 sub_82506B08
0x82508400 sub_82508400 0x200
2185000000 low_fn 0x10
EOT
	printf 'op\tlr\nset\t0x82506c90\nset\t0x82506b08\nset\t0x80000000\nset\t0x82508624\nset\t0x82508510\n' > "$T/ev"
	run --separate-stderr trace-key --symbolize lr="$T/syms" "$T/ev"
	assert_success
	assert_output "$(printf 'op\tlr\tcount\nset\tsub_82506B08+0x188\t1\nset\tsub_82506B08\t1\nset\t0x80000000\t1\nset\t0x82508624\t1\nset\tsub_82508400+0x110\t1')"
	[ "$stderr" = "trace-key: lr: 2 of 5 distinct addresses matched no symbol" ]
}

@test "symbols without sizes end at the next symbol; the last covers only itself" {
	# Without sizes, every address past the last symbol used to go to it.
	printf '0x1000 foo\n0x2000 _end\n' > "$T/syms"
	printf 'op\tlr\ntb\t0x1004\ntb\t0x2000\ntb\t0x2004\ntb\t0x2004\ntb\t0x10\ntb\t0x1fff\n' > "$T/ev"
	run --separate-stderr trace-key --symbolize lr="$T/syms" "$T/ev"
	assert_success
	[ "$output" = "$(printf 'op\tlr\tcount\ntb\tfoo+0x4\t1\ntb\t_end\t1\ntb\t0x00002004\t1\ntb\t0x00002004\t1\ntb\t0x00000010\t1\ntb\tfoo+0xfff\t1')" ]
	# Once per column, distinct addresses: 0x2004 twice counts once.
	[ "$stderr" = "trace-key: lr: 2 of 5 distinct addresses matched no symbol" ]
	run --separate-stderr trace-key --function lr="$T/syms" -a '' "$T/ev"
	assert_success
	[ "$(printf '%s\n' "$output" | cut -f2 | sort -u | tr '\n' ' ')" = "0x00000010 0x00002004 _end foo lr " ]
	[ "$stderr" = "trace-key: lr: 2 of 5 distinct addresses matched no symbol" ]
	# Every address matched: not a word.
	printf 'op\tlr\ntb\t0x1004\n' > "$T/ev"
	run --separate-stderr trace-key --symbolize lr="$T/syms" "$T/ev"
	assert_success
	[ -z "$stderr" ]
}

@test "symbol files: bad lines are errors with FILE:LINE" {
	printf '0x10 ok\nzz bad\n' > "$T/syms"
	printf 'op\tlr\nset\t0x10\n' > "$T/ev"
	run --separate-stderr trace-key --symbolize lr="$T/syms" "$T/ev"
	assert_failure 2
	[ "$stderr" = "trace-key: $T/syms:2: bad address 'zz': not a number" ]
	printf '0x10 ok\n0000000000401000 main\n' > "$T/syms"
	run --separate-stderr trace-key --symbolize lr="$T/syms" "$T/ev"
	assert_failure 2
	[ "$stderr" = "trace-key: $T/syms:2: bad address '0000000000401000': ambiguous: digits with a leading zero (write 0x for hex, no leading zeros for decimal)" ]
}

@test "bucket an integer column: floor to a multiple of the width" {
	events > "$T/ev"
	run trace-key -a ts --bucket ts=1000 "$T/ev"
	assert_success
	assert_output "$(printf 'op\tlr\tcount\tts\nset\t0x82506c90\t1\t1000\nrelease\t0x82506b08\t1\t-1000\nset\t0x82400000\t1\t3000\nset\t0x82508624\t1\t0')"
}

@test "mask an address column: low bits or a module base" {
	events > "$T/ev"
	run trace-key -a '' --mask lr=0xfffff000 "$T/ev"
	assert_line --index 1 "$(printf 'set\t0x82506000\t1')"
	run trace-key -a tid --mask lr=0xfffff000 "$T/ev"
	assert_success
	assert_line --index 1 "$(printf 'set\t0x82506000\t1\t15')"
	run trace-key -a tid --mask lr=0x00ffffff "$T/ev"
	assert_line --index 1 "$(printf 'set\t0x00506c90\t1\t15')"
	printf 'op\tlr\nset\tnot-an-address\n' > "$T/bad"
	run --separate-stderr trace-key --mask lr=0xff "$T/bad"
	assert_failure 2
	[ "$stderr" = "trace-key: $T/bad:2: column lr: not a number: 'not-an-address'" ]
}

@test "rename a column on output" {
	events > "$T/ev"
	run trace-key -a tid --rename lr=site --rename tid=thread "$T/ev"
	assert_success
	assert_line --index 0 "$(printf 'op\tsite\tcount\tthread')"
}

@test "wrong input: empty, header only, ragged rows, count as a column" {
	: > "$T/empty"
	run --separate-stderr trace-key "$T/empty"
	assert_failure 2
	[ "$stderr" = "trace-key: $T/empty: empty input (no header line)" ]
	printf 'op\tlr\n' > "$T/h"
	run trace-key "$T/h"
	assert_success
	assert_output "$(printf 'op\tlr\tcount')"
	printf 'op\tlr\nset\n' > "$T/r"
	run --separate-stderr trace-key "$T/r"
	assert_failure 2
	[ "$stderr" = "trace-key: $T/r:2: expected 2 fields, got 1" ]
	run trace-key -k count "$T/h"
	assert_failure 2
	run trace-key -k op,lr -a lr "$T/h"
	assert_failure 2
}

@test "usage and write errors" {
	run trace-key --help
	assert_success
	[[ "$output" == "usage: trace-key "* ]]
	run --separate-stderr trace-key -x
	assert_failure 2
	[ "${stderr_lines[0]}" = "trace-key: invalid option -- 'x'" ]
	events > "$T/ev"
	run bash -c 'trace-key "$1" > /dev/full' _ "$T/ev"
	assert_failure 2
}

@test "--function compares by function: the name without +0xOFF" {
	printf '0x82506B08 sub_82506B08\n0x82508400 sub_82508400 0x200\n' > "$T/syms"
	printf 'op\tlr\nset\t0x82506c90\nset\t0x82506b10\nset\t0x82508624\n' > "$T/ev"
	run --separate-stderr trace-key --function lr="$T/syms" "$T/ev"
	assert_success
	assert_output "$(printf 'op\tlr\tcount\nset\tsub_82506B08\t1\nset\tsub_82506B08\t1\nset\t0x82508624\t1')"
	[ "$stderr" = "trace-key: lr: 1 of 3 distinct addresses matched no symbol" ]
}

@test "--rename renames only; names stay unique" {
	printf 'op\tlr\nset\t0x824AB168\n' > "$T/ev"
	run trace-key --rename op=operation "$T/ev"
	assert_success
	assert_output "$(printf 'operation\tlr\tcount\nset\t0x824AB168\t1')"
	run --separate-stderr trace-key --rename lr=op "$T/ev"
	assert_failure 2
	[ "${stderr_lines[0]}" = "trace-key: two output columns would be named 'op' (see --rename)" ]
}

@test "default attributes: settled on the first input, keys left out" {
	printf 'op\tlr\ttid\nset\t0x1\t5\n' > "$T/a"
	run trace-key -k tid "$T/a"
	assert_success
	assert_output "$(printf 'tid\tcount\n5\t1')"
	printf 'op\tlr\nset\t0x1\n' > "$T/b"
	run --separate-stderr trace-key "$T/a" "$T/b"
	assert_failure 2
	[ "$stderr" = "trace-key: $T/b:1: no column 'tid' (columns: op, lr)" ]
	run trace-key "$T/b" "$T/a"
	assert_success
	assert_output "$(printf 'op\tlr\tcount\nset\t0x1\t1\nset\t0x1\t1')"
}

@test "bucket: no overflow at the bottom of the range" {
	printf 'op\tts\nset\t-9223372036854775808\n' > "$T/ev"
	run --separate-stderr trace-key -k op -a ts --bucket ts=3 "$T/ev"
	assert_failure 2
	[ "$stderr" = "trace-key: $T/ev:2: column ts: -9223372036854775808 has no bucket of width 3 in 64 bits" ]
	run trace-key -k op -a ts --bucket ts=2 "$T/ev"
	assert_success
	assert_line --index 1 "$(printf 'set\t1\t-9223372036854775808')"
}

@test "a run column is a default attribute after ts, unless it is a key" {
	{
		printf 'op\tlr\thandle\ttid\tts\trun\n'
		printf 'set\t0x00000001\t0x00000010\t4\t100\t1\n'
		printf 'set\t0x00000001\t0x00000010\t4\t120\t2\n'
	} > "$T/ev"
	run trace-key "$T/ev"
	assert_success
	assert_output "$(printf 'op\tlr\tcount\ttid\thandle\tts\trun
set\t0x00000001\t1\t4\t0x00000010\t100\t1
set\t0x00000001\t1\t4\t0x00000010\t120\t2')"
	run trace-key -k op,lr,run "$T/ev"
	assert_success
	assert_output "$(printf 'op\tlr\trun\tcount\ttid\thandle\tts
set\t0x00000001\t1\t1\t4\t0x00000010\t100
set\t0x00000001\t2\t1\t4\t0x00000010\t120')"
	# settled on the first input like the others; values %-encoded
	printf 'lr\trun\n0x1\ta:b\n' > "$T/a"
	run trace-key -k lr "$T/a" "$T/ev"
	assert_success
	assert_output "$(printf 'lr\tcount\trun\n0x1\t1\ta%%3ab\n0x00000001\t1\t1\n0x00000001\t1\t2')"
	run --separate-stderr trace-key -k lr "$T/ev" "$T/a"
	assert_failure 2
	[ "$stderr" = "trace-key: $T/a:1: no column 'tid' (columns: lr, run)" ]
	# -a chooses, run or not
	run trace-key -a tid "$T/ev"
	assert_success
	assert_line --index 0 "$(printf 'op\tlr\tcount\ttid')"
}

@test "a NUL in a quoted value is shown as \\0, not the end of the message" {
	printf '0x10 ok\nz\0z bad\n' > "$T/syms"
	printf 'op\tlr\nset\t0x10\n' > "$T/ev"
	run --separate-stderr trace-key --symbolize lr="$T/syms" "$T/ev"
	assert_failure 2
	[ "$stderr" = "trace-key: $T/syms:2: bad address 'z\\0z': not a number" ]
	printf 'op\tlr\nset\t0x1\0x\n' > "$T/ev"
	run --separate-stderr trace-key --mask lr=0xff "$T/ev"
	assert_failure 2
	[ "$stderr" = "trace-key: $T/ev:2: column lr: not a number: '0x1\\0x'" ]
	printf 'op\tlr\tcount\ttid\nset\t0x1\t1\t1:\0x\n' > "$T/h"
	run --separate-stderr trace-hist "$T/h"
	assert_failure 2
	[ "$stderr" = "trace-hist: $T/h:2: column tid: bad count in tally entry '1:\\0x'" ]
	printf 'op\tlr\tcount\nset\t0x1\t1\0x\n' > "$T/h"
	run --separate-stderr trace-join "$T/h" "$T/h"
	assert_failure 2
	[ "$stderr" = "trace-join: $T/h:2: bad count '1\\0x'" ]
}

@test "--timeline: tbin is ts rounded down, after the other attributes" {
	{
		printf 'op\tlr\thandle\ttid\tts\n'
		printf 'set\t0x1\t0x2\t15\t1999\n'
		printf 'set\t0x1\t0x2\t15\t2000\n'
		printf 'set\t0x1\t0x2\t15\t0\n'
		printf 'set\t0x1\t0x2\t15\t-1\n'
		printf 'set\t0x1\t0x2\t15\t-1000\n'
		printf 'set\t0x1\t0x2\t15\t-1001\n'
		printf 'set\t0x1\t0x2\t15\t999\n'
		printf 'set\t0x1\t0x2\t15\t0x7d0\n'
	} > "$T/ev"
	run trace-key --timeline 1000 "$T/ev"
	assert_success
	assert_line --index 0 "$(printf 'op\tlr\tcount\ttid\thandle\tts\ttbin')"
	assert_line --index 1 "$(printf 'set\t0x1\t1\t15\t0x2\t1999\t1000')"
	[ "$(printf '%s\n' "$output" | cut -f 7 | tr '\n' ' ')" = "tbin 1000 2000 0 -1000 -1000 -2000 0 2000 " ]
	# after the attributes -a names, ts among them or not
	run trace-key -a tid --timeline 1000 "$T/ev"
	assert_success
	assert_line --index 0 "$(printf 'op\tlr\tcount\ttid\ttbin')"
	assert_line --index 4 "$(printf 'set\t0x1\t1\t15\t-1000')"
	run trace-key -a ts,tid --timeline 1000 "$T/ev"
	assert_success
	assert_line --index 0 "$(printf 'op\tlr\tcount\tts\ttid\ttbin')"
	assert_line --index 6 "$(printf 'set\t0x1\t1\t-1001\t15\t-2000')"
	run trace-key -a '' --timeline 1000 "$T/ev"
	assert_success
	assert_line --index 0 "$(printf 'op\tlr\tcount\ttbin')"
	assert_line --index 1 "$(printf 'set\t0x1\t1\t1000')"
	# ts as a key with --bucket: tbin is rounded from the raw ts
	run trace-key -k op,ts -a '' --bucket ts=3000 --timeline 1000 "$T/ev"
	assert_success
	assert_line --index 0 "$(printf 'op\tts\tcount\ttbin')"
	assert_line --index 1 "$(printf 'set\t0\t1\t1000')"
	assert_line --index 6 "$(printf 'set\t-3000\t1\t-2000')"
	# without --timeline, nothing changes
	run trace-key "$T/ev"
	assert_success
	assert_line --index 0 "$(printf 'op\tlr\tcount\ttid\thandle\tts')"
}

@test "--timeline: ts going back and forth, far apart, in several files" {
	# Each row's bin is its own, whatever the row before had.
	printf 'op\tts\n' > "$T/a"
	for ts in 5 1500 999 1000 -1 2500 2999 3000 9223372036854775807 \
	    9223372036854775001 -9223372036854775000 -9223372036854774001 7; do
		printf 'set\t%s\n' "$ts" >> "$T/a"
	done
	printf 'ts\top\n1999\tset\n' > "$T/b"
	run trace-key -k op --timeline 1000 "$T/a" "$T/b"
	assert_success
	[ "$(printf '%s\n' "$output" | cut -f 4 | tr '\n' ' ')" = "tbin 0 1000 0 1000 -1000 2000 2000 3000 9223372036854775000 9223372036854775000 -9223372036854775000 -9223372036854775000 0 1000 " ]
	# 2^63-1 and -(2^63-1) are multiples of 7, 2^64-2 apart: a
	# difference that wraps around 64 bits to 2
	printf 'op\tts\nset\t9223372036854775807\nset\t-9223372036854775807\nset\t-9223372036854775801\n' > "$T/a"
	run trace-key -k op --timeline 7 "$T/a"
	assert_success
	[ "$(printf '%s\n' "$output" | cut -f 4 | tr '\n' ' ')" = "tbin 9223372036854775807 -9223372036854775807 -9223372036854775807 " ]
}

@test "--timeline: the suffixes s, ms, us and ns assume ts in nanoseconds" {
	printf 'op\tts\nset\t1999999999\nset\t-1\n' > "$T/ev"
	for w in 1s:1000000000:-1000000000 1000000000:1000000000:-1000000000 \
	    1ms:1999000000:-1000000 1us:1999999000:-1000 7ns:1999999995:-7 \
	    7:1999999995:-7 001ms:1999000000:-1000000 \
	    9223372036s:0:-9223372036000000000 \
	    9223372036854775807:0:-9223372036854775807; do
		run trace-key -k op --timeline "${w%%:*}" "$T/ev"
		assert_success
		[ "$output" = "$(printf 'op\tcount\tts\ttbin\nset\t1\t1999999999\t%s\nset\t1\t-1\t%s' \
		    "$(cut -d: -f2 <<< "$w")" "$(cut -d: -f3 <<< "$w")")" ] ||
		    fail "--timeline ${w%%:*}: $output"
	done
}

@test "--timeline: a bad width is a usage error" {
	printf 'op\tts\nset\t1\n' > "$T/ev"
	run --separate-stderr trace-key --timeline 1x "$T/ev"
	assert_failure 2
	[ "${stderr_lines[0]}" = "trace-key: --timeline: '1x': expected a positive integer, optionally followed by s, ms, us or ns" ]
	[ -z "$output" ]
	run --separate-stderr trace-key --timeline 0ms "$T/ev"
	assert_failure 2
	[ "${stderr_lines[0]}" = "trace-key: --timeline: '0ms': width must be between 1 and 2^63-1" ]
	for w in '' 0 -5 +5 ' 5' '5 ' 0x10 1.5 1e3 ms 1S 1mss 1m 1sec 1s1 \
	    9223372036854775808 18446744073709551616 9223372037s \
	    9223372036854776us 99999999999999999999999ns; do
		run --separate-stderr trace-key --timeline "$w" "$T/ev"
		assert_failure 2
		[[ "${stderr_lines[0]}" == "trace-key: --timeline: '$w': "* ]] ||
		    fail "--timeline '$w': $stderr"
	done
}

@test "--timeline: wrong input and name clashes" {
	# no ts column
	printf 'op\tlr\nset\t0x1\n' > "$T/nots"
	run --separate-stderr trace-key --timeline 10 "$T/nots"
	assert_failure 2
	[ "$stderr" = "trace-key: $T/nots:1: no column 'ts' (columns: op, lr); expected a ts column for --timeline" ]
	# ... in a later file
	printf 'op\tlr\tts\nset\t0x1\t5\n' > "$T/ev"
	run --separate-stderr trace-key -a '' --timeline 10 "$T/ev" "$T/nots"
	assert_failure 2
	[ "$stderr" = "trace-key: $T/nots:1: no column 'ts' (columns: op, lr); expected a ts column for --timeline" ]
	# a ts that is not an integer, with FILE:LINE
	printf 'op\tlr\tts\nset\t0x1\t5\nset\t0x1\t1.5\n' > "$T/bad"
	run --separate-stderr trace-key --timeline 10 "$T/bad"
	assert_failure 2
	[ "$stderr" = "trace-key: $T/bad:3: column ts: not an integer: '1.5'" ]
	printf 'op\tlr\tts\nset\t0x1\tsoon\n' > "$T/bad"
	run --separate-stderr trace-key -a '' --timeline 10 "$T/bad"
	assert_failure 2
	[ "$stderr" = "trace-key: $T/bad:2: column ts: not a number: 'soon'" ]
	# a bin below -2^63
	printf 'op\tts\nset\t-9223372036854775808\n' > "$T/min"
	run --separate-stderr trace-key -k op --timeline 3 "$T/min"
	assert_failure 2
	[ "$stderr" = "trace-key: $T/min:2: column ts: -9223372036854775808 has no time bin of width 3 in 64 bits" ]
	run trace-key -k op --timeline 2 "$T/min"
	assert_success
	assert_line --index 1 "$(printf 'set\t1\t-9223372036854775808\t-9223372036854775808')"
	# tbin: in the input, as a key or attribute, or renamed to
	printf 'op\tts\ttbin\nset\t5\t0\n' > "$T/tb"
	run --separate-stderr trace-key -k op --timeline 10 "$T/tb"
	assert_failure 2
	[ "$stderr" = "trace-key: $T/tb:1: the input has a column 'tbin', the column --timeline writes (rename it)" ]
	run --separate-stderr trace-key -k op,tbin --timeline 10 "$T/tb"
	assert_failure 2
	[ "${stderr_lines[0]}" = "trace-key: 'tbin' cannot be a key or attribute column with --timeline (it is the column --timeline writes)" ]
	run --separate-stderr trace-key -k op -a tbin --timeline 10 "$T/tb"
	assert_failure 2
	[ "${stderr_lines[0]}" = "trace-key: 'tbin' cannot be a key or attribute column with --timeline (it is the column --timeline writes)" ]
	run --separate-stderr trace-key --rename lr=tbin --timeline 10 "$T/ev"
	assert_failure 2
	[ "${stderr_lines[0]}" = "trace-key: --rename: 'tbin' is the column --timeline writes" ]
	# without --timeline, tbin is a column like any other
	run trace-key -k op -a tbin "$T/tb"
	assert_success
	assert_output "$(printf 'op\tcount\ttbin\nset\t1\t0')"
	run trace-key --rename lr=tbin "$T/ev"
	assert_success
	assert_line --index 0 "$(printf 'op\ttbin\tcount\tts')"
}

@test "--timeline: an empty ts gives an empty tbin" {
	printf 'op\tts\tx\nset\t\ta\nset\t2500\tb\nset\t\tc' > "$T/ev"
	run trace-key -k op -a x --timeline 1000 "$T/ev"
	assert_success
	assert_output "$(printf 'op\tcount\tx\ttbin\nset\t1\ta\t\nset\t1\tb\t2000\nset\t1\tc\t')"
	run bash -c 'trace-key -k op --timeline 1000 "$1" > /dev/full' _ "$T/ev"
	assert_failure 2
}

# Rows without transforms are copied straight into the output buffer;
# with one (--mask here) they go field by field.  Both write keys as
# they are, values %-encoded, the weight in canonical decimal, and check
# tids.
@test "rows with and without a transform are written alike" {
	{
		printf 'op\tlr\tn\ttid\tv\n'
		printf 'a:b\t0x1\t007\t12\tx,y%%z:w\n'
		printf 'a\t0x2\t0\t-3\tabcdefgh:ijklmnopq,%%\n'
		printf 'b\t\t18446744073709551615\tmain\t\n'
	} > "$T/e"
	want=$(printf 'op\tlr\tcount\ttid\tv
a:b\t0x1\t7\t12\tx%%2cy%%25z%%3aw
a\t0x2\t0\t-3\tabcdefgh%%3aijklmnopq%%2c%%25
b\t\t18446744073709551615\tmain\t')
	run trace-key -a tid,v -w n "$T/e"
	assert_success
	assert_output "$want"
	run trace-key -a tid,v -w n --mask lr=0xff "$T/e"
	assert_success
	assert_output "$(printf '%s\n' "$want" | sed 's/0x\([12]\)\t/0x0000000\1\t/')"
	for m in '' '--mask lr=0xff'; do
		cp "$T/e" "$T/e2"
		printf 'c\t0x3\t1\t123456789012345678901\tv\n' >> "$T/e2"
		run trace-key $m -a tid,v "$T/e2"
		assert_failure 2
		assert_output --partial "e2:5: column tid: tid '123456789012345678901' is not a canonical integer"
		cp "$T/e" "$T/e2"
		printf 'd\t0x4\t1\t012\tv\n' >> "$T/e2"
		run trace-key $m -a tid,v "$T/e2"
		assert_failure 2
		assert_output --partial "e2:5: column tid: tid '012' is not a canonical integer"
		cp "$T/e" "$T/e2"
		printf 'd\t0x4\tx\t1\tv\n' >> "$T/e2"
		run trace-key $m -a tid,v -w n "$T/e2"
		assert_failure 2
		assert_output --partial "e2:5: weight column n: "
	done
}

# Rows are read a block at a time and a row's values are copied as they
# are when it holds no '%', ',' or ':'; a row that does, in a key (not
# encoded) or a tallied value (encoded), sits between rows that do not,
# one ending in "\r\n", a long one with the byte past its first 64, and
# the last without a newline.
@test "values to %-encode between rows without, in keys, long rows, CRLF" {
	long=$(head -c 70 /dev/zero | tr '\0' 'y')
	printf 'op\tlr\ttid\thandle\tts\nset\ta:b\t1\th\t5\nset\tx\t2\th,1\t6\r\nset\tx\t3\th\t7\nset\t%s\t4\t%s:\t8\nset\tx\t5\t%%:,\t9' "$long" "$long" > "$T/e"
	run trace-key "$T/e"
	assert_success
	assert_output "$(printf 'op\tlr\tcount\ttid\thandle\tts\nset\ta:b\t1\t1\th\t5\nset\tx\t1\t2\th%%2c1\t6\nset\tx\t1\t3\th\t7\nset\t%s\t1\t4\t%s%%3a\t8\nset\tx\t1\t5\t%%25%%3a%%2c\t9' "$long" "$long")"
}

# Rows are split by masks of 64 bytes at a time, made by AVX2, SSE2 or
# byte by byte (TRACE_TOOLS_SIMD): with each, rows of every length put
# tabs, newlines and bytes to encode at every offset of a piece, some
# rows end in "\r\n", some are longer than 2 KiB; and a short row late
# in the stream is named by its line.
@test "each SIMD path splits rows alike, bytes to encode at every offset" {
	awk 'function str(n, s, i) {
		s = ""
		for (i = 0; i < n; i++)
			s = s substr("abc%,:xyz", 1 + (i * 7 + n) % \
			    (n % 3 ? 9 : 6), 1)
		return s
	}
	BEGIN {
		print "op\tlr\thandle\ttid\tts"
		for (i = 0; i < 700; i++) {
			h = str((i * 13) % 71)
			if (i % 97 == 5)
				h = h str(2500 + i)
			printf "o%d\t%s\t%s\t%d\t%d%s\n", i % 5, str(i % 67),
			    h, i % 11, i * 3, i % 9 == 4 ? "\r" : ""
		}
	}' > "$T/ev"
	awk -F'\t' -v OFS='\t' 'NR == 1 {
		print "op", "lr", "count", "tid", "handle", "ts"
		next
	}
	{
		sub(/\r$/, "")
		h = $3
		gsub(/%/, "%25", h)
		gsub(/,/, "%2c", h)
		gsub(/:/, "%3a", h)
		print $1, $2, 1, $4, h, $5
	}' "$T/ev" > "$T/want"
	awk 'NR == 600 { sub(/\t[0-9]+\r?$/, "") } 1' "$T/ev" > "$T/short"
	for p in $(simd_paths); do
		TRACE_TOOLS_SIMD=$p trace-key "$T/ev" > "$T/out.$p"
		cmp "$T/want" "$T/out.$p"
		TRACE_TOOLS_SIMD=$p run trace-key "$T/short"
		assert_failure 2
		assert_line "trace-key: $T/short:600: expected 5 fields, got 4"
	done
	# an unknown path is an error before any output, even on no rows
	head -n 1 "$T/ev" > "$T/hdr"
	for f in "$T/ev" "$T/hdr"; do
		TRACE_TOOLS_SIMD=sse3 run --separate-stderr trace-key "$f"
		assert_failure 2
		[ "$output" = "" ]
		[ "$stderr" = "trace-key: TRACE_TOOLS_SIMD: unknown value 'sse3' (scalar, sse2 or avx2)" ]
	done
}

@test "each SIMD path: rows of every length and offset, fields about 32 bytes" {
	# Rows of 12 to 100 bytes start at every offset of the pieces of 64
	# bytes and cross them and the pieces classified at once; fields of
	# 0 to 40 bytes, so that some are just under, at and over the 32
	# bytes copied at once; columns reordered and one left out; "\r" on
	# some rows; a header again.
	awk 'BEGIN {
		pad = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ"
		print "op\tlr\thandle\tjunk\ttid\tts"
		for (i = 0; i < 3000; i++) {
			printf "o%s\t%s\t%s\tj%d\t%d\t%d%s\n",
			    substr(pad, 1, i % 41), substr(pad, 1, (i * 7) % 37),
			    substr(pad, 1, (i * 13) % 35), i % 3, 1 + i % 97,
			    i * 31, i % 9 == 4 ? "\r" : ""
			if (i == 1700)
				print "op\tlr\thandle\tjunk\ttid\tts"
		}
	}' > "$T/ev"
	awk -F'\t' -v OFS='\t' 'NR == 1 {
		print "op", "lr", "count", "tid", "handle", "ts"
		next
	}
	$1 != "op" {
		sub(/\r$/, "")
		print $1, $2, 1, $5, $3, $6
	}' "$T/ev" > "$T/want"
	# late short rows: a field too many, a field too few, a bad tid
	awk 'NR == 2501 { sub(/\tj/, "\t\tj") } 1' "$T/ev" > "$T/more"
	awk 'NR == 2502 { sub(/\tj[0-9]/, "") } 1' "$T/ev" > "$T/less"
	awk -F'\t' -v OFS='\t' 'NR == 2503 { $5 = "0" $5 } 1' "$T/ev" > "$T/tid"
	for p in $(simd_paths); do
		TRACE_TOOLS_SIMD=$p trace-key "$T/ev" > "$T/out.$p"
		cmp "$T/want" "$T/out.$p"
		for e in "more:2501: expected 6 fields, got 7" \
		    "less:2502: expected 6 fields, got 5" \
		    "tid:2503: column tid: tid '0"; do
			TRACE_TOOLS_SIMD=$p run trace-key "$T/${e%%:*}"
			assert_failure 2
			assert_line --partial "trace-key: $T/$e"
		done
	done
}
