#!/usr/bin/env bats
# trace-normalize: time columns in s, ms, us and ns, written as integer
# nanoseconds, exact for decimals, at the limits of 64 bits.
load helper

# norm UNIT VALUE...: the ts column of a CSV of the values.
norm() {
	u=$1
	shift
	{ echo t; printf '%s\n' "$@"; } > "$T/in.csv"
	run --separate-stderr trace-normalize -f csv -c "ts=t:$u" "$T/in.csv"
}

@test "time:s, the same as time: seconds with a fraction or a time of day" {
	for u in time time:s; do
		norm $u 1700000000.123456 10:20:30.5 0.5 1.1234567891 0 7
		assert_success
		assert_output "$(printf 'ts\n1700000000123456000\n37230500000000\n500000000\n1123456789\n0\n7000000000')"
	done
}

@test "time:ms, time:us, time:ns: integers and decimals in that unit" {
	norm time:ms 1 1.5 0.000001 0.0000019 12.345678
	assert_success
	assert_output "$(printf 'ts\n1000000\n1500000\n1\n1\n12345678')"
	norm time:us 1 1.5 0.001 0.0009 1700000000123456.789
	assert_success
	assert_output "$(printf 'ts\n1000\n1500\n1\n0\n1700000000123456789')"
	norm time:ns 1 1.999 0.5 123456789
	assert_success
	assert_output "$(printf 'ts\n1\n1\n0\n123456789')"
}

@test "time units at the limits of 64 bits; past them is an error" {
	norm time:s 9223372036.854775807 9223372036.8547758079
	assert_success
	assert_output "$(printf 'ts\n9223372036854775807\n9223372036854775807')"
	norm time:ms 9223372036854.775807
	assert_output "$(printf 'ts\n9223372036854775807')"
	norm time:us 9223372036854775.807
	assert_output "$(printf 'ts\n9223372036854775807')"
	norm time:ns 9223372036854775807 9223372036854775807.9
	assert_output "$(printf 'ts\n9223372036854775807\n9223372036854775807')"
	for x in time:s:9223372036.854775808 time:s:9223372037 \
	    time:ms:9223372036854.775808 time:us:9223372036854775.808 \
	    time:ns:9223372036854775808 time:ns:18446744073709551616 \
	    time:us:99999999999999999999; do
		norm "${x%:*}" "${x##*:}"
		assert_failure 2
		[ "$stderr" = "trace-normalize: $T/in.csv:2: field t: number does not fit in 64 bits: '${x##*:}'" ]
	done
}

@test "time units: bad values and a bad unit" {
	for u in time:ms time:us time:ns; do
		for bad in 10:20:30 1. .5 -1 1e3 abc 1.2.3 ' 1'; do
			norm $u "$bad"
			assert_failure 2
		done
	done
	run --separate-stderr trace-normalize -f csv -c ts=t:time:ps /dev/null
	assert_failure 2
	[ "${stderr_lines[0]}" = "trace-normalize: --column: unknown time unit 'ps' in 'ts=t:time:ps' (s, ms, us or ns)" ]
}

@test "time units from JSON numbers, as in a schema file" {
	printf 'column ts=t:time:us\ncolumn op\n' > "$T/s"
	printf '{"op":"a","t":12.5}\n{"op":"b","t":3}\n' > "$T/in.jsonl"
	run trace-normalize -s "$T/s" "$T/in.jsonl"
	assert_success
	assert_output "$(printf 'op\tts\na\t12500\nb\t3000')"
}
