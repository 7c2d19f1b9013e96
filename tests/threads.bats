#!/usr/bin/env bats
# trace-normalize --threads: the lines of an input converted on several
# threads give exactly what one thread gives -- rows, counts, messages,
# the --bad-lines file, and the point where a strict run stops.
# TRACE_TOOLS_CHUNK makes the chunks small, so that tiny inputs use many.
load helper

D="$DATA/parity"

@test "threads: the same rows for JSON Lines, TSV and text lines" {
	export TRACE_TOOLS_CHUNK=300
	for th in 2 3 8; do
		trace-normalize --threads 1 -s "$EX/xenia/canary.schema" "$D/canary.jsonl" > "$T/one"
		trace-normalize --threads "$th" -s "$EX/xenia/canary.schema" "$D/canary.jsonl" > "$T/many"
		assert_same "$T/one" "$T/many"
		trace-normalize --threads 1 "$T/one" > "$T/tsv1"
		trace-normalize --threads "$th" "$T/one" > "$T/tsvn"
		assert_same "$T/tsv1" "$T/tsvn"
	done
	gunzip -c "$EX/strace/data/ls-l.strace.gz" > "$T/s.strace"
	trace-normalize --threads 1 -q -s "$EX/strace/strace.schema" "$T/s.strace" > "$T/one"
	trace-normalize --threads 4 -q -s "$EX/strace/strace.schema" "$T/s.strace" > "$T/many"
	assert_same "$T/one" "$T/many"
	[ "$(wc -l < "$T/one")" -gt 100 ]
}

@test "threads: counts, --skip-bad summary and --bad-lines in input order" {
	export TRACE_TOOLS_CHUNK=200
	python3 -c '
for i in range(2000):
    if i % 97 == 5: print("{broken")
    elif i % 89 == 3: print("")
    elif i % 83 == 7: print("{\"pc\": \"0x1\", \"lr\": %d}" % i)
    else: print("{\"pc\": \"0x8284dddc\", \"lr\": %d, \"tid\": 1}" % i)' > "$T/in"
	args=(-c lr -c tid --optional tid --op-map pc:0x8284dddc=set --unmatched drop --skip-bad)
	run --separate-stderr trace-normalize --threads 1 "${args[@]}" --bad-lines "$T/b1" "$T/in"
	assert_success
	out1=$output err1=$stderr
	run --separate-stderr trace-normalize --threads 4 "${args[@]}" --bad-lines "$T/b4" "$T/in"
	assert_success
	[ "$output" = "$out1" ]
	[ "$stderr" = "$err1" ]
	[[ "$stderr" == *"skipped 21 of "* ]]
	assert_same "$T/b1" "$T/b4"
}

@test "threads: a strict run stops at the first malformed line, as with one" {
	export TRACE_TOOLS_CHUNK=100
	python3 -c '
for i in range(3000):
    print("{\"lr\": %d}" % i if i not in (1700, 2500) else "{bad")' > "$T/in"
	run --separate-stderr trace-normalize --threads 1 -c lr "$T/in"
	assert_failure 2
	err1=$stderr
	run --separate-stderr trace-normalize --threads 4 -c lr "$T/in"
	assert_failure 2
	[ "$stderr" = "$err1" ]
	[ "$stderr" = "trace-normalize: $T/in:1701: invalid JSON" ]
}

@test "threads: bad values" {
	run trace-normalize --threads 0
	assert_failure 2
	run trace-normalize --threads x
	assert_failure 2
}
