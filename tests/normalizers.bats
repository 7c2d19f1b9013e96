#!/usr/bin/env bats
# examples/normalizers: the awk and jq normalizers against the built-in
# JSON Lines reader of trace-normalize, on the same events.
load helper

N="$EX/normalizers"
ND="$DATA/normalizers"

# The awks at hand: mawk and gawk, and gawk in POSIX mode.
awks() {
	command -v mawk >/dev/null && echo mawk
	command -v gawk >/dev/null && echo gawk && echo "gawk --posix"
	true
}

# logfmt AWK FILE...: the awk normalizer, in the C locale.
logfmt() {
	local a=$1
	shift
	# shellcheck disable=SC2086
	LC_ALL=C $a -f "$N/logfmt.awk" "$@"
}

nested() {
	jq -nrR -f "$N/nested.jq" "$@"
}

@test "awks: mawk and gawk are both here (else the awk tests cover fewer)" {
	[ -n "$(awks)" ] || skip "no mawk or gawk"
	command -v mawk >/dev/null || skip "mawk is not installed"
	command -v gawk >/dev/null || skip "gawk is not installed"
}

@test "logfmt.awk: the same event stream as trace-normalize, valid" {
	trace-normalize -q "$ND/flat.jsonl" > "$T/builtin.tsv"
	[ "$(wc -l < "$T/builtin.tsv")" -eq 11 ]
	n=0
	while read -r a; do
		logfmt "$a" "$ND/events.logfmt" > "$T/awk.tsv"
		trace-normalize --check "$T/awk.tsv"
		assert_same "$T/builtin.tsv" "$T/awk.tsv"
		# From the standard input too.
		logfmt "$a" < "$ND/events.logfmt" > "$T/awk2.tsv"
		assert_same "$T/builtin.tsv" "$T/awk2.tsv"
		n=$((n + 1))
	done < <(awks)
	[ "$n" -gt 0 ] || skip "no mawk or gawk"
}

@test "nested.jq: the same event stream as trace-normalize, valid" {
	trace-normalize -q "$ND/flat.jsonl" > "$T/builtin.tsv"
	nested "$ND/nested.jsonl" > "$T/jq.tsv"
	trace-normalize --check "$T/jq.tsv"
	assert_same "$T/builtin.tsv" "$T/jq.tsv"
	nested < "$ND/nested.jsonl" > "$T/jq2.tsv"
	assert_same "$T/builtin.tsv" "$T/jq2.tsv"
}

# gen SEED N SHIFT: N flat JSON Lines events, deterministic; SHIFT moves
# the call sites, so that two sides share some keys and not others.
gen() {
	awk -v seed="$1" -v n="$2" -v shift="$3" 'BEGIN {
		split("set release wait\\tfor back\\\\slash \\\"q\\\" x=y", ops, " ")
		s = seed
		for (i = 1; i <= n; i++) {
			s = (s * 1103515245 + 12345) % 2147483648
			k = int(s / 65536) % 40
			# Skewed: low sites fire more often.
			if (k % 3) k = int(k / 3)
			k += shift
			lr = 2185929456 + k * 20
			op = ops[k % 6 + 1]
			s = (s * 1103515245 + 12345) % 2147483648
			h = int(s / 65536) % 7
			tid = 10 + k % 4
			printf "{\"op\":\"%s\",\"lr\":\"0x%X\",", op, lr
			if (h) printf "\"handle\":%d,", 4096 + h
			printf "\"tid\":%d,\"ts\":%d}\n", tid, 278000000 + i * 37
		}
	}'
}

# report DIR NORMALIZE...: the pipeline from ref.* and cand.* in DIR to
# DIR/report.json and report.md, normalizing with the command given.
report() {
	local d=$1 s
	shift
	for s in ref cand; do
		"$@" "$d/$s" > "$d/$s.tsv"
		trace-normalize --check "$d/$s.tsv"
		trace-key "$d/$s.tsv" | trace-hist > "$d/$s.hist"
	done
	trace-join --names ref,cand "$d/ref.hist" "$d/cand.hist" > "$d/join.tsv"
	trace-report -f json -o "$d/report.json" "$d/join.tsv"
	trace-report -o "$d/report.md" "$d/join.tsv"
}

