#!/usr/bin/env bats
# C unit tests of common/: number parsing, JSON, UTF-8, TSV escaping.
load helper

@test "common/ unit tests pass" {
	run "$TOP/tests/unit/test-common"
	assert_success
	assert_output --regexp '^[0-9]+ passed, 0 failed$' 
}
