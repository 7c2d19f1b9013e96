#!/usr/bin/env bats
# trace-normalize --where: record filters, each operator and its count.
load helper

input() {
	cat > "$T/in.jsonl" <<'EOT'
{"op":"a","ph":"B","n":16,"x":null,"name":"x=y"}
{"op":"b","ph":"E","n":"0x10","name":"a~b"}
{"op":"c","ph":"X","n":"ten","name":""}
{"op":"d","n":17}
EOT
}

@test "--where FIELD=VALUE: text, or numbers compared as numbers" {
	input
	run --separate-stderr trace-normalize -c op --where ph=B "$T/in.jsonl"
	assert_success
	assert_output "$(printf 'op\na')"
	[ "$stderr" = "trace-normalize: dropped 3 of 4 records by --where" ]
	# 16, "0x10" and 0x0010 are one number; "ten" is not a number.
	run --separate-stderr trace-normalize -c op --where n=0x0010 "$T/in.jsonl"
	assert_output "$(printf 'op\na\nb')"
	[ "$stderr" = "trace-normalize: dropped 2 of 4 records by --where" ]
	run --separate-stderr trace-normalize -c op --where n=ten "$T/in.jsonl"
	assert_output "$(printf 'op\nc')"
}

@test "--where FIELD!=VALUE: an absent field passes" {
	input
	run --separate-stderr trace-normalize -c op --where ph!=E "$T/in.jsonl"
	assert_success
	assert_output "$(printf 'op\na\nc\nd')"
	[ "$stderr" = "trace-normalize: dropped 1 of 4 records by --where" ]
	# null and "" are absent too
	run --separate-stderr trace-normalize -c op --where x!=1 --where name!=zz "$T/in.jsonl"
	assert_output "$(printf 'op\na\nb\nc\nd')"
	[ -z "$stderr" ]
}

@test "--where FIELD~REGEX: PCRE2 anywhere in the value; absent fails" {
	input
	run --separate-stderr trace-normalize -c op --where 'ph~^[BX]$' "$T/in.jsonl"
	assert_success
	assert_output "$(printf 'op\na\nc')"
	[ "$stderr" = "trace-normalize: dropped 2 of 4 records by --where" ]
	run --separate-stderr trace-normalize -c op --where 'n~\d' "$T/in.jsonl"
	assert_output "$(printf 'op\na\nb\nd')"
}

@test "--where: the field name ends at the first !=, = or ~; all must hold; -q" {
	input
	# name's value holds = and ~
	run --separate-stderr trace-normalize -c op --where 'name=x=y' "$T/in.jsonl"
	assert_output "$(printf 'op\na')"
	run --separate-stderr trace-normalize -c op --where 'name~a~b' "$T/in.jsonl"
	assert_output "$(printf 'op\nb')"
	run --separate-stderr trace-normalize -q -c op --where 'ph~.' --where n!=16 "$T/in.jsonl"
	assert_success
	# "0x10" is 16 too; d has no ph
	assert_output "$(printf 'op\nc')"
	[ -z "$stderr" ]
}

@test "--where in a schema file, on CSV and TSV, with --threads" {
	printf 'column op\nwhere k=1\n' > "$T/s"
	printf 'op,k\na,1\nb,2\nc,01\n' > "$T/in.csv"
	run --separate-stderr trace-normalize -s "$T/s" "$T/in.csv"
	assert_success
	assert_output "$(printf 'op\na')"
	[ "$stderr" = "trace-normalize: dropped 2 of 3 records by --where" ]
	awk 'BEGIN { print "op\tk"; for (i = 0; i < 100000; i++) print "f" i "\t" i % 3 }' > "$T/big.tsv"
	run --separate-stderr trace-normalize --threads 4 -c op --where k!=0 "$T/big.tsv"
	assert_success
	[ "${#lines[@]}" -eq 66667 ]
	[ "$stderr" = "trace-normalize: dropped 33334 of 100000 records by --where" ]
}

@test "--where: usage errors and a nested value" {
	for bad in =1 ph ph= 'ph~' '!=x'; do
		run --separate-stderr trace-normalize --where "$bad" /dev/null
		assert_failure 2
	done
	run --separate-stderr trace-normalize --where ph
	[ "${stderr_lines[0]}" = "trace-normalize: --where: expected FIELD=VALUE, FIELD!=VALUE or FIELD~REGEX, got 'ph'" ]
	run --separate-stderr trace-normalize --where 'ph~['
	assert_failure 2
	[[ "${stderr_lines[0]}" == "trace-normalize: --where: missing terminating ] for character class at offset "* ]]
	printf '{"op":"a","ph":{"x":1}}\n' > "$T/n.jsonl"
	run --separate-stderr trace-normalize --where ph=B "$T/n.jsonl"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/n.jsonl:1: field ph: expected a scalar, got an object or array" ]
}
