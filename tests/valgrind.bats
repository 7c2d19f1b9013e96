#!/usr/bin/env bats
# The demo pipeline under valgrind: no memory errors, no definite leaks.
load helper

@test "valgrind: every stage of the demo pipeline is clean" {
	command -v valgrind >/dev/null || skip "valgrind not installed"
	[ -z "${TRACE_TOOLS_SANITIZED:-}" ] || skip "sanitizer build: valgrind runs on the normal build"
	run "$TOP/tests/valgrind.sh"
	assert_success
	assert_output "valgrind: demo pipeline clean"
}
