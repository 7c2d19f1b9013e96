#!/usr/bin/env bats
# trace-normalize: schemas, formats, derivations, bad input.
load helper

CANARY="$EX/xenia/canary.schema"
OURS="$EX/xenia/ours.schema"

# Events as one list, written in both xenia schemas by jq.
events() {
	cat <<'EOT'
{"op":"release","fn":"NtReleaseSemaphore","lr":2185933160,"handle":4172,"tid":15,"ts":100,"pc":"0x8284E07C"}
{"op":"set","fn":"Nt\u0053etEvent","lr":2185929456,"handle":4172,"tid":6,"ts":101,"pc":"0x824AA2F0"}
{"op":"set","fn":"XEvent::Set","lr":2185929456,"handle":16,"tid":6,"ts":102,"pc":"0x8284dddc"}
{"op":"release","fn":"xeKeReleaseSemaphore","lr":2186366992,"handle":4294967296,"tid":27,"ts":103,"pc":"0x8284e49c"}
{"op":"set","fn":"KeSetEvent","lr":4294967295,"handle":0,"tid":9,"ts":104,"pc":"0x8284DF5C"}
EOT
}

# The reference writes decimal integers, in its own key order.
canary_of() {
	jq -c '{fn, handle, count: 1, lr, op, tid, host_ns: .ts}'
}

# The candidate writes hex strings (mixed case) and tracer registers.
ours_of() {
	python3 -c '
import json, sys
for i, line in enumerate(sys.stdin):
    e = json.loads(line)
    print(json.dumps({"pc": e["pc"], "tid": e["tid"], "hw": 1,
        "cycle": e["ts"],
        "r3": ("0x%08X" if i % 2 else "0x%08x") % e["handle"],
        "r4": "0x00000001",
        "lr": ("0X%x" if i % 2 else "0x%X") % e["lr"]}))'
}

# scalar_ref IN ARGS...: trace-normalize --threads 1 ARGS --skip-bad on
# IN with the scalar walk, which remembers and guesses nothing: its rows,
# bad lines and messages in $T/out.ref, $T/bad.ref and $T/err.ref.
scalar_ref() {
	local in=$1
	shift
	TRACE_TOOLS_SIMD=scalar trace-normalize --threads 1 "$@" --skip-bad \
	    --bad-lines "$T/bad.ref" "$in" > "$T/out.ref" 2> "$T/err.ref"
}

# paths_as_ref IN ARGS...: the same on each JSON Lines path this machine
# runs (simd_paths), each giving scalar_ref's very files.
paths_as_ref() {
	local in=$1 p
	shift
	for p in $(simd_paths); do
		TRACE_TOOLS_SIMD=$p trace-normalize --threads 1 "$@" --skip-bad \
		    --bad-lines "$T/bad" "$in" > "$T/out" 2> "$T/err"
		assert_same "$T/out.ref" "$T/out"
		assert_same "$T/bad.ref" "$T/bad"
		assert_same "$T/err.ref" "$T/err"
	done
}

expected_events() {
	printf 'op\tlr\thandle\ttid\tts\n'
	printf 'release\t0x824ab168\t0x0000104c\t15\t100\n'
	printf 'set\t0x824aa2f0\t0x0000104c\t6\t101\n'
	printf 'set\t0x824aa2f0\t0x00000010\t6\t102\n'
	printf 'release\t0x82515010\t0x100000000\t27\t103\n'
	printf 'set\t0xffffffff\t0x00000000\t9\t104\n'
}

@test "canary schema: decimal integers become canonical addresses" {
	events | canary_of > "$T/c.jsonl"
	expected_events > "$T/want"
	run trace-normalize -s "$CANARY" "$T/c.jsonl"
	assert_success
	echo "$output" > "$T/got"
	assert_same "$T/want" "$T/got"
}

@test "both xenia schemas turn the same events into identical streams" {
	events | canary_of > "$T/c.jsonl"
	events | ours_of > "$T/o.jsonl"
	trace-normalize -s "$CANARY" "$T/c.jsonl" > "$T/c.tsv"
	trace-normalize -s "$OURS" "$T/o.jsonl" > "$T/o.tsv"
	assert_same "$T/c.tsv" "$T/o.tsv"
	grep -q '0X' "$T/o.jsonl"	# the input really mixed spellings
}

@test "JSONL, CSV, TSV, gzip and zstd copies normalize identically" {
	events | canary_of > "$T/c.jsonl"
	jq -r '[.fn, .handle, .lr, .tid, .host_ns] | @csv' "$T/c.jsonl" |
	    sed '1i fn,handle,lr,tid,host_ns' > "$T/c.csv"
	jq -r '[.fn, .handle, .lr, .tid, .host_ns] | @tsv' "$T/c.jsonl" |
	    sed '1i fn\thandle\tlr\ttid\thost_ns' > "$T/c.tsv"
	gzip -c "$T/c.jsonl" > "$T/c.jsonl.gz"
	zstd -q -c "$T/c.jsonl" > "$T/c.zst"
	cp "$T/c.jsonl.gz" "$T/misnamed.csv"
	trace-normalize -s "$CANARY" "$T/c.jsonl" > "$T/want"
	for f in c.csv c.tsv c.jsonl.gz c.zst misnamed.csv; do
		run trace-normalize -s "$CANARY" -f auto "$T/$f"
		assert_success
		echo "$output" > "$T/got"
		assert_same "$T/want" "$T/got"
	done
	# Compressed data on standard input is detected as well.
	trace-normalize -s "$CANARY" - < "$T/c.zst" > "$T/got"
	assert_same "$T/want" "$T/got"
}

@test "several inputs form one stream; - and no operand read stdin" {
	events | canary_of > "$T/c.jsonl"
	head -2 "$T/c.jsonl" > "$T/a"
	tail -n +3 "$T/c.jsonl" > "$T/b"
	trace-normalize -s "$CANARY" "$T/c.jsonl" > "$T/want"
	trace-normalize -s "$CANARY" "$T/a" "$T/b" > "$T/got"
	assert_same "$T/want" "$T/got"
	trace-normalize -s "$CANARY" "$T/a" - < "$T/b" > "$T/got"
	assert_same "$T/want" "$T/got"
	trace-normalize -s "$CANARY" < "$T/c.jsonl" > "$T/got"
	assert_same "$T/want" "$T/got"
}

@test "JSON: any key order, whitespace, nested unused values, escapes" {
	cat > "$T/in" <<'EOT'
{"lr":1,"op":"a\"b\\c\ttab","x":{"deep":[1,{"y":[true,null]}]},"tid":2}
  {  "tid" : 3 ,	"op":"\u00e9\ud83d\ude00" , "lr" : "0x10"  }  
{"op":"plain","lr":"0XAbC","tid":-4,"z":[]}
EOT
	run trace-normalize -c op -c lr -c tid "$T/in"
	assert_success
	assert_line --index 0 "$(printf 'op\tlr\ttid')"
	assert_line --index 1 "$(printf 'a"b\\\\c\\ttab\t0x00000001\t2')"
	assert_line --index 2 "$(printf '\xc3\xa9\xf0\x9f\x98\x80\t0x00000010\t3')"
	assert_line --index 3 "$(printf 'plain\t0x00000abc\t-4')"
}

@test "JSON: a key written with escapes matches its field" {
	printf '{"l\\u0072": 16, "op": "x"}\n' > "$T/in"
	run trace-normalize -c op -c lr "$T/in"
	assert_success
	assert_line --index 1 "$(printf 'x\t0x00000010')"
}

@test "op-map compares numbers after canonicalization" {
	cat > "$T/in" <<'EOT'
{"pc":"0x824aa2f0","lr":1}
{"pc":2185929456,"lr":2}
{"pc":"0X824AA2F0","lr":3}
{"pc":"0x00824AA2F0","lr":4}
{"pc":"824AA2F0","lr":5}
EOT
	run trace-normalize -c lr --op-map pc:0x824AA2F0=set --op-value other "$T/in"
	assert_success
	assert_output "$(printf 'op\tlr\nset\t0x00000001\nset\t0x00000002\nset\t0x00000003\nset\t0x00000004\nother\t0x00000005')"
}

