#!/usr/bin/env bats
# Unix conventions, for every tool: help, version, option errors, --, -.
load helper

TOOLS="trace-normalize trace-key trace-hist trace-join trace-report trace-diverge"

# The usage lines of --help and the man page's SYNOPSIS, one line each.
help_synopsis() {
	"$1" --help | sed -n '/^usage:/,/^$/p' | sed 's/^usage: //' |
	    tr -s ' \t\n' ' ' | sed 's/ $//'
}

man_synopsis() {
	mandoc -Tascii "$TOP/man/$1.1" | col -b |
	    sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | sed '1d;$d' |
	    tr -s ' \t\n' ' ' | sed 's/^ //;s/ $//'
}

@test "-h and --help: usage on stdout, exit 0, matching the man page" {
	command -v mandoc >/dev/null || skip "mandoc not installed"
	for t in $TOOLS; do
		run --separate-stderr "$t" --help
		assert_success
		[ -z "$stderr" ]
		[[ "${lines[0]}" == "usage: $t "* ]]
		run "$t" -h
		assert_success
		[ "$(help_synopsis "$t")" = "$(man_synopsis "$t")" ] ||
		    fail "$t: --help and SYNOPSIS differ:
help: $(help_synopsis "$t")
man:  $(man_synopsis "$t")"
	done
}