builtin() { trace-normalize -q -f jsonl "$1.jsonl"; }
via_awk() { logfmt "$AWK" "$1.logfmt"; }
via_jq() { nested "$1.nested"; }

@test "the same report through the awk, jq and built-in paths" {
	mkdir "$T/b" "$T/j"
	gen 1 3000 0 > "$T/b/ref.jsonl"
	gen 2 1500 9 > "$T/b/cand.jsonl"
	for s in ref cand; do
		jq -r 'to_entries | map(select(.value != null) | "\(.key)=\(.value
		    | if type == "string" then tojson else tostring end)")
		    | join(" ")' "$T/b/$s.jsonl" > "$T/b/$s.logfmt"
		jq -c '{event: {name: .op, site: {lr: .lr},
		    object: {handle: .handle}}, thread: {id: .tid},
		    time: {ns: .ts}}' "$T/b/$s.jsonl" > "$T/b/$s.nested"
	done
	grep -q 'op="wait\\tfor"' "$T/b/ref.logfmt"
	grep -q 'op="back\\\\slash' "$T/b/ref.logfmt"
	report "$T/b" builtin
	# Something to compare: keys in every class.
	jq -e '.headline == "divergent" and .totals.ref_fires == 3000 and
	    .totals.cand_fires == 1500 and .totals.missing_keys > 0 and
	    .totals.matched_keys > 0 and .totals.extra_keys > 0' "$T/b/report.json"
	jq -e '[.missing[].op] | index("wait\tfor") != null' "$T/b/report.json"
	cp "$T/b"/*.nested "$T/j/"
	report "$T/j" via_jq
	for f in ref.tsv cand.tsv join.tsv report.json report.md; do
		assert_same "$T/b/$f" "$T/j/$f"
	done
	n=0
	while read -r AWK; do
		rm -rf "$T/a"
		mkdir "$T/a"
		cp "$T/b"/*.logfmt "$T/a/"
		report "$T/a" via_awk
		for f in ref.tsv cand.tsv join.tsv report.json report.md; do
			assert_same "$T/b/$f" "$T/a/$f"
		done
		n=$((n + 1))
	done < <(awks)
	[ "$n" -gt 0 ]
}

@test "logfmt.awk: a bad line stops it with FILE:LINE and status 2" {
	n=0
	while read -r a; do
		for bad in 'op=x lr=zz' 'op="unterminated' 'op="a\qb"' \
		    'op=a op=b' 'a=b=c' 'tid=1.5' 'tid=9223372036854775808' \
		    'lr=0x10000000000000000' 'lr=18446744073709551616' \
		    'handle=-1' 'tid=015' 'tid=-0' 'tid=+3' 'op=a"b"'; do
			printf 'op=ok lr=0x1\n\nop=ok2\n%s\nop=never\n' "$bad" > "$T/bad.log"
			run --separate-stderr logfmt "$a" "$T/bad.log"
			assert_failure 2
			[[ "$stderr" == "logfmt.awk: $T/bad.log:4: "* ]]
			[ "${#stderr_lines[@]}" -eq 1 ]
			# The rows before it were written, nothing after.
			[ "${#lines[@]}" -eq 3 ]
		done
		run --separate-stderr logfmt "$a" < "$T/bad.log"
		assert_failure 2
		[[ "$stderr" == "logfmt.awk: (stdin):4: "* ]]
		run --separate-stderr logfmt "$a" "$ND/events.logfmt" "$T/bad.log"
		assert_failure 2
		[[ "$stderr" == "logfmt.awk: $T/bad.log:4: "* ]]
		n=$((n + 1))
	done < <(awks)
	[ "$n" -gt 0 ] || skip "no mawk or gawk"
	run --separate-stderr logfmt "$(awks | head -1)" "$T/bad.log"
	[ "$stderr" = "logfmt.awk: $T/bad.log:4: unexpected '\"' after the value of op" ]
}

@test "nested.jq: a bad line stops it with FILE:LINE and status 2" {
	for bad in 'nope' '[1, 2]' '{"event": "x"}' '{"event": {"site": {"lr": "zz"}}}' \
	    '{"event": {"name": 5}}' '{"thread": {"id": 1.5}}' \
	    '{"thread": {"id": "9223372036854775808"}}' \
	    '{"event": {"site": {"lr": 9007199254740993}}}' \
	    '{"event": {"site": {"lr": "18446744073709551615"}}}' \
	    '{"event": {"site": {"lr": "0x10000000000000000"}}}' \
	    '{"time": {"ns": 1e300}}' '{"thread": {"id": "015"}}' \
	    '{"thread": {"id": -0}}' '{"thread": {"id": "+3"}}' \
	    '{"event": {"object": {"handle": -1}}}'; do
		printf '{}\n\n{"event": {"name": "ok"}}\n%s\n{}\n' "$bad" > "$T/bad.jsonl"
		run --separate-stderr nested "$T/bad.jsonl"
		assert_failure 2
		[[ "$stderr" == "nested.jq: $T/bad.jsonl:4: "* ]]
		[ "${#lines[@]}" -eq 3 ]
	done
	run --separate-stderr nested < "$T/bad.jsonl"
	assert_failure 2
	[ "$stderr" = "nested.jq: (stdin):4: event.object.handle: not an address: -1" ]
	# Line numbers are counted per file, and a last line without a
	# newline is counted.
	printf '{}\n{}\n{}\n' > "$T/a.jsonl"
	printf '{}\n{"event": []}' > "$T/b.jsonl"
	run --separate-stderr nested "$T/a.jsonl" "$T/b.jsonl"
	assert_failure 2
	[ "$stderr" = "nested.jq: $T/b.jsonl:2: event.name: not reachable: a parent is not an object" ]
	run --separate-stderr nested "$T/a.jsonl" "$T/a.jsonl" "$T/b.jsonl"
	assert_failure 2
	[ "$stderr" = "nested.jq: $T/b.jsonl:2: event.name: not reachable: a parent is not an object" ]
	# Without -R the input is not text.
	run --separate-stderr jq -nr -f "$N/nested.jq" "$ND/nested.jsonl"
	assert_failure 2
	[[ "$stderr" == *"run jq with -n, -r and -R" ]]
}

@test "normalizers: 64-bit values stay exact as text" {
	printf 'lr=0xFFFFFFFFFFFFFFFE handle=9007199254740993 tid=-9223372036854775807 ts=9007199254740993\n' > "$T/big.log"
	while read -r a; do
		run logfmt "$a" "$T/big.log"
		assert_success
		assert_line "$(printf '\t0xfffffffffffffffe\t0x20000000000001\t-9223372036854775807\t9007199254740993')"
	done < <(awks)
	printf '{"event": {"site": {"lr": "0xFFFFFFFFFFFFFFFE"}}, "thread": {"id": "-9223372036854775807"}, "time": {"ns": "9007199254740993"}}\n' > "$T/big.jsonl"
	run nested "$T/big.jsonl"
	assert_success
	assert_line "$(printf '\t0xfffffffffffffffe\t\t-9223372036854775807\t9007199254740993')"
}

@test "both normalizers: a tid is a canonical integer, as trace-normalize has it" {
	printf 'op=a tid=0\nop=b tid=-7\n' > "$T/t.log"
	printf '{"event": {"name": "a"}, "thread": {"id": "0"}}\n{"event": {"name": "b"}, "thread": {"id": -7}}\n' > "$T/t.jsonl"
	printf '{"op": "a", "tid": "0"}\n{"op": "b", "tid": -7}\n' | trace-normalize > "$T/want"
	[ "$(cut -f 4 "$T/want" | tr '\n' ' ')" = "tid 0 -7 " ]
	while read -r a; do
		logfmt "$a" "$T/t.log" > "$T/got"
		assert_same "$T/want" "$T/got"
	done < <(awks)
	nested "$T/t.jsonl" > "$T/got"
	assert_same "$T/want" "$T/got"
	# 015, -0 and +3 are refused by all three (the normalizers above)
	for t in '"015"' '"-0"' '-0' '"+3"'; do
		printf '{"op": "a", "tid": %s}\n' "$t" | { ! trace-normalize 2>/dev/null; }
	done
}