@test "\"0x\" and eight hex digits: either case, a bad digit at any place refused" {
	# the usual 32-bit address has a path of its own: each of its
	# eight places holds, in turn, a byte that is not a hex digit (some
	# are one once 0x20 is or-ed in: '/' ':' '@' '`' 'G' 'g')
	printf '{"pc":"0X824AA2F0","lr":"0X824AA2F0","h":"0x0000ABcd"}\n' > "$T/in"
	s=824aa2f0
	for i in 0 1 2 3 4 5 6 7; do
		for b in G g / : @ '`' ' '; do
			v="0x${s:0:i}$b${s:i+1}"
			printf '{"pc":"%s","lr":"%s","h":"0x1"}\n' "$v" "$v" >> "$T/in"
		done
	done
	printf '{"pc":"0x824aa2F0","lr":"0xffffffff","h":"0x00000000"}\n' >> "$T/in"
	run --separate-stderr trace-normalize --skip-bad --bad-lines "$T/bad" \
	    -c lr -c handle=h --op-value x "$T/in"
	assert_success
	[ "$output" = "$(printf 'op\tlr\thandle\nx\t0x824aa2f0\t0x0000abcd\nx\t0xffffffff\t0x00000000')" ]
	[ "$(cut -f3 "$T/bad" | grep -c "^field lr: not a number: '0x")" -eq 56 ]
	[[ "$stderr" == *"skipped 56 of 58 records (first: $T/in:2: field lr: not a number: '0xG24aa2f0')"* ]]
	# an op-map on the same values: mixed case matches, no bad one does
	run --separate-stderr trace-normalize --skip-bad -c lr -c handle=h \
	    --op-map pc:0x824AA2F0=set --op-map pc:0x824AA2F1=set "$T/in"
	assert_success
	[ "$output" = "$(printf 'op\tlr\thandle\nset\t0x824aa2f0\t0x0000abcd\nset\t0xffffffff\t0x00000000')" ]
	[[ "$stderr" == *"skipped 56 of 58 records (first: $T/in:2: no op rule matches this record)"* ]]
}

@test "op-map on text compares exactly" {
	printf '{"k":"NtSetEvent","lr":1}\n{"k":"ntsetevent","lr":2}\n' > "$T/in"
	run trace-normalize -c lr --op-map k:NtSetEvent=set --op-value none "$T/in"
	assert_success
	assert_output "$(printf 'op\tlr\nset\t0x00000001\nnone\t0x00000002')"
}

@test "op-contains: ordered rules, first match wins, then op-field" {
	cat > "$T/in" <<'EOT'
{"fn":"NtReleaseSemaphore","lr":1}
{"fn":"xeKeReleaseSemaphore","lr":2}
{"fn":"KeSetEvent","lr":3}
{"fn":"SetAndRelease","lr":4}
{"fn":"Wait","op":"wait","lr":5}
{"op":"set","lr":6}
EOT
	run trace-normalize -s "$CANARY" -c handle --optional handle,tid,ts "$T/in"
	assert_success
	assert_output "$(printf 'op\tlr\thandle\ttid\tts\nrelease\t0x00000001\t\t\t\nrelease\t0x00000002\t\t\t\nset\t0x00000003\t\t\t\nrelease\t0x00000004\t\t\t\nwait\t0x00000005\t\t\t\nset\t0x00000006\t\t\t')"
}

@test "op-contains: rules on one field first, a nested value, an absent one, rules after them" {
	printf '{"fn":{"c":1},"lr":1}\n' > "$T/nested"
	run --separate-stderr trace-normalize -c lr --op-contains fn:c=C "$T/nested"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/nested:1: field fn: expected a scalar, got an object or array" ]
	cat > "$T/in" <<'EOT'
{"fn":"abc","lr":1}
{"lr":2,"g":"bx"}
{"fn":"xyz","g":"b","lr":3}
{"fn":"cab","lr":4}
{"fn":"xyz","lr":5}
{"fn":"q","lr":6}
{"fn":"b","lr":7}
EOT
	run trace-normalize -c lr --op-contains fn:c=C --op-contains fn:b=B \
	    --op-contains g:b=G --op-contains fn:y=Y --op-value V "$T/in"
	assert_success
	assert_output "$(printf 'op\tlr\nC\t0x00000001\nG\t0x00000002\nG\t0x00000003\nC\t0x00000004\nY\t0x00000005\nV\t0x00000006\nB\t0x00000007')"
}

@test "unmatched records: error by default, drop counted, or a fixed value" {
	printf '{"pc":1,"lr":1}\n{"pc":2,"lr":2}\n{"pc":3,"lr":3}\n' > "$T/in"
	run --separate-stderr trace-normalize -c lr --op-map pc:1=set "$T/in"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/in:2: no op rule matches this record" ]
	run --separate-stderr trace-normalize -c lr --op-map pc:1=set --unmatched drop "$T/in"
	assert_success
	assert_output "$(printf 'op\tlr\nset\t0x00000001')"
	[ "$stderr" = "trace-normalize: dropped 2 of 3 records that match no op rule" ]
	run --separate-stderr trace-normalize -q -c lr --op-map pc:1=set --unmatched drop "$T/in"
	[ -z "$stderr" ]
	run trace-normalize -c lr --op-map pc:1=set --op-value unknown "$T/in"
	assert_output "$(printf 'op\tlr\nset\t0x00000001\nunknown\t0x00000002\nunknown\t0x00000003')"
}

@test "extra columns and a file column" {
	printf '{"fn":"A\\tB","pc":"0x8284DDDC","lr":1}\n' > "$T/in"
	run trace-normalize -c lr -c fn -c pc=pc:addr --file-column src --op-value set "$T/in"
	assert_success
	assert_output "$(printf 'op\tlr\tfn\tpc\tsrc\nset\t0x00000001\tA\\tB\t0x8284dddc\t%s' "$T/in")"
}

@test "column types: hex without prefix, int from hex, str from numbers" {
	printf '{"a":"824AB168","t":"0x10","s":12.5,"b":true}\n' > "$T/in"
	run trace-normalize -c lr=a:hex -c tid=t -c s -c b "$T/in"
	assert_success
	assert_output "$(printf 'lr\ttid\ts\tb\n0x824ab168\t16\t12.5\ttrue')"
}

@test "no mapping at all: canonical columns from same-named fields" {
	printf 'ts\ttid\tlr\textra\n5\t1\t0X10\tz\n6\t2\t\tz\n' > "$T/in.tsv"
	run trace-normalize "$T/in.tsv"
	assert_success
	assert_output "$(printf 'op\tlr\thandle\ttid\tts\n\t0x00000010\t\t1\t5\n\t\t\t2\t6')"
}

@test "CSV: RFC 4180 quoting, embedded commas, quotes and newlines" {
	printf 'fn,lr,note\n"Set, ""quoted""",16,"two\nlines"\nplain,17,x\n' > "$T/in.csv"
	run trace-normalize -c lr -c fn -c note --op-value set "$T/in.csv"
	assert_success
	assert_line --index 1 "$(printf 'set\t0x00000010\tSet, "quoted"\ttwo\\nlines')"
	assert_line --index 2 "$(printf 'set\t0x00000011\tplain\tx')"
}

@test "CSV: malformed quoting and ragged rows are errors with FILE:LINE" {
	printf 'fn,lr\na"b,1\n' > "$T/q.csv"
	run --separate-stderr trace-normalize -c lr --op-value s "$T/q.csv"
	assert_failure 2
	[[ "$stderr" == "trace-normalize: $T/q.csv:2: malformed CSV: "* ]]
	printf 'fn,lr\nx,1,extra\n' > "$T/r.csv"
	run --separate-stderr trace-normalize -c lr --op-value s "$T/r.csv"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/r.csv:2: expected 2 fields, got 3" ]
	printf 'fn,lr\n"open,1\n' > "$T/u.csv"
	run --separate-stderr trace-normalize -c lr --op-value s "$T/u.csv"
	assert_failure 2
	[[ "$stderr" == *"$T/u.csv:2: malformed CSV: unterminated quoted field" ]]
}

@test "TSV input: escapes are undone before values are used" {
	printf 'op\tlr\tfn\nse\\\\t\t0x10\ta\\tb\n' > "$T/in.tsv"
	run trace-normalize -c op -c lr -c fn "$T/in.tsv"
	assert_success
	assert_line --index 1 "$(printf 'se\\\\t\t0x00000010\ta\\tb')"
	printf 'op\tlr\nx\\q\t1\n' > "$T/bad.tsv"
	run --separate-stderr trace-normalize -c op -c lr "$T/bad.tsv"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/bad.tsv:2: field op: bad escape sequence" ]
}

@test "a malformed record stops the run with FILE:LINE: reason and exit 2" {
	printf '{"lr":1,"op":"a"}\n{"lr":2,"op":"b"\n{"lr":3,"op":"c"}\n' > "$T/in"
	run --separate-stderr trace-normalize -c op -c lr "$T/in"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/in:2: truncated JSON (unterminated string, object or array)" ]
}

@test "--skip-bad counts skips; --bad-lines keeps them with file and line" {
	cat > "$T/in" <<'EOT'
{"lr":1,"op":"a"}
{"lr":2,"op":"b"
{"lr":-3,"op":"c"}

{"op":"d"}
{"lr":5,"op":"e"}
EOT
	run --separate-stderr trace-normalize -c op -c lr --skip-bad --bad-lines "$T/bad.tsv" "$T/in"
	assert_success
	assert_output "$(printf 'op\tlr\na\t0x00000001\ne\t0x00000005')"
	[ "${stderr_lines[0]}" = "trace-normalize: skipped 3 of 5 records (first: $T/in:2: truncated JSON (unterminated string, object or array))" ]
	[ "${stderr_lines[1]}" = "trace-normalize: ignored 1 blank line" ]
	run cat "$T/bad.tsv"
	assert_line --index 0 "$(printf 'file\tline\treason\trecord')"
	assert_line --index 1 "$(printf '%s\t2\ttruncated JSON (unterminated string, object or array)\t{"lr":2,"op":"b"' "$T/in")"
	assert_line --index 2 "$(printf '%s\t3\tfield lr: negative number where an address is expected: '"'"'-3'"'"'\t{"lr":-3,"op":"c"}' "$T/in")"
	assert_line --index 3 "$(printf "%s\t5\tmissing field 'lr'\t{\"op\":\"d\"}" "$T/in")"
	[ "${#lines[@]}" -eq 4 ]
}

@test "a missing mapped field is malformed unless the column is optional" {
	printf '{"lr":1}\n{"lr":2,"handle":5}\n' > "$T/in"
	run --separate-stderr trace-normalize -c lr -c handle "$T/in"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/in:1: missing field 'handle'" ]
	run trace-normalize -c lr -c handle --optional handle "$T/in"
	assert_success
	assert_output "$(printf 'lr\thandle\n0x00000001\t\n0x00000002\t0x00000005')"
	# null and "" mean absent too
	printf '{"lr":1,"handle":null}\n{"lr":1,"handle":""}\n' > "$T/n"
	run trace-normalize -c lr -c handle --optional handle "$T/n"
	assert_output "$(printf 'lr\thandle\n0x00000001\t\n0x00000001\t')"
}

@test "number edge cases in addresses and integers" {
	for v in '1.5' '1e3' '-1' '"0x"' '"12a"' '18446744073709551616' \
	    '"0x10000000000000000"' 'true' '{}' '[1]'; do
		printf '{"lr":%s}\n' "$v" > "$T/in"
		run trace-normalize -c lr "$T/in"
		assert_failure 2
	done
	printf '{"lr":18446744073709551615,"tid":"-9223372036854775808"}\n' > "$T/in"
	run trace-normalize -c lr -c tid "$T/in"
	assert_success
	assert_line --index 1 "$(printf '0xffffffffffffffff\t-9223372036854775808')"
}

@test "JSON: duplicate key of a used field is an error; of an unused one, not" {
	printf '{"lr":1,"lr":2}\n' > "$T/in"
	run --separate-stderr trace-normalize -c lr "$T/in"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/in:1: duplicate key 'lr'" ]
	printf '{"lr":1,"x":2,"x":3}\n' > "$T/in"
	run trace-normalize -c lr "$T/in"
	assert_success
}

@test "JSON: top-level scalars, arrays and trailing garbage are errors" {
	for l in '42' '[1]' '"s"' '{"lr":1} x' '{"lr":1}{"lr":2}'; do
		printf '%s\n' "$l" > "$T/in"
		run trace-normalize -f jsonl -c lr "$T/in"
		assert_failure 2
	done
}

@test "input encoding: CRLF, BOM, no final newline, NUL, invalid UTF-8" {
	printf '\xef\xbb\xbf{"lr":1,"op":"a"}\r\n{"lr":2,"op":"b"}' > "$T/in"
	run trace-normalize -c op -c lr "$T/in"
	assert_success
	assert_output "$(printf 'op\tlr\na\t0x00000001\nb\t0x00000002')"
	printf '{"lr":1,"op":"a\0b"}\n' > "$T/nul"
	run --separate-stderr trace-normalize -c op -c lr "$T/nul"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/nul:1: NUL byte at column 16" ]
	printf '{"lr":1,"op":"a\xffb"}\n' > "$T/utf"
	run --separate-stderr trace-normalize -c op -c lr "$T/utf"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/utf:1: op: invalid UTF-8 at byte 2" ]
	printf '{"lr":1,"op":"a\\u0000b"}\n' > "$T/u0"
	run trace-normalize -c op -c lr "$T/u0"
	assert_failure 2
}

@test "empty input and header-only input give a header only" {
	: > "$T/empty"
	run trace-normalize -s "$CANARY" "$T/empty"
	assert_success
	assert_output "$(printf 'op\tlr\thandle\ttid\tts')"
	printf 'fn,lr,handle,tid,host_ns\n' > "$T/h.csv"
	run trace-normalize -s "$CANARY" -f auto "$T/h.csv"
	assert_success
	assert_output "$(printf 'op\tlr\thandle\ttid\tts')"
}

@test "unreadable inputs: one message per file, exit 2, no output" {
	mkdir "$T/dir"
	run --separate-stderr trace-normalize -c lr "$T/nope" "$T/dir" "$T/nope2"
	assert_failure 2
	[ "${stderr_lines[0]}" = "trace-normalize: $T/nope: No such file or directory" ]
	[ "${stderr_lines[1]}" = "trace-normalize: $T/dir: Is a directory" ]
	[ "${stderr_lines[2]}" = "trace-normalize: $T/nope2: No such file or directory" ]
	[ -z "$output" ]
}

@test "truncated, corrupt and trailing-garbage compressed input is an error" {
	events | canary_of > "$T/c.jsonl"
	gzip -c "$T/c.jsonl" > "$T/c.gz"
	head -c 60 "$T/c.gz" > "$T/trunc.gz"
	run --separate-stderr trace-normalize -s "$CANARY" "$T/trunc.gz"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/trunc.gz: truncated gzip data" ]
	{ cat "$T/c.gz"; echo garbage; } > "$T/trail.gz"
	run --separate-stderr trace-normalize -s "$CANARY" "$T/trail.gz"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/trail.gz: trailing garbage after gzip data" ]
	{ cat "$T/c.gz" "$T/c.gz"; } > "$T/two.gz"
	run trace-normalize -s "$CANARY" "$T/two.gz"
	assert_success
	[ "${#lines[@]}" -eq 11 ]
	zstd -q -c "$T/c.jsonl" > "$T/c.zst"
	head -c 40 "$T/c.zst" > "$T/trunc.zst"
	run --separate-stderr trace-normalize -s "$CANARY" "$T/trunc.zst"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/trunc.zst: truncated zstd data" ]
	{ cat "$T/c.zst"; echo garbage; } > "$T/trail.zst"
	run trace-normalize -s "$CANARY" "$T/trail.zst"
	assert_failure 2
	# corrupt a byte in the middle of the deflate stream
	python3 -c 'import sys; d=bytearray(open(sys.argv[1],"rb").read()); d[len(d)//2]^=0xff; open(sys.argv[2],"wb").write(d)' "$T/c.gz" "$T/bad.gz"
	run trace-normalize -s "$CANARY" "$T/bad.gz"
	assert_failure 2
}

@test "a 10 MB line is read whole" {
	python3 -c 'print("{\"op\":\"" + "x"*10000000 + "\",\"lr\":1}")' > "$T/in"
	run trace-normalize -c op -c lr "$T/in"
	assert_success
	[ "${#lines[1]}" -eq 10000011 ]
}

@test "schema files: comments, options, overrides after -s" {
	printf '# a comment\n\nformat jsonl\ncolumn lr=addr_field\n  op-value set  \n' > "$T/s"
	printf '{"addr_field":16,"other":17}\n' > "$T/in"
	run trace-normalize -s "$T/s" "$T/in"
	assert_success
	assert_output "$(printf 'op\tlr\nset\t0x00000010')"
	run trace-normalize -s "$T/s" -c lr=other "$T/in"
	assert_output "$(printf 'op\tlr\nset\t0x00000011')"
	printf 'colum lr\n' > "$T/bad"
	run --separate-stderr trace-normalize -s "$T/bad" "$T/in"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/bad:1: unknown schema option 'colum'" ]
}

@test "-o writes atomically; a failed run leaves no file" {
	printf '{"lr":1}\n{"lr":"x"}\n' > "$T/in"
	run trace-normalize -c lr -o "$T/out.tsv" "$T/in"
	assert_failure 2
	[ ! -e "$T/out.tsv" ]
	[ -z "$(ls -A "$T" | grep -v '^in$')" ]
	printf '{"lr":1}\n' > "$T/in"
	run trace-normalize -c lr -o "$T/out.tsv" "$T/in"
	assert_success
	run cat "$T/out.tsv"
	assert_output "$(printf 'lr\n0x00000001')"
	run trace-normalize -c lr -o "$T/nodir/out.tsv" "$T/in"
	assert_failure 2
}

@test "--check accepts trace-normalize output and reports every violation" {
	events | canary_of > "$T/c.jsonl"
	trace-normalize -s "$CANARY" "$T/c.jsonl" > "$T/ok.tsv"
	run trace-normalize --check "$T/ok.tsv"
	assert_success
	printf 'lr\top\ttid\n0x824AB168\tx\t007\n0x824ab168\tx\n0x1\ty\t1\n' > "$T/bad.tsv"
	run --separate-stderr trace-normalize --check "$T/bad.tsv"
	assert_failure 1
	[ "${stderr_lines[0]}" = "trace-normalize: $T/bad.tsv:1: column 'op' out of order (the canonical columns op, lr, handle, tid, ts come first, in that order)" ]
	[ "${stderr_lines[1]}" = "trace-normalize: $T/bad.tsv:2: column lr: '0x824AB168' is not a canonical address (expected 0x824ab168)" ]
	[ "${stderr_lines[2]}" = "trace-normalize: $T/bad.tsv:2: column tid: '007' is not a canonical decimal integer" ]
	[ "${stderr_lines[3]}" = "trace-normalize: $T/bad.tsv:3: expected 3 fields, got 2" ]
	[ "${stderr_lines[4]}" = "trace-normalize: $T/bad.tsv:4: column lr: '0x1' is not a canonical address (expected 0x00000001)" ]
	[ "${stderr_lines[5]}" = "trace-normalize: 5 violations in 3 rows" ]
}

@test "the jq normalizer in examples/ can take trace-normalize's place" {
	events | ours_of > "$T/o.jsonl"
	printf '{"pc":"0x1","tid":1,"cycle":1,"r3":"0x1","lr":"0x1"}\n' >> "$T/o.jsonl"
	trace-normalize -q -s "$OURS" "$T/o.jsonl" > "$T/want"
	jq -nr -f "$EX/normalizers/xenia-ours.jq" "$T/o.jsonl" > "$T/got"
	assert_same "$T/want" "$T/got"
	run trace-normalize --check "$T/got"
	assert_success
}

@test "usage: --help to stdout, bad options exit 2 with a hint" {
	run --separate-stderr trace-normalize --help
	assert_success
	[[ "$output" == "usage: trace-normalize "* ]]
	run --separate-stderr trace-normalize --bogus
	assert_failure 2
	[ "${stderr_lines[0]}" = "trace-normalize: unrecognized option '--bogus'" ]
	[ "${stderr_lines[1]}" = "Try 'trace-normalize --help' for more information." ]
	run trace-normalize --format xml
	assert_failure 2
	run trace-normalize --op-map nonsense
	assert_failure 2
	run trace-normalize --version
	assert_success
	[[ "$output" == "trace-normalize (trace-tools) "* ]]
}

@test "write errors: /dev/full and a closed stdout exit 2" {
	printf '{"lr":1}\n' > "$T/in"
	run --separate-stderr bash -c 'trace-normalize -c lr "$1" > /dev/full' _ "$T/in"
	assert_failure 2
	[[ "$stderr" == "trace-normalize: standard output: write error: No space left on device" ]]
	run --separate-stderr bash -c 'trace-normalize --help > /dev/full' _
	assert_failure 2
	run --separate-stderr bash -c 'trace-normalize -c lr "$1" >&-' _ "$T/in"
	assert_failure 2
}

@test "a reader that goes away: quiet under default SIGPIPE" {
	python3 -c '
for i in range(300000): print("{\"lr\": %d}" % i)' > "$T/in"
	run --separate-stderr bash -c 'trace-normalize -c lr "$1" | head -1' _ "$T/in"
	assert_success
	assert_output "lr"
	[ -z "$stderr" ]
	run --separate-stderr bash -c 'trap "" PIPE; trace-normalize -c lr "$1" | head -1; exit ${PIPESTATUS[0]}' _ "$T/in"
	assert_failure 2
	[[ "$stderr" == *"write error: Broken pipe"* ]]
}

@test "JSON: invalid nested values in unused fields are still errors" {
	for v in '{"b":}' '[1,,2]' '[1 2]' '{"a":1,}' '[tru]' '[01]'; do
		printf '{"lr":1,"n":%s}\n' "$v" > "$T/in"
		run --separate-stderr trace-normalize -c lr "$T/in"
		assert_failure 2
		[ "$stderr" = "trace-normalize: $T/in:1: invalid JSON in the value of key 'n'" ]
	done
	printf '{"lr":1,"n":{"a":[1,{"b":null}],"c":"x"}}\n' > "$T/in"
	run trace-normalize -c lr "$T/in"
	assert_success
}

@test "JSON: a raw control character in a used string is an error" {
	printf '{"lr":1,"op":"a\tb"}\n' > "$T/in"
	run --separate-stderr trace-normalize -c op -c lr "$T/in"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/in:1: field op: control character in JSON string" ]
}

@test "CSV and TSV: a header without a required column fails at line 1" {
	printf 'op\tx\nset\t1\n' > "$T/in.tsv"
	run --separate-stderr trace-normalize -c op -c lr --skip-bad "$T/in.tsv"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/in.tsv:1: no column 'lr' for output column lr (columns: op, x)" ]
	printf '"op,lr\nset,1\n' > "$T/q.csv"
	run --separate-stderr trace-normalize --skip-bad "$T/q.csv"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/q.csv:1: bad CSV header: unterminated quoted field" ]
}

@test "TSV: repeated header lines of concatenated streams are skipped" {
	printf 'op\tlr\nset\t0x1\n' > "$T/a.tsv"
	cat "$T/a.tsv" "$T/a.tsv" > "$T/aa.tsv"
	run trace-normalize "$T/aa.tsv"
	assert_success
	assert_output "$(printf 'op\tlr\thandle\ttid\tts\nset\t0x00000001\t\t\t\nset\t0x00000001\t\t\t')"
}

@test "defaults stay on with only --optional or --file-column" {
	printf '{"lr":"0x1"}\n' > "$T/in"
	run trace-normalize --optional lr --file-column src "$T/in"
	assert_success
	assert_output "$(printf 'op\tlr\thandle\ttid\tts\tsrc\n\t0x00000001\t\t\t\t%s' "$T/in")"
}

@test "option errors use getopt's words" {
	run --separate-stderr trace-normalize -c
	assert_failure 2
	[ "${stderr_lines[0]}" = "trace-normalize: option requires an argument -- 'c'" ]
	run --separate-stderr trace-normalize --column
	[ "${stderr_lines[0]}" = "trace-normalize: option '--column' requires an argument" ]
	run --separate-stderr trace-normalize --skip-bad=1
	[ "${stderr_lines[0]}" = "trace-normalize: option '--skip-bad' doesn't allow an argument" ]
	run --separate-stderr trace-normalize --op x
	[ "${stderr_lines[0]}" = "trace-normalize: option '--op' is ambiguous" ]
	run --separate-stderr trace-normalize -c op=fn:int
	assert_failure 2
	run --separate-stderr trace-normalize --check -o x
	assert_failure 2
}

@test "regex lines: named groups are fields; unmatched lines skipped or errors" {
	cat > "$T/log" <<'EOT'
[t=7] 10:00:01.5 call SetEvent lr=0x824AB168 h=12
noise line
[t=9] 10:00:02 call WaitFor lr=0x10
EOT
	re='^\[t=(?<tid>\d+)\] (?<ts>\S+) call (?<fn>\w+) lr=(?<lr>0x[0-9A-Fa-f]+)(?: h=(?<handle>\d+))?$'
	run --separate-stderr trace-normalize --regex "$re" -c op=fn -c lr -c handle -c tid -c ts=ts:time --optional handle --nomatch skip "$T/log"
	assert_success
	assert_output "$(printf 'op\tlr\thandle\ttid\tts\nSetEvent\t0x824ab168\t0x0000000c\t7\t36001500000000\nWaitFor\t0x00000010\t\t9\t36002000000000')"
	[ "$stderr" = "trace-normalize: skipped 1 line that matches no pattern" ]
	run --separate-stderr trace-normalize --regex "$re" -c op=fn -c lr "$T/log"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/log:2: line does not match the pattern" ]
}

@test "regex: a bad pattern or a missing group is a usage error" {
	run --separate-stderr trace-normalize --regex '(?<lr>[' -c lr
	assert_failure 2
	[[ "${stderr_lines[0]}" == "trace-normalize: --regex: missing terminating ] for character class at offset "* ]]
	run --separate-stderr trace-normalize --regex '(?<x>.)' -c lr
	assert_failure 2
	[ "${stderr_lines[0]}" = "trace-normalize: --regex has no group (?<lr>...) for column lr" ]
	run trace-normalize --regex 'x' -f jsonl -c lr=x
	assert_failure 2
}

@test "time column type: seconds or H:M:S with a fraction, as nanoseconds" {
	printf 't\n1700000000.123456\n10:20:30\n0.5\n1.1234567891\n' > "$T/in.csv"
	run trace-normalize -f csv -c ts=t:time "$T/in.csv"
	assert_success
	assert_output "$(printf 'ts\n1700000000123456000\n37230000000000\n500000000\n1123456789')"
	for bad in 10:61:00 1: 1.x 10:20 abc; do
		printf 't\n%s\n' "$bad" > "$T/b.csv"
		run trace-normalize -f csv -c ts=t:time "$T/b.csv"
		assert_failure 2
	done
}

@test "progress: shown on a terminal or when asked, never otherwise" {
	events | canary_of > "$T/c.jsonl"
	run --separate-stderr trace-normalize -s "$CANARY" "$T/c.jsonl"
	[ -z "$stderr" ]
	run --separate-stderr trace-normalize --progress -s "$CANARY" "$T/c.jsonl"
	assert_success
	[[ "$stderr" =~ ^trace-normalize:\ 0\.0\ MB\ of\ 0\.0\ MB\ \(100%\),\ [0-9]+\ MB/s$ ]]
	command -v script >/dev/null || skip "script(1) not installed"
	run script -qec "trace-normalize -s '$CANARY' '$T/c.jsonl' >/dev/null" /dev/null
	[[ "$output" == *$'\r\033[Ktrace-normalize: '*' MB/s'* ]]
}

@test "--check reports CRLF line ends, a BOM and a missing final newline" {
	printf 'op\tlr\r\nset\t0x00000001\r\n' > "$T/crlf"
	run --separate-stderr trace-normalize --check "$T/crlf"
	assert_failure 1
	[ "${stderr_lines[0]}" = "trace-normalize: $T/crlf:1: line ends in CR LF (trace-format(5) lines end in LF)" ]
	[ "${stderr_lines[1]}" = "trace-normalize: $T/crlf:2: line ends in CR LF (trace-format(5) lines end in LF)" ]
	printf '\xef\xbb\xbfop\tlr\nset\t0x00000001' > "$T/bom"
	run --separate-stderr trace-normalize --check "$T/bom"
	assert_failure 1
	[ "${stderr_lines[0]}" = "trace-normalize: $T/bom:1: byte order mark at the start of the input" ]
	[ "${stderr_lines[1]}" = "trace-normalize: $T/bom:2: no newline at the end of the last line" ]
}

@test "--check names the right column after long lines move the buffer" {
	python3 -c "
print('op\tlr')
for i in range(300000): print('call\t0x%08x' % i)
print('x' * 3000000 + '\t0x00000001')
print('call\t0x1')" > "$T/c.tsv"
	run --separate-stderr trace-normalize --check "$T/c.tsv"
	assert_failure 1
	[ "${stderr_lines[0]}" = "trace-normalize: $T/c.tsv:300003: column lr: '0x1' is not a canonical address (expected 0x00000001)" ]
}

@test "op-contains on many distinct and long values (remembered results)" {
	python3 -c '
import json
for i in range(500):
    fn = ("x" * (i % 40)) + ("Release" if i % 3 == 0 else "Set" if i % 3 == 1 else "Wait") + str(i)
    print(json.dumps({"fn": fn, "lr": i, "op": "other"}))' > "$T/in"
	trace-normalize -c lr --op-contains fn:Release=release --op-contains fn:Set=set --op-field op "$T/in" > "$T/got"
	python3 -c '
print("op\tlr")
for i in range(500):
    op = "release" if i % 3 == 0 else "set" if i % 3 == 1 else "other"
    print("%s\t0x%08x" % (op, i))' > "$T/want"
	assert_same "$T/want" "$T/got"
}

@test "JSON: deep nesting is checked in linear time, with the same answers" {
	# 5,000,000 levels in a 10 MB line: hours when quadratic.
	python3 -c "d = 5000000; print('{\"a\":' + '[' * d + ']' * d + ',\"op\":\"x\"}')" > "$T/deep.jsonl"
	run timeout 60 trace-normalize -c op "$T/deep.jsonl"
	assert_success
	assert_output "$(printf 'op\nx')"
	# Past the depth where the two-pass check starts: valid, invalid.
	python3 - "$T" <<-'PY'
	import sys
	d = 300
	with open(sys.argv[1] + "/ok.jsonl", "w") as f:
	    f.write('{"op":"a","v":' + '[{"k":' * d + '[1,2.5,"s\\"]",true,null,{}]' + '}]' * d + ',"lr":"0x1"}\n')
	for name, v in (("comma", "[" * d + "1,]" + "]" * (d - 1)),
	                ("zero", "[" * d + "01" + "]" * d),
	                ("colon", "{" * 1 + '"k":' + "[" * d + "]" * d + ':1}')):
	    with open(sys.argv[1] + "/" + name + ".jsonl", "w") as f:
	        f.write('{"op":"b","v":' + v + '}\n')
	PY
	run trace-normalize -c op -c lr "$T/ok.jsonl"
	assert_success
	assert_output "$(printf 'op\tlr\na\t0x00000001')"
	for b in comma zero colon; do
		run trace-normalize -c op "$T/$b.jsonl"
		assert_failure 2
		assert_output "op
trace-normalize: $T/$b.jsonl:1: invalid JSON in the value of key 'v'"
	done
}

@test "addresses: digits with a leading zero are ambiguous; :hex or :dec says which" {
	printf 'x [0/0000004002842770/1]\ny [0/17/1]\n' > "$T/q"
	run --separate-stderr trace-normalize --op-value tb -c lr=pc --regex '/(?<pc>[0-9a-f]+)/' "$T/q"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/q:1: field pc: ambiguous address '0000004002842770': digits with a leading zero (type :hex if the digits are hex, :dec if decimal)" ]
	run --separate-stderr trace-normalize --skip-bad --op-value tb -c lr=pc --regex '/(?<pc>[0-9a-f]+)/' "$T/q"
	assert_success
	assert_output "$(printf 'op\tlr\ntb\t0x00000011')"
	[ "${stderr_lines[0]}" = "trace-normalize: skipped 1 of 2 records (first: $T/q:1: field pc: ambiguous address '0000004002842770': digits with a leading zero (type :hex if the digits are hex, :dec if decimal))" ]
	run trace-normalize --op-value tb -c lr=pc:hex --regex '/(?<pc>[0-9a-f]+)/' "$T/q"
	assert_success
	assert_output "$(printf 'op\tlr\ntb\t0x4002842770\ntb\t0x00000017')"
	run trace-normalize --op-value tb -c lr=pc:dec --regex '/(?<pc>[0-9a-f]+)/' "$T/q"
	assert_success
	assert_output "$(printf 'op\tlr\ntb\t0xee968892\ntb\t0x00000011')"
	printf 'lr,op\n0,a\n00,b\n' > "$T/z.csv"
	run --separate-stderr trace-normalize "$T/z.csv"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/z.csv:3: field lr: ambiguous address '00': digits with a leading zero (type :hex if the digits are hex, :dec if decimal)" ]
	printf 'lr\nab\n' > "$T/d.csv"
	run --separate-stderr trace-normalize -c lr:dec "$T/d.csv"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/d.csv:2: field lr: not a number: 'ab'" ]
}

@test "a record with none of the columns' fields is malformed; --op-value and --file-column don't count" {
	printf '{"op":"a","lr":1}\n{"name":"x","ph":"X"}\n{"op":""}\n' > "$T/in"
	run --separate-stderr trace-normalize "$T/in"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/in:2: no column has a value: the record holds none of their fields" ]
	run --separate-stderr trace-normalize --skip-bad "$T/in"
	assert_success
	assert_output "$(printf 'op\tlr\thandle\ttid\tts\na\t0x00000001\t\t\t')"
	[ "${stderr_lines[0]}" = "trace-normalize: skipped 2 of 3 records (first: $T/in:2: no column has a value: the record holds none of their fields)" ]
	printf '{"name":"x"}\n' > "$T/in"
	run --separate-stderr trace-normalize --op-value x --file-column f -c op -c lr --optional lr "$T/in"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/in:1: no column has a value: the record holds none of their fields" ]
	printf '{"name":"x"}\n' > "$T/in"
	run trace-normalize --op-map name:x=y -c op -c lr --optional lr "$T/in"
	assert_success
	assert_output "$(printf 'op\tlr\ny\t')"
}

@test "one JSON document is not JSON Lines: an error that says so" {
	printf '[{"op":"a"},\n{"op":"b"}]\n' > "$T/a.json"
	run --separate-stderr trace-normalize "$T/a.json"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/a.json:1: a JSON document (a top-level array), not JSON Lines: write one object per line, as jq -c '.[]' does" ]
	printf '\n{\n  "op": "a"\n}\n' > "$T/o.json"
	run --separate-stderr trace-normalize "$T/o.json"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/o.json:2: a JSON object spanning lines, not JSON Lines: write one object per line, as jq -c does" ]
}

@test "CR-only line ends: an error naming them, in the header; --check names them too" {
	printf 'op,lr\rset,1\r' > "$T/mac.csv"
	printf 'op\tlr\rset\t0x00000001\r' > "$T/mac.tsv"
	gzip -c "$T/mac.csv" > "$T/mac.csv.gz"
	for f in mac.csv mac.tsv mac.csv.gz; do
		run --separate-stderr trace-normalize "$T/$f"
		assert_failure 2
		[ "$stderr" = "trace-normalize: $T/$f:1: header line holds a carriage return not followed by a newline: lines end in CR alone (old Mac line ends)? convert with tr '\\r' '\\n'" ]
	done
	run --separate-stderr trace-normalize --check "$T/mac.tsv"
	assert_failure 1
	[ "${stderr_lines[0]}" = "trace-normalize: $T/mac.tsv:1: carriage return not followed by a newline: lines end in CR alone (old Mac line ends)? trace-format(5) lines end in LF" ]
	printf 'op,lr\r\nset,1\r\n' > "$T/dos.csv"
	run trace-normalize -c op -c lr "$T/dos.csv"
	assert_success
	assert_output "$(printf 'op\tlr\nset\t0x00000001')"
}

@test "NUL in a CSV header name: the error TSV gives; messages show NUL and control bytes visibly, uncut" {
	printf 'op,l\0r\nset,1\n' > "$T/h.csv"
	printf 'op\tl\0r\nset\t1\n' > "$T/h.tsv"
	for f in h.csv h.tsv; do
		run --separate-stderr trace-normalize "$T/$f"
		assert_failure 2
		[ "$stderr" = "trace-normalize: $T/$f:1: NUL byte in header" ]
	done
	printf 'op,lr\nset,1\0002x\nset,\0331\n' > "$T/v.csv"
	run --separate-stderr trace-normalize "$T/v.csv"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/v.csv:2: field lr: not a number: '1\\02x'" ]
	run --separate-stderr trace-normalize --skip-bad "$T/v.csv"
	[ "${stderr_lines[0]}" = "trace-normalize: skipped 2 of 2 records (first: $T/v.csv:2: field lr: not a number: '1\\02x')" ]
	printf 'op,lr\nset,\0331\n' > "$T/e.csv"
	run --separate-stderr trace-normalize "$T/e.csv"
	[ "$stderr" = "trace-normalize: $T/e.csv:2: field lr: not a number: '\\x1b1'" ]
}

@test "tid is a name or a canonical integer, whatever the column's type; --check agrees" {
	printf 'op,t\na,007\na,main\na,-0\na,+5\na,12\n' > "$T/t.csv"
	run --separate-stderr trace-normalize -c op -c tid=t:str "$T/t.csv"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/t.csv:2: field t: tid '007' is not a canonical integer (no '+', no leading zeros, no -0)" ]
	run --separate-stderr trace-normalize -c op -c tid=t:str --skip-bad "$T/t.csv"
	assert_success
	assert_output "$(printf 'op\ttid\na\tmain\na\t12')"
	[ "${stderr_lines[0]}" = "trace-normalize: skipped 3 of 5 records (first: $T/t.csv:2: field t: tid '007' is not a canonical integer (no '+', no leading zeros, no -0))" ]
	echo "$output" > "$T/out.tsv"
	run trace-normalize --check "$T/out.tsv"
	assert_success
	run --separate-stderr trace-normalize -c op -c tid=t "$T/t.csv"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/t.csv:2: field t: tid '007' is not a canonical integer (no '+', no leading zeros, no -0)" ]
	printf 'op\ttid\na\tmain\na\t12\na\t007\na\t+5\na\t-0\n' > "$T/c.tsv"
	printf 'a\t%s\n' 'x\\ty' 'x\ty' >> "$T/c.tsv"
	run --separate-stderr trace-normalize --check "$T/c.tsv"
	assert_failure 1
	assert_equal "${#stderr_lines[@]}" 5
	[ "${stderr_lines[0]}" = "trace-normalize: $T/c.tsv:4: column tid: '007' is not a canonical decimal integer" ]
	[ "${stderr_lines[3]}" = "trace-normalize: $T/c.tsv:8: column tid: 'x\\ty': a tid holds no tab or newline" ]
}

@test "--check: the first line must be a header with an event-format column" {
	printf 'set\t0x00000001\nrelease\t0x00000002\n' > "$T/nohdr.tsv"
	run --separate-stderr trace-normalize --check "$T/nohdr.tsv"
	assert_failure 1
	[ "${stderr_lines[0]}" = "trace-normalize: $T/nohdr.tsv:1: no header line: the first line names none of the columns op, lr, handle, tid, ts" ]
	printf 'root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1::/:/bin/false\n' > "$T/passwd"
	run trace-normalize --check "$T/passwd"
	assert_failure 1
	printf 'Trace 0: 0x7f0000000000 [00000000/0000004002842770/0x00000000/0x00000000] main\n' > "$T/qemu.log"
	run trace-normalize --check "$T/qemu.log"
	assert_failure 1
	printf 'a\\b\top\n' > "$T/bad.tsv"
	run --separate-stderr trace-normalize --check "$T/bad.tsv"
	assert_failure 1
	[ "${stderr_lines[0]}" = "trace-normalize: $T/bad.tsv:1: bad column name 'a\\b' (column 1): a control byte or backslash" ]
	printf 'op\tlr\nset\t0x00000001\n' > "$T/ok.tsv"
	run trace-normalize --check "$T/ok.tsv"
	assert_success
}

@test "--skip-bad counts a malformed CSV record among all records" {
	printf 'lr,tid\n0x1,1\n0x2,2,9\n0x3,3\n0x4,4\n' > "$T/m.csv"
	run --separate-stderr trace-normalize --skip-bad -f csv -c lr -c tid "$T/m.csv"
	assert_success
	assert_output "$(printf 'lr\ttid\n0x00000001\t1\n0x00000003\t3\n0x00000004\t4')"
	[ "$stderr" = "trace-normalize: skipped 1 of 4 records (first: $T/m.csv:3: expected 2 fields, got 3)" ]
}

@test "--set adds a column of one value, in order among -c and --file-column" {
	printf '{"fn":"A","lr":1}\n{"fn":"B","lr":2}\n' > "$T/in"
	run trace-normalize -c lr --set run=2 -c fn --file-column src --set host=a=b --op-value set "$T/in"
	assert_success
	assert_output "$(printf 'op\tlr\trun\tfn\tsrc\thost\nset\t0x00000001\t2\tA\t%s\ta=b\nset\t0x00000002\t2\tB\t%s\ta=b' "$T/in" "$T/in")"
	# alone it leaves the canonical columns on, as --file-column does
	run trace-normalize --set run=1 "$T/in"
	assert_success
	assert_output "$(printf 'op\tlr\thandle\ttid\tts\trun\n\t0x00000001\t\t\t\t1\n\t0x00000002\t\t\t\t1')"
	# a schema line "set NAME=VALUE" is the option; later -c follow it
	printf 'column fn\nset run=7\nop-value set\n' > "$T/s"
	run trace-normalize -s "$T/s" -c lr "$T/in"
	assert_success
	assert_output "$(printf 'op\tlr\tfn\trun\nset\t0x00000001\tA\t7\nset\t0x00000002\tB\t7')"
}

@test "--set on every row of every input, with any number of threads" {
	export TRACE_TOOLS_CHUNK=200
	python3 -c '
for i in range(3000): print("{\"op\": \"set\", \"lr\": %d}" % i)' > "$T/in"
	trace-normalize --threads 1 -c lr -c op --set run=r1 "$T/in" "$T/in" > "$T/one"
	[ "$(grep -c "	r1$" "$T/one")" -eq 6000 ]
	trace-normalize --threads 4 -c lr -c op --set run=r1 "$T/in" "$T/in" > "$T/many"
	assert_same "$T/one" "$T/many"
	printf 'op\tlr\n' > "$T/in.tsv"
	tail -n +2 "$T/one" | cut -f 1,2 >> "$T/in.tsv"
	trace-normalize --threads 4 --set run=r1 "$T/in.tsv" | cut -f 1,2,6 > "$T/tsv"
	cut -f 1,2 "$T/one" | sed '1s/$/\trun/;2,$s/$/\tr1/' > "$T/want"
	assert_same "$T/want" "$T/tsv"
}

@test "--set: tabs, newlines, CRs and backslashes are escaped; the output passes --check" {
	printf '{"lr":1}\n' > "$T/in"
	run trace-normalize -c lr --set "note=a	b
c\\d"$'\r'"é" "$T/in"
	assert_success
	assert_output "$(printf 'lr\tnote\n0x00000001\t%s' 'a\tb\nc\\d\ré')"
	trace-normalize -c lr --set "note=a	b
c\\d"$'\r'"é" -o "$T/out.tsv" "$T/in"
	run trace-normalize --check "$T/out.tsv"
	assert_success
	# what is escaped reads back as the value
	run trace-normalize -f tsv -c note --op-value x "$T/out.tsv"
	assert_success
	assert_line --index 1 "$(printf 'x\t%s' 'a\tb\nc\\d\ré')"
}

@test "--set: usage errors for a bad, canonical or defined name, an empty or bad value" {
	printf '{"lr":1}\n' > "$T/in"
	run --separate-stderr trace-normalize -c lr --set tid=1 "$T/in"
	assert_failure 2
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = "trace-normalize: --set: 'tid' is a canonical column (--set adds other columns)" ]
	[ "${stderr_lines[1]}" = "Try 'trace-normalize --help' for more information." ]
	for c in op lr handle ts; do
		run --separate-stderr trace-normalize --set "$c=1" "$T/in"
		assert_failure 2
		[ "${stderr_lines[0]}" = "trace-normalize: --set: '$c' is a canonical column (--set adds other columns)" ]
	done
	err() {
		local want=$1
		shift
		run --separate-stderr trace-normalize "$@" "$T/in"
		assert_failure 2
		[ -z "$output" ]
		[ "${stderr_lines[0]}" = "trace-normalize: $want" ] ||
		    fail "$*: got '${stderr_lines[0]}'"
	}
	err "--set: expected NAME=VALUE, got 'run'" --set run
	err "--set: expected NAME=VALUE, got '=1'" --set =1
	err "--set: column 'run' is already defined by --set" --set run=1 --set run=2
	err "--set: column 'run' is already defined by --column" -c run=x --set run=1
	err "--set: column 'run' is already defined by --file-column" --file-column run --set run=1
	err "--column: column 'run' is already defined by --set" --set run=1 -c run
	err "--file-column: column 'run' is already defined by --set" --set run=1 --file-column run
	err "--set: empty value for column 'run' (an empty field is an absent value)" --set run=
	err "--set: column 'run': invalid UTF-8 at byte 2 of the value" --set "run=a$(printf '\377')"
	err "--set: bad column name 'r\\tn' (a control byte or backslash)" --set "r	n=1"
	err "--set: bad column name 'r\\x01' (a control byte or backslash)" --set "r$(printf '\001')=1"
	err "--set: bad column name 'r\\n' (a control byte or backslash)" --set 'r\n=1'
	printf 'set run=1\n' > "$T/s"
	err "--set: column 'run' is already defined by --set" -s "$T/s" --set run=2
	# --optional names a column; it does not define one
	run trace-normalize -c lr --optional run --set run=1 "$T/in"
	assert_success
	assert_output "$(printf 'lr\trun\n0x00000001\t1')"
}

@test "a --set value is not the record's own: a record with no other value is malformed" {
	printf '{"op":"a"}\n{"name":"x"}\n' > "$T/in"
	run --separate-stderr trace-normalize --set run=1 "$T/in"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/in:2: no column has a value: the record holds none of their fields" ]
	run --separate-stderr trace-normalize --skip-bad --set run=1 "$T/in"
	assert_success
	assert_output "$(printf 'op\tlr\thandle\ttid\tts\trun\na\t\t\t\t\t1')"
	run --separate-stderr trace-normalize --op-value x --set run=1 -c op -c lr --optional lr "$T/in"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/in:1: no column has a value: the record holds none of their fields" ]
}

@test "--threads: blocks of lines cut anywhere keep each line, its number and its CR handling" {
	# CRLF lines, blank lines, lines far longer than a chunk, malformed
	# lines near chunk ends, no final newline, two inputs
	python3 -c '
import sys
out = []
for i in range(1500):
    if i % 131 == 7: out.append("{\"lr\": %d, \"fn\": \"%s\"}" % (i, "x" * 700))
    elif i % 97 == 5: out.append("{broken")
    elif i % 89 == 3: out.append(" \r")
    elif i % 61 == 2: out.append("")
    elif i % 2: out.append("{\"lr\": %d, \"fn\": \"a\\tb\"}\r" % i)
    else: out.append("{\"lr\": %d, \"fn\": \"c\"}" % i)
sys.stdout.write("\n".join(out) + "\r")' > "$T/in"
	printf '{"lr": 1}\n\n{bad\r\n{"lr": 2}' > "$T/in2"
	args=(-c lr -c fn --op-value x --skip-bad)
	run --separate-stderr trace-normalize --threads 1 "${args[@]}" --bad-lines "$T/b1" "$T/in" "$T/in2"
	assert_success
	out1=$output err1=$stderr
	[ "$(grep -c '	a\\tb$' <<< "$out1")" -gt 600 ]
	[[ "$err1" == *"skipped 19 of "*"(first: $T/in:6: invalid JSON)"* ]]
	grep -q "^$T/in2	3	invalid JSON	{bad$" "$T/b1"
	for c in 1 50 150 300 1000 100000; do
		for th in 2 3; do
			run --separate-stderr env TRACE_TOOLS_CHUNK=$c trace-normalize --threads $th "${args[@]}" --bad-lines "$T/b2" "$T/in" "$T/in2"
			assert_success
			[ "$output" = "$out1" ]
			[ "$stderr" = "$err1" ]
			assert_same "$T/b1" "$T/b2"
		done
	done
	# TSV: the CR of a CRLF line is not the last field's
	printf 'op\tlr\r\n' > "$T/in.tsv"
	for i in $(seq 400); do printf 'a\t%d\r\n' $i; done >> "$T/in.tsv"
	printf 'b\t7\r' >> "$T/in.tsv"
	trace-normalize --threads 1 "$T/in.tsv" > "$T/one"
	[ "$(tail -1 "$T/one")" = "$(printf 'b\t0x00000007\t\t\t')" ]
	for c in 1 100 100000; do
		TRACE_TOOLS_CHUNK=$c trace-normalize --threads 2 "$T/in.tsv" > "$T/two"
		assert_same "$T/one" "$T/two"
	done
	# strict: the first malformed line in input order, with its number
	for c in 1 200 100000; do
		run --separate-stderr env TRACE_TOOLS_CHUNK=$c trace-normalize --threads 2 -c lr "$T/in2" "$T/in"
		assert_failure 2
		[ "$stderr" = "trace-normalize: $T/in2:3: invalid JSON" ]
		sed -i 's/{bad/{"lr": 3}/' "$T/in2"
		run --separate-stderr env TRACE_TOOLS_CHUNK=$c trace-normalize --threads 2 -c lr "$T/in2" "$T/in"
		assert_failure 2
		[ "$stderr" = "trace-normalize: $T/in:6: invalid JSON" ]
		printf '{"lr": 1}\n\n{bad\r\n{"lr": 2}' > "$T/in2"
	done
}

@test "--threads: a file read by its workers in ranges gives what the same bytes through a pipe give" {
	# A regular file is read by the workers, each a range of it, the
	# lines that start in it (pool.c); a pipe goes through the reader.
	# A byte order mark and blank lines before the first record, lines
	# longer than many chunks, a CR or a newline at every place of a
	# chunk's end, malformed lines, no final newline.
	python3 -c '
import random, sys
rnd = random.Random(7)
out = ["\ufeff", "\n", "  \r\n"]
for i in range(900):
    r = rnd.random()
    if r < 0.04: line = ""
    elif r < 0.08: line = "{\"lr\": 1, bad"
    elif r < 0.11: line = "{\"lr\": %d, \"fn\": \"%s\"}" % (i + 1, "y" * rnd.randrange(500, 3000))
    else: line = "{\"lr\": %d, \"fn\": \"f%d\"}" % (i + 1, rnd.randrange(9))
    out.append(line + rnd.choice(["\n", "\n", "\r\n"]))
sys.stdout.write("".join(out).rstrip("\n"))' > "$T/in"
	args=(-c lr -c fn --op-value x --skip-bad)
	trace-normalize --threads 1 "${args[@]}" --bad-lines "$T/b1" - < "$T/in" > "$T/one" 2> "$T/e1"
	[ "$(wc -l < "$T/one")" -gt 800 ]
	grep -q "^-	9	invalid JSON	{\"lr\": 1, bad$" "$T/b1"
	sed 's/^-	/in	/' "$T/b1" > "$T/b1in"
	sed 's/(stdin)/in/' "$T/e1" > "$T/e1in"
	for c in 1 2 3 64 100 333 4096 100000; do
		for th in 2 3; do
			(cd "$T" && TRACE_TOOLS_CHUNK=$c trace-normalize --threads $th "${args[@]}" --bad-lines b2 in > two 2> e2)
			assert_same "$T/one" "$T/two"
			assert_same "$T/b1in" "$T/b2"
			assert_same "$T/e1in" "$T/e2"
		done
	done
	# strict: the first malformed line, with its number
	run --separate-stderr env TRACE_TOOLS_CHUNK=100 trace-normalize --threads 2 -c lr "$T/in"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/in:9: invalid JSON" ]
}

@test "numbers: decimal addresses of every length from 1 to 20 digits, and with a byte that is no digit" {
	# The quick way reads up to 18 digits eight, then four, then one at
	# a time: every length, every digit value at each place, and a
	# letter or sign at each place (these go the general way and are
	# malformed, or read as hex by the general way's rules).
	python3 - "$T" <<-'PY'
	import random, sys
	rnd = random.Random(3)
	good, bad = [], []
	for n in range(1, 21):
	    for k in range(40):
	        d = str(rnd.randrange(1, 10)) + "".join(str(rnd.randrange(10)) for _ in range(n - 1))
	        if k < 10:
	            d = str(1 + k % 9) + str(k % 10) * (n - 1)
	        good.append(int(d))
	    for i in range(1, n):
	        d = "9" * n
	        bad.append(d[:i] + rnd.choice("x.:-e ") + d[i + 1:])
	with open(sys.argv[1] + "/in", "w") as out:
	    for v in good:
	        out.write('{"lr": %d}\n' % v)
	    for b in bad:
	        out.write('{"lr": "%s"}\n' % b)
	with open(sys.argv[1] + "/want", "w") as out:
	    out.write("op\tlr\n")
	    for v in good:
	        if v < 2 ** 64:
	            out.write("x\t0x%08x\n" % v)
	PY
	trace-normalize -q --op-value x -c lr --skip-bad --bad-lines "$T/bad" "$T/in" > "$T/got"
	assert_same "$T/want" "$T/got"
	# every value past 2^64 and every one with a byte that is no digit
	[ "$(grep -c 'lr: ' "$T/bad")" -eq "$(( $(wc -l < "$T/in") - $(wc -l < "$T/want") + 1 ))" ]
}

@test "numbers: the usual short integers and the rest give the same canonical spellings and errors" {
	# plain digits of up to 18 (the quick way) next to longer, signed,
	# zero-led, hex, quoted and 64-bit values (the general way)
	cat > "$T/in" <<'EOT'
{"lr": 2185933160, "handle": 4172, "tid": 15, "ts": 278000123, "t": 5}
{"lr": 0, "handle": 1, "tid": 0, "ts": 0, "t": 0}
{"lr": "305419896", "handle": "0x104C", "tid": -7, "ts": -9, "t": "12"}
{"lr": 4294967295, "handle": 4294967296, "tid": 42, "ts": "007", "t": 999999999999999999}
{"lr": 18446744073709551615, "handle": 999999999999999999, "tid": 123456789012345678, "ts": 9223372036854775807, "t": 1000000000000000000}
{"lr": 1099511627776, "handle": 68719476735, "tid": -123456789012345678, "ts": -9223372036854775808, "t": "0"}
{"lr": 100000000000000000, "handle": 12345678, "tid": 1, "ts": "0x1F", "t": 1}
EOT
	run trace-normalize -c lr -c handle -c tid -c ts -c t:time:ns "$T/in"
	assert_success
	assert_output "$(printf '%s\n' 'lr	handle	tid	ts	t' \
	    '0x824ab168	0x0000104c	15	278000123	5' \
	    '0x00000000	0x00000001	0	0	0' \
	    '0x12345678	0x0000104c	-7	-9	12' \
	    '0xffffffff	0x100000000	42	7	999999999999999999' \
	    '0xffffffffffffffff	0xde0b6b3a763ffff	123456789012345678	9223372036854775807	1000000000000000000' \
	    '0x10000000000	0xfffffffff	-123456789012345678	-9223372036854775808	0' \
	    '0x16345785d8a0000	0x00bc614e	1	31	1')"
	bad() {
		printf '{"op": "x", %s}\n' "$1" > "$T/one"
		run --separate-stderr trace-normalize -c lr -c tid -c ts -c t:time:ns --optional lr --optional tid --optional ts --optional t "$T/one"
		assert_failure 2
		[ "$stderr" = "trace-normalize: $T/one:1: $2" ]
	}
	bad '"lr": "0123"' "field lr: ambiguous address '0123': digits with a leading zero (type :hex if the digits are hex, :dec if decimal)"
	bad '"lr": 1.5' "field lr: not an integer: '1.5'"
	bad '"lr": "12a"' "field lr: not a number: '12a'"
	bad '"lr": "1234567a"' "field lr: not a number: '1234567a'"
	bad '"lr": 18446744073709551616' "field lr: number does not fit in 64 bits: '18446744073709551616'"
	bad '"lr": -1' "field lr: negative number where an address is expected: '-1'"
	bad '"tid": "+1"' "field tid: tid '+1' is not a canonical integer (no '+', no leading zeros, no -0)"
	bad '"tid": "-0"' "field tid: tid '-0' is not a canonical integer (no '+', no leading zeros, no -0)"
	bad '"tid": "01"' "field tid: tid '01' is not a canonical integer (no '+', no leading zeros, no -0)"
	bad '"tid": 9223372036854775808' "field tid: tid '9223372036854775808' is not a canonical integer (no '+', no leading zeros, no -0)"
	bad '"tid": "1 "' "field tid: not a number: '1 '"
	bad '"ts": 1e3' "field ts: not an integer: '1e3'"
	bad '"ts": "12x"' "field ts: not a number: '12x'"
	bad '"t": -3' "field t: empty number: '-3'"
	bad '"t": 9223372036854775808' "field t: number does not fit in 64 bits: '9223372036854775808'"
	# values of other kinds are no number, whatever the column's type
	bad '"lr": true' "field lr: expected a number, got a boolean"
	bad '"tid": false' "field tid: expected a number, got a boolean"
	bad '"ts": [1]' "field ts: expected a number, got an object or array"
	bad '"t": {"a": 1}' "field t: expected a number, got an object or array"
	# numbers in strings: plain (the quick way), escaped, or in a line
	# with a raw control character elsewhere (unescaped and checked)
	printf '%s\n' '{"op": "x", "lr": null, "tid": null, "ts": 5, "t": null}' \
	    '{"op": "x", "ts": null, "t": null, "lr": 7}' \
	    '{"op": "x", "lr": "1\u0032", "tid": "3\u0034", "ts": "\u0035"}' \
	    '{"op": "x", "lr": "12", "tid": "-3", "ts": "6", "t": "0"}' \
	    '{"op": "x", "lr": "13", "tid": "7", "fn": "a	b"}' > "$T/one"
	run trace-normalize -c lr -c tid -c ts -c t:time:ns --optional lr --optional tid --optional ts --optional t "$T/one"
	assert_success
	assert_output "$(printf '%s\n' 'lr	tid	ts	t' '		5	' '0x00000007			' \
	    '0x0000000c	34	5	' '0x0000000c	-3	6	0' '0x0000000d	7		')"
	bad '"lr": "12", "tid": "5	"' "field tid: control character in JSON string"
}

@test "--threads: inputs of many chunks read straight into them, from a file, a pipe and gzip, keep every line and number" {
	# over a MiB: CRLF lines, lines longer than a chunk (256 KiB), blank
	# and malformed lines, no final newline
	python3 -c '
import sys
out = []
for i in range(30000):
    if i in (7000, 21000): out.append("{\"lr\": %d, \"fn\": \"%s\"}" % (i, "y" * 300000))
    elif i % 997 == 5: out.append("{broken")
    elif i % 89 == 3: out.append("")
    elif i % 2: out.append("{\"lr\": %d, \"fn\": \"a\"}\r" % i)
    else: out.append("{\"lr\": %d, \"fn\": \"c\"}" % i)
sys.stdout.write("\n".join(out))' > "$T/big"
	[ "$(wc -c < "$T/big")" -gt 1000000 ]
	gzip -c "$T/big" > "$T/big.gz"
	args=(-c lr -c fn --op-value x --skip-bad)
	run --separate-stderr trace-normalize --threads 1 "${args[@]}" --bad-lines "$T/b1" "$T/big"
	assert_success
	out1=$output err1=$stderr
	[[ "$err1" == *"skipped 31 of "*"(first: $T/big:6: invalid JSON)"* ]]
	grep -q "^$T/big	29916	invalid JSON	{broken$" "$T/b1"
	[ "$(tail -1 <<< "$out1")" = "$(printf 'x\t0x0000752f\ta')" ]
	# one converter in blocks of 4 KiB (TRACE_TOOLS_CHUNK): lines across
	# every block edge, and lines longer than a block
	run --separate-stderr env TRACE_TOOLS_CHUNK=4096 trace-normalize --threads 1 "${args[@]}" --bad-lines "$T/b2" "$T/big"
	assert_success
	[ "$output" = "$out1" ]
	[ "$stderr" = "$err1" ]
	assert_same "$T/b1" "$T/b2"
	for th in 2 3; do
		run --separate-stderr trace-normalize --threads $th "${args[@]}" --bad-lines "$T/b2" "$T/big"
		assert_success
		[ "$output" = "$out1" ]
		[ "$stderr" = "$err1" ]
		assert_same "$T/b1" "$T/b2"
		run --separate-stderr trace-normalize --threads $th "${args[@]}" "$T/big.gz"
		assert_success
		[ "$output" = "$out1" ]
		run --separate-stderr sh -c "cat '$T/big' | trace-normalize --threads $th ${args[*]} -"
		assert_success
		[ "$output" = "$out1" ]
	done
	for th in 1 2; do
		run --separate-stderr trace-normalize --threads $th -c lr "$T/big"
		assert_failure 2
		[ "$stderr" = "trace-normalize: $T/big:6: invalid JSON" ]
	done
	sed -i 's/^{broken$/{"lr": 1}/' "$T/big"
	printf '\n{bad' >> "$T/big"
	for th in 1 2; do
		run --separate-stderr trace-normalize --threads $th -c lr "$T/big"
		assert_failure 2
		[ "$stderr" = "trace-normalize: $T/big:30001: invalid JSON" ]
	done
}

@test "inputs of several MiB (buffers on huge pages, lines taken from the decompression thread's chunks): a file, a pipe, gzip and zstd give the same rows, a line longer than the buffer too" {
	# over 4 MiB plain and over 512 KiB compressed (random text), with a
	# 3 MiB line that outgrows the reader's first buffer, CRLF lines and
	# no final newline; a pipe's reader has no size and keeps malloc's
	# buffers, the file's take the other way
	python3 -c '
import base64, random, sys
r = random.Random(17)
out = []
for i in range(30000):
    if i == 15000: out.append("{\"lr\": %d, \"fn\": \"%s\"}" % (i + 1, "z" * 3000000))
    else: out.append("{\"lr\": %d, \"fn\": \"%s\"}%s" % (i + 1, base64.b64encode(r.randbytes(90)).decode(), "\r" if i % 7 == 3 else ""))
sys.stdout.write("\n".join(out))' > "$T/big"
	[ "$(wc -c < "$T/big")" -gt 4194304 ]
	gzip -1 -c "$T/big" > "$T/big.gz"
	zstd -q -1 -c "$T/big" > "$T/big.zst"
	[ "$(wc -c < "$T/big.gz")" -gt 524288 ]
	[ "$(wc -c < "$T/big.zst")" -gt 524288 ]
	args=(-c lr -c fn --op-value x)
	cat "$T/big" | trace-normalize --threads 1 "${args[@]}" - > "$T/ref"
	[ "$(wc -l < "$T/ref")" -eq 30001 ]
	[ "$(sed -n '15002p' "$T/ref" | cut -f3 | wc -c)" -eq 3000001 ]
	[ "$(tail -1 "$T/ref" | cut -f2)" = 0x00007530 ]
	for th in 1 2; do
		for f in big big.gz big.zst; do
			trace-normalize --threads $th "${args[@]}" "$T/$f" > "$T/got"
			assert_same "$T/ref" "$T/got"
		done
		zstd -dc "$T/big.zst" | trace-normalize --threads $th "${args[@]}" - > "$T/got"
		assert_same "$T/ref" "$T/got"
	done
	# one converter takes the lines where the decompression thread put
	# them, a line across two of its chunks put together; in blocks of
	# 4 KiB too
	for f in big.gz big.zst; do
		TRACE_TOOLS_CHUNK=4096 trace-normalize --threads 1 "${args[@]}" "$T/$f" > "$T/got"
		assert_same "$T/ref" "$T/got"
	done
}

# simd_paths (helper.bash): the JSON Lines fast paths this machine can
# run (TRACE_TOOLS_SIMD).

@test "JSON Lines: each fast path gives jsmn's fields and errors, wherever a 16- or 32-byte block ends" {
	# Lines whose quotes, backslashes, control bytes and number ends
	# fall at every offset of a block, in spacings that repeat (the
	# separators and keys remembered) and change; then each line again
	# with a nested value added, which only jsmn parses.
	mkdir "$T/fast" "$T/jsmn"
	python3 - "$T" <<-'PY'
	import sys
	good, bad = [], []
	seps = [(': ', ', '), (':', ','), (' : ', ' , '), (':\t', ',\t'), (': ', ',  ')]
	for s in range(1, 81):
	    pad = "x" * s
	    num = ("1234567890" * 8)[:s % 70 + 1]
	    for k, (c, m) in enumerate(seps):
	        f = [("p", '"%s"' % pad), ("a", '"v\\"%s\\\\"' % pad[:s % 37]),
	             ("b", num),
	             ("\\u0063" if (s + k) % 4 == 0 else "c",
	              '"\\u00e9%s\\t"' % pad[:s % 19]),
	             ("d", ["true", "false", "0", "-12.5e+3", num + ".25"][s % 5]),
	             ("e%s" % ("k" * (s % 33)), '"%s"' % pad[:s % 11]),
	             ("pqrstu%d" % (s % 2), '"%d"' % s), ("pqrstu%d" % (1 - s % 2), str(s))]
	        if (s + k) % 3 == 0:
	            f.reverse()
	        body = m.join('"%s"%s%s' % (key, c, v) for key, v in f)
	        good.append("{" + body + "}" + " " * (s % 3))
	        # the same glue, then a bad value or separator
	        for b in ('"p"%s"%s\x01"' % (c, pad), '"p"%s"%s\\x"' % (c, pad),
	                  '"p"%s0%s' % (c, num), '"p"%s%s.' % (c, num),
	                  '"p"%s%se' % (c, num), '"p"%stru' % c,
	                  '"p"%s"%s"%s"b"' % (c, pad, m), '"p" "%s"' % pad,
	                  '"p"%s"%s"%s' % (c, pad, m)):
	            bad.append("{" + body + m + b + "}")
	        bad.append("{" + body + "} x")
	        bad.append("{" + body)
	short = ['{"p":"x"}', '{"p":1}', '{}', ' { } ', '{"p":"%s"}' % ("y" * 5000)]
	with open(sys.argv[1] + "/fast/in.jsonl", "w") as out:
	    out.write("\n".join(good + short + bad) + "\n")
	with open(sys.argv[1] + "/jsmn/in.jsonl", "w") as out:
	    out.write("\n".join([g[:g.rindex("}")] + ', "z": [0]}' for g in good] +
	        short + bad) + "\n")
	PY
	cols="--op-value x -c p:str -c a:str -c b:str -c c:str -c d:str"
	cols="$cols -c u0=pqrstu0:str -c u1=pqrstu1:str --optional a,b,c,d,u0,u1"
	cd "$T/jsmn"
	# shellcheck disable=SC2086
	trace-normalize $cols --skip-bad --bad-lines bad in.jsonl > out 2> err
	[ "$(wc -l < out)" -gt 400 ] && [ "$(wc -l < bad)" -gt 4000 ]
	cd "$T/fast"
	for p in $(simd_paths); do
		# shellcheck disable=SC2086
		TRACE_TOOLS_SIMD=$p trace-normalize $cols --skip-bad \
		    --bad-lines bad in.jsonl > out 2> err
		assert_same ../jsmn/out out
		assert_same ../jsmn/bad bad
		assert_same ../jsmn/err err
	done
}

@test "JSON Lines: where a number ended after the same key last time is a guess, checked before the walk goes on" {
	# The direct walk goes on from where the last number after the same
	# glue ended, and checks that guess first: numbers of each length
	# from 1 to 20 digits after lines that taught it each other length,
	# followed by bytes that are valid only where the number really ends
	# (blanks) or not at all (a second ',', a stray byte, a ',' before
	# the '}'); the same number last in its line.  Each path's rows and
	# errors are the scalar walk's, which guesses nothing.
	# Each such line comes after 8 that taught the length: a line the
	# direct walk defers sends the next few the long way (conv_jsonl()).
	python3 - "$T/in.jsonl" <<-'PY'
	import sys
	digits = "98765432109876543210"
	with open(sys.argv[1], "w") as out:
	    for a in range(1, 21):
	        for b in range(1, 21):
	            for i, tail in enumerate((", ", " , ", ",, ", ",x, ", "  ,", " ,\t")):
	                end = ("", " ", ",", ",,", "\t", " x")[i]
	                out.write('{"a": %s, "b": 7, "c": 7}\n' % digits[:a] * 8)
	                out.write('{"a": %s%s"b": 7, "c": 7}\n' % (digits[:b], tail))
	                out.write('{"a": 5, "c": %s}\n' % digits[:a] * 8)
	                out.write('{"a": 5, "c": %s%s}\n' % (digits[:b], end))
	PY
	cols="--op-value x -c lr=a:addr -c tid=b -c ts=c --optional tid"
	# shellcheck disable=SC2086
	scalar_ref "$T/in.jsonl" $cols
	[ "$(wc -l < "$T/out.ref")" -gt 40000 ] && [ "$(wc -l < "$T/bad.ref")" -gt 2500 ]
	grep -qF '	{"a": 9876,, "b": 7, "c": 7}' "$T/bad.ref"
	grep -qF '	{"a": 5, "c": 9876,}' "$T/bad.ref"
	# shellcheck disable=SC2086
	paths_as_ref "$T/in.jsonl" $cols
}

@test "JSON Lines: a string ends within the line's first 64 bytes, probed at once, or after them, on every path" {
	# Lines of one shape (the direct walk's), whose two strings end at
	# every offset from 8 to 140, in lines shorter and longer than 64
	# bytes: bodies empty, plain, starting or ending with an escape, a
	# quote escaped just before or after byte 64, a raw control byte,
	# a line's end inside the string.  Each path's rows and errors are
	# the scalar walk's.
	python3 - "$T/in.jsonl" <<-'PY'
	import sys
	bodies = ['', 'x', '\\"', '\\\\', '\\u00e9x', 'x\\"', 'x\\t', 'x\x01']
	with open(sys.argv[1], "w") as out:
	    for a in range(0, 70):
	        for b in range(0, 90, 3):
	            for i, body in enumerate(bodies):
	                op = "a" * a + (body if i % 2 else "")
	                fn = (body if i % 2 == 0 else "") + "b" * b
	                out.write('{"op": "%s", "fn": "%s", "tid": 3, "ts": %d}\n' % (op, fn, a))
	            out.write('{"op": "%s", "fn": "%s}\n' % ("a" * a, "b" * b))
	PY
	cols="-c op:str -c fn:str -c tid -c ts"
	# shellcheck disable=SC2086
	scalar_ref "$T/in.jsonl" $cols
	[ "$(wc -l < "$T/out.ref")" -gt 14000 ] && [ "$(wc -l < "$T/bad.ref")" -gt 4000 ]
	grep -q '^x"	3	0	bbb$' "$T/out.ref"
	# shellcheck disable=SC2086
	paths_as_ref "$T/in.jsonl" $cols
}

@test "JSON Lines: keys in changing orders, repeated and escaped, find their columns on every path" {
	# Lines of up to 30 keys from a pool, so that the separators and
	# keys remembered by the fast path (and the column each key was
	# found to feed) are met again in other places and other lines;
	# some keys escaped, some lines holding a key twice.  Each path's
	# rows and errors are those of the scalar walk, which remembers
	# nothing.
	python3 - "$T/in.jsonl" <<-'PY'
	import random, sys
	rnd = random.Random(7)
	pool = ["k%d%s" % (i, "x" * (i % 9)) for i in range(120)]
	with open(sys.argv[1], "w") as out:
	    for l in range(6000):
	        keys = rnd.sample(pool[:30] if l % 3 else pool, rnd.randrange(3, 30))
	        if l % 17 == 0:
	            keys.append(rnd.choice(keys))
	        f = []
	        for k in keys:
	            kk = k.replace("k", "\\u006b", 1) if l % 23 == 0 else k
	            f.append('"%s": %d' % (kk, rnd.randrange(1, 10**9)))
	        out.write("{" + ", ".join(f) + "}\n")
	PY
	cols="-c op=k1x:str -c tid=k2xx -c ts=k3xxx -c a=k0:addr -c b=k9:hex"
	cols="$cols -c c=k10x:dec -c d=k29xx -c e=k100x --optional op,tid,a,b,c,d,e"
	# shellcheck disable=SC2086
	scalar_ref "$T/in.jsonl" $cols
	[ "$(wc -l < "$T/out.ref")" -gt 1000 ] && [ "$(wc -l < "$T/bad.ref")" -gt 100 ]
	grep -q 'duplicate key' "$T/bad.ref"
	# shellcheck disable=SC2086
	paths_as_ref "$T/in.jsonl" $cols
}

@test "JSON Lines: lines of one shape go straight to their columns, and every other line as before" {
	# Most lines share one shape, so that values go from the walk to
	# their columns (json_parse_to()); among them, every few lines,
	# one that must not go that way: a key twice (at the same place and
	# elsewhere), a key missing or added, escaped, a value of another
	# type, a raw control byte, a nested value, numbers that are not
	# digits alone.  Each path's rows and errors are the scalar walk's,
	# with one thread and with two.
	python3 - "$T/in.jsonl" <<-'PY'
	import random, sys
	rnd = random.Random(11)
	odd = [
	    '{"op": "set", "fn": "KeSetEvent", "handle": 7, "lr": %d, "tid": 3, "lr": 5, "ts": 9}',
	    '{"op": "set", "fn": "KeSetEvent", "handle": 7, "lr": %d, "tid": 3, "tid": 4, "ts": 9}',
	    '{"op": "set", "fn": "KeSetEvent", "handle": 7, "lr": %d, "tid": 3}',
	    '{"op": "set", "fn": "KeSetEvent", "handle": 7, "lr": %d, "tid": 3, "ts": 9, "x": 1}',
	    '{"op": "set", "fn": "KeSetEvent", "handle": 7, "\\u006cr": %d, "tid": 3, "ts": 9}',
	    '{"op": "set", "fn": "KeSetEvent", "handle": "0x7", "lr": %d, "tid": 3, "ts": 9}',
	    '{"op": "s\\u0065t", "fn": null, "handle": 7, "lr": %d, "tid": true, "ts": 9}',
	    '{"op": "set\x01", "fn": "KeSetEvent", "handle": 7, "lr": %d, "tid": 3, "ts": 9}',
	    '{"op": "set", "fn": "KeSetEvent", "handle": 7, "lr": %d, "tid": [3], "ts": 9}',
	    '{"op": "set", "fn": "KeSetEvent", "handle": -7.5, "lr": %d, "tid": 3, "ts": 9}',
	    '{"op": "set", "fn": "KeSetEvent", "handle": 7, "lr": %d, "tid": "", "ts": 9}',
	    '{"op": "set", "fn": "KeSetEvent", "handle": 7, "lr": %d, "tid": 0, "ts": 0}',
	    '{"op": "set", "fn": "KeSetEvent", "handle": 7, "lr": %d, "tid": -3, "ts": 9}',
	    '{"op": "set", "fn": "KeSetEvent", "handle": 7, "lr": %d, "tid": 3.0, "ts": 9}',
	    '{"op": "set", "fn": "KeSetEvent", "handle": 7, "lr": %d, "tid": 3, "ts": 9e3}',
	    '{"op": "set", "fn": "KeSetEvent", "handle": 7, "lr": %d, "tid": 3, "ts": 1234567890123456789}',
	    '{"op": "set", "fn": "KeSetEvent", "handle": 7, "lr": %d, "tid": "12", "ts": "9"}',
	    '{"fn": "KeSetEvent", "op": "set", "handle": 7, "lr": %d, "tid": 3, "ts": 9}',
	]
	with open(sys.argv[1], "w") as out:
	    for l in range(20000):
	        lr = rnd.randrange(1, 2**32)
	        if l % 7 == 3:
	            out.write(rnd.choice(odd) % lr + "\n")
	        else:
	            out.write('{"op": "%s", "fn": "%s", "handle": %d, "lr": %d, "tid": %d, "ts": %d}\n'
	                % (rnd.choice(["set", "release"]), rnd.choice(["KeSetEvent", "NtReleaseSemaphore"]),
	                   rnd.randrange(1, 5000), lr, rnd.randrange(1, 50), l))
	PY
	cols="-c op:str -c fn:str -c handle -c lr -c tid -c ts"
	for t in 1 2; do
		# shellcheck disable=SC2086
		TRACE_TOOLS_SIMD=scalar trace-normalize --threads $t $cols --skip-bad \
		    --bad-lines "$T/bad.ref" "$T/in.jsonl" > "$T/out.ref" 2> "$T/err.ref"
		[ "$(wc -l < "$T/out.ref")" -gt 17000 ]
		grep -q "duplicate key 'lr'" "$T/bad.ref"
		grep -q "duplicate key 'tid'" "$T/bad.ref"
		grep -q "missing field 'ts'" "$T/bad.ref"
		for p in $(simd_paths); do
			# shellcheck disable=SC2086
			TRACE_TOOLS_SIMD=$p trace-normalize --threads $t $cols --skip-bad \
			    --bad-lines "$T/bad" "$T/in.jsonl" > "$T/out" 2> "$T/err"
			assert_same "$T/out.ref" "$T/out"
			assert_same "$T/bad.ref" "$T/bad"
			assert_same "$T/err.ref" "$T/err"
		done
	done
}

@test "TRACE_TOOLS_SIMD: an unknown path is an error" {
	printf '{"op":"x"}\n' > "$T/in"
	TRACE_TOOLS_SIMD=scalar run trace-normalize -c op "$T/in"
	assert_success
	TRACE_TOOLS_SIMD=sse3 run --separate-stderr trace-normalize -c op "$T/in"
	assert_failure 2
	[ "$stderr" = "trace-normalize: TRACE_TOOLS_SIMD: unknown value 'sse3' (scalar, sse2 or avx2)" ]
}

@test "lines of every length are cut at their newlines, wherever a 64-byte block ends" {
	# Lines of 0 to 300 bytes (blank, CRLF, malformed, and records
	# padded to every length), so that their newlines fall at every
	# place of the 64-byte blocks the lines are cut from, several in one
	# block, none in some; the last line without its newline; on each
	# path (scalar: memchr for each line), one thread and two.  Each
	# record's lr is its line number: the rows, the malformed lines'
	# numbers and the counts are what Python finds.
	python3 - "$T/in.jsonl" "$T/out.exp" "$T/bad.exp" <<-'PY'
	import random, sys
	rnd = random.Random(5)
	out, rows, bad = [], [], []
	for n in range(1, 6001):
	    r = rnd.random()
	    if r < 0.1:
	        line = rnd.choice(["", " ", "\r", "  \t"])
	    elif r < 0.15:
	        line = "{broken %d" % n
	        bad.append(n)
	    else:
	        line = '{"lr": %d, "tid": 1, "p": "%s"}' % (n, "x" * rnd.choice([0, 1, 2, rnd.randrange(300)]))
	        rows.append(n)
	        if rnd.random() < 0.2:
	            line += "\r"
	    out.append(line)
	with open(sys.argv[1], "w", newline="") as f:
	    f.write("\n".join(out))
	with open(sys.argv[2], "w") as f:
	    f.write("lr\ttid\n" + "".join("0x%08x\t1\n" % n for n in rows))
	with open(sys.argv[3], "w") as f:
	    f.write("".join("%d\n" % n for n in bad))
	PY
	[ "$(tail -c 1 "$T/in.jsonl")" != "" ]
	for tp in 1,scalar 1,sse2 1,avx2 2,scalar 2,sse2 2,avx2; do
		t=${tp%,*} p=${tp#*,}
		simd_paths | grep -qx "$p" || continue
		TRACE_TOOLS_SIMD=$p TRACE_TOOLS_CHUNK=4096 run --separate-stderr trace-normalize --threads $t \
		    -c lr -c tid --skip-bad --bad-lines "$T/bad" "$T/in.jsonl"
		assert_success
		printf '%s\n' "$output" > "$T/out"
		assert_same "$T/out.exp" "$T/out"
		cut -f 2 "$T/bad" | tail -n +2 > "$T/badn"
		assert_same "$T/bad.exp" "$T/badn"
		nbad=$(wc -l < "$T/bad.exp")
		[[ "$stderr" == *"skipped $nbad of $(( nbad + $(wc -l < "$T/out.exp") - 1 )) records"* ]]
		[[ "$stderr" == *"ignored $(grep -c '^[[:space:]]*$' "$T/in.jsonl") blank lines"* ]]
	done
}