@test "--version and -V print the name and version" {
	for t in $TOOLS; do
		run "$t" --version
		assert_success
		[[ "$output" =~ ^$t\ \(trace-tools\)\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
		run "$t" -V
		assert_success
	done
}

@test "a bad option: one message, a hint, exit 2, nothing on stdout" {
	for t in $TOOLS; do
		run --separate-stderr "$t" --no-such-option
		assert_failure 2
		[ -z "$output" ]
		[ "${#stderr_lines[@]}" -eq 2 ]
		[ "${stderr_lines[0]}" = "$t: unrecognized option '--no-such-option'" ]
		[ "${stderr_lines[1]}" = "Try '$t --help' for more information." ]
		run --separate-stderr "$t" -Z
		assert_failure 2
		[ "${stderr_lines[0]}" = "$t: invalid option -- 'Z'" ]
	done
}

@test "--help to a full disk is an error" {
	for t in $TOOLS; do
		run bash -c "$t --help > /dev/full"
		assert_failure 2
	done
}

@test "-- ends the options; - is standard input" {
	printf '{"lr":1,"op":"set"}\n' > "$T/-x"
	run trace-normalize -c op -c lr -- "$T/-x"
	assert_success
	cd "$T"
	run trace-normalize -c op -c lr -- -x
	assert_success
	assert_line --index 1 "$(printf 'set\t0x00000001')"
	trace-normalize -c op -c lr -- -x > ev
	trace-key - < ev | trace-hist - > h
	run trace-join h - < h
	assert_success
	run bash -c 'trace-join h h | trace-report - | head -1'
	assert_output "# Fire-pattern diff: ref vs cand"
}

@test "long options take --opt=value and --opt value; short -ovalue" {
	printf 'op\tlr\tcount\nset\t0x1\t1\n' > "$T/h"
	run trace-hist --sort=key --output="$T/a" "$T/h"
	assert_success
	run trace-hist --sort key -o"$T/b" "$T/h"
	assert_success
	assert_same "$T/a" "$T/b"
}

@test "no colour is ever written (NO_COLOR has nothing to turn off)" {
	printf 'op\tlr\tcount\nset\t0x1\t1\n' > "$T/h"
	run bash -c 'trace-join "$1" "$1" | trace-report' _ "$T/h"
	refute_grep -q $'\033' <<< "$output"
}

@test "bash completion completes tools' options" {
	source "$TOP/src/trace-tools.bash-completion"
	COMP_WORDS=(trace-hist --so); COMP_CWORD=1
	_trace_tools
	[[ " ${COMPREPLY[*]} " == *" --sort "* ]]
	COMP_WORDS=(trace-report --format ""); COMP_CWORD=2
	_trace_tools
	[ "${COMPREPLY[*]}" = "md json html threads" ]
	COMP_WORDS=(trace-report --fail-on st); COMP_CWORD=2
	_trace_tools
	[ "${COMPREPLY[*]}" = "stops-early starts-late" ]
	COMP_WORDS=(trace-normalize --se); COMP_CWORD=1
	_trace_tools
	[[ " ${COMPREPLY[*]} " == *" --set "* ]]
	COMP_WORDS=(trace-normalize --set ""); COMP_CWORD=2
	_trace_tools
	[ "${COMPREPLY[*]}" = "run=" ]
}

@test "make install honours PREFIX and DESTDIR: tools, man pages, completion, examples" {
	run make -C "$TOP" -s install PREFIX=/opt/tt DESTDIR="$T/root"
	assert_success
	for t in $TOOLS; do
		[ -x "$T/root/opt/tt/bin/$t" ]
		[ -f "$T/root/opt/tt/share/man/man1/$t.1" ]
		[ -f "$T/root/opt/tt/share/bash-completion/completions/$t" ]
	done
	[ -f "$T/root/opt/tt/share/man/man5/trace-format.5" ]
	[ -f "$T/root/opt/tt/share/man/man7/trace-tools.7" ]
	# The examples, as trace-tools(7) says: every file but the data/
	# folders and demo.sh, byte for byte, scripts still executable.
	X="$T/root/opt/tt/share/trace-tools/examples"
	grep -qF 'share/trace-tools/examples/' "$TOP/man/trace-tools.7"
	(cd "$TOP/examples" && find . \( -name data -o -name __pycache__ \) -prune -o \
	    -type f ! -path ./demo.sh -print | sort) > "$T/want"
	(cd "$X" && find . -type f | sort) > "$T/got"
	assert_same "$T/want" "$T/got"
	for f in strace/strace.schema perf/perf.schema qemu/qemu-exec.schema \
	    xenia/canary.schema normalizers/xenia-ours.jq perf/README.md; do
		grep -qxF "./$f" "$T/got"
	done
	while IFS= read -r f; do
		cmp -s "$TOP/examples/$f" "$X/$f" || fail "$f differs"
		if [ -x "$TOP/examples/$f" ]; then
			[ -x "$X/$f" ] || fail "$f: not executable"
		fi
	done < "$T/got"
	[ -z "$(find "$X" -name data)" ]
	# An installed schema and script work from where they are.
	trace-normalize -s "$X/perf/perf.schema" -o "$T/a.tsv" "$EX/perf/data/merge.perf.gz"
	trace-normalize -s "$EX/perf/perf.schema" -o "$T/b.tsv" "$EX/perf/data/merge.perf.gz"
	assert_same "$T/b.tsv" "$T/a.tsv"
	run "$X/strace/compare.sh" -h
	assert_success
	# Installing again gives the same files.
	run make -C "$TOP" -s install PREFIX=/opt/tt DESTDIR="$T/root"
	assert_success
	(cd "$X" && find . -type f | sort) > "$T/again"
	assert_same "$T/got" "$T/again"
	run make -C "$TOP" -s uninstall PREFIX=/opt/tt DESTDIR="$T/root"
	assert_success
	[ -z "$(find "$T/root" -type f)" ]
	[ ! -e "$T/root/opt/tt/share/trace-tools" ]
}

@test "every tool reads gzip and zstd input, detected by content" {
	printf 'op\tlr\ttid\nset\t0x00000001\t5\n' > "$T/ev"
	gzip -c "$T/ev" > "$T/ev.gz"
	zstd -q -c "$T/ev" > "$T/ev.data"
	trace-key "$T/ev" > "$T/want"
	trace-key "$T/ev.gz" > "$T/a"
	trace-key "$T/ev.data" > "$T/b"
	assert_same "$T/want" "$T/a"
	assert_same "$T/want" "$T/b"
	trace-hist "$T/want" | zstd -q > "$T/h.zst"
	run trace-join "$T/h.zst" "$T/h.zst"
	assert_success
	trace-join "$T/h.zst" "$T/h.zst" | gzip > "$T/j.gz"
	run trace-report -f json "$T/j.gz"
	assert_success
	[ "$(jq -r .headline <<< "$output")" = same ]
}

@test "example scripts: -h prints usage on stdout and writes nothing" {
	cp -R "$EX" "$T/ex"
	(cd "$T/ex" && find . -type f | sort | xargs cksum) > "$T/before"
	# every script of examples/, found, not listed: a new one is checked
	scripts=$(cd "$EX" && find . -type f \( -name '*.sh' -o -name '*.py' \) |
	    sed 's|^\./||' | sort)
	[ "$(echo "$scripts" | wc -l)" -ge 12 ]
	for s in $scripts; do
		run --separate-stderr "$T/ex/$s" -h
		assert_success
		assert_output --partial "usage: $(basename "$s")"
		[ -z "$stderr" ]
	done
	(cd "$T/ex" && find . -type f | sort | xargs cksum) > "$T/after"
	assert_same "$T/before" "$T/after"
}

@test "example scripts refuse a non-empty output directory unless -f" {
	D=$EX/xenia/data
	mkdir "$T/out" && echo keep > "$T/out/mine"
	run "$EX/xenia/fire-pattern-diff.sh" "$D/canary.jsonl.gz" "$D/ours-lr.jsonl.gz" "$T/out"
	assert_failure 2
	assert_output "fire-pattern-diff.sh: $T/out: directory not empty (-f writes into it)"
	[ ! -e "$T/out/report.md" ]
	run "$EX/xenia/fire-pattern-diff.sh" -f "$D/canary.jsonl.gz" "$D/ours-lr.jsonl.gz" "$T/out"
	assert_success
	[ -s "$T/out/report.md" ] && [ -e "$T/out/mine" ]
	SD=$EX/strace/data
	run "$EX/strace/compare.sh" "$SD/ls-l.strace.gz" "$SD/ls.strace" "$T/out"
	assert_failure 2
	assert_output "compare.sh: $T/out: directory not empty (-f writes into it)"
	run "$EX/runs/compare.sh" "$T/out"
	assert_failure 2
	assert_output "compare.sh: $T/out: directory not empty (-f writes into it)"
	run "$EX/threads/compare.sh" "$T/out"
	assert_failure 2
	assert_output "compare.sh: $T/out: directory not empty (-f writes into it)"
	[ ! -e "$T/out/threads.tsv" ]
	run python3 "$EX/threads/gen.py" "$T/out"
	assert_failure 2
	assert_output "gen.py: $T/out: directory not empty (-f writes into it)"
	cp -R "$EX/strace" "$T/strace"
	run "$T/strace/record.sh" /etc
	assert_failure 2
	assert_output "record.sh: $T/strace/data: directory not empty (-f replaces the captures)"
	cmp "$EX/strace/data/ls.strace" "$T/strace/data/ls.strace"
}
