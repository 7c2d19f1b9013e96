#!/usr/bin/env bats
# build.bats - the Makefile's dependency graph.

load helper

# A copy of the sources whose package check is slow and whose compiler
# fails when the check has not finished: make -j must wait for it.
@test "make -j: every compile waits for the package check" {
	tar -C "$TOP" -cf - Makefile VERSION common src tests/need-pkgs.sh | tar -xf - -C "$T"
	rm -f "$T"/common/*.o "$T"/common/*.a "$T"/src/*.o "$T"/src/*/*.o
	cat > "$T/tests/need-pkgs.sh" <<-'SH'
	sleep 1
	touch "$(dirname "$0")/../pkgs-checked"
	SH
	cat > "$T/cc" <<-SH
	#!/bin/sh
	[ -e "$T/pkgs-checked" ] || { echo "compiled before the package check" >&2; exit 1; }
	exec cc "\$@"
	SH
	chmod +x "$T/cc"
	run make -C "$T" -j4 CC="$T/cc" bin/trace-join bin/trace-hist
	assert_success
	refute_output --partial "compiled before the package check"
	[ -x "$T/bin/trace-join" ]
}
