# helper.bash - loaded by every .bats file.
bats_require_minimum_version 1.5.0
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
PATH="$TOP/bin:$PATH"
DATA="$TOP/tests/data"
EX="$TOP/examples"
SEED_DIFF=${SEED_DIFF:-$TOP/../shared/seed/diff.py}
export LC_ALL=C

# A fresh scratch directory per test.
setup() {
	T=$(mktemp -d "${BATS_TMPDIR:-/tmp}/tt.XXXXXX")
}

teardown() {
	[ -n "${T:-}" ] && rm -rf "$T"
}

# assert_same FILE1 FILE2: byte-identical, with a diff on failure.
assert_same() {
	if ! cmp -s "$1" "$2"; then
		diff -u "$1" "$2" | head -40 >&2
		fail "files differ: $1 $2"
	fi
}

# refute_grep GREP-ARGS...: fail when grep finds a match.  (A bare
# "! grep" does not fail a bats test unless it is the test's last line.)
refute_grep() {
	if grep "$@"; then
		fail "unexpected match: grep $*"
	fi
}

# The SIMD paths this machine can run (TRACE_TOOLS_SIMD: trace-normalize's
# JSON Lines scan, trace-diverge's line splitter).
simd_paths() {
	echo scalar
	if [ "$(uname -m)" = x86_64 ]; then
		echo sse2
		grep -qw avx2 /proc/cpuinfo && echo avx2
	fi
	return 0
}
