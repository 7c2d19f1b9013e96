#!/bin/sh
# run.sh - run the whole test suite and end with "N passed, N failed".
#
# Every test is a bats test (the C unit tests run from tests/unit.bats);
# TAP output is shown as it comes and summarized at the end.  The exit
# status is 0 only when nothing failed.  Extra arguments name .bats files
# to run instead of all of them.
set -u
cd "$(dirname "$0")/.." || exit 2
if [ $# -gt 0 ]; then files="$*"; else files=$(ls tests/*.bats); fi
out=$(mktemp) || exit 2
trap 'rm -f "$out"' EXIT
# shellcheck disable=SC2086
bats --tap $files | tee "$out"
status=$?
pass=$(grep -c '^ok ' "$out")
fail=$(grep -c '^not ok ' "$out")
skip=$(grep -c '^ok .* # skip' "$out")
[ "$skip" -gt 0 ] && echo "($skip of the passed tests were skipped)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$status" -eq 0 ]
