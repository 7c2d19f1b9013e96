#!/usr/bin/env bats
# Replay the committed fuzz corpus (seeds and every crash found) through
# each fuzz target, built without libFuzzer.
load helper

@test "fuzz corpus replays clean: JSON-line reader" {
	run "$TOP/tests/fuzz/replay-json" "$TOP/tests/fuzz/corpus/json"
	assert_success
	[[ "$output" =~ ^[1-9][0-9]*\ inputs\ replayed$ ]]
}

@test "fuzz corpus replays clean: CSV reader" {
	run "$TOP/tests/fuzz/replay-csv" "$TOP/tests/fuzz/corpus/csv"
	assert_success
	[[ "$output" =~ ^[1-9][0-9]*\ inputs\ replayed$ ]]
}

@test "fuzz corpus replays clean: TSV rows and tally cells" {
	run "$TOP/tests/fuzz/replay-tsv" "$TOP/tests/fuzz/corpus/tsv"
	assert_success
	[[ "$output" =~ ^[1-9][0-9]*\ inputs\ replayed$ ]]
}

@test "fuzz corpus replays clean: number and address parsers" {
	run "$TOP/tests/fuzz/replay-num" "$TOP/tests/fuzz/corpus/num"
	assert_success
	[[ "$output" =~ ^[1-9][0-9]*\ inputs\ replayed$ ]]
}

@test "fuzz corpus replays clean: tally cell parser" {
	run "$TOP/tests/fuzz/replay-tally" "$TOP/tests/fuzz/corpus/tally"
	assert_success
	[[ "$output" =~ ^[1-9][0-9]*\ inputs\ replayed$ ]]
}
