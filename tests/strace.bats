#!/usr/bin/env bats
# examples/strace: the strace schema on real and hand-made captures, the
# compare.sh walkthrough, and a live capture.
load helper

S="$EX/strace/strace.schema"
SD="$EX/strace/data"
TD="$DATA/strace"

# norm FILE...: normalize with the schema, stderr kept apart.
norm() {
	run --separate-stderr trace-normalize -s "$S" "$@"
}

# ops FILE: "op count" lines, by op, of an event stream.
ops() {
	trace-key -k op -a '' "$1" | trace-hist --sort key | tail -n +2 | tr '\t' ' '
}

@test "the committed captures normalize without errors and pass --check" {
	norm "$SD/ls-l.strace.gz"
	assert_success
	[ "$stderr" = "trace-normalize: skipped 1 line that matches no pattern" ]
	echo "$output" > "$T/ls-l.tsv"
	[ "${lines[0]}" = "$(printf 'op\tlr\thandle\ttid\tts')" ]
	[ "$(wc -l < "$T/ls-l.tsv")" -eq 653 ]
	trace-normalize --check "$T/ls-l.tsv"
	norm "$SD/ls.strace"
	assert_success
	echo "$output" > "$T/ls.tsv"
	[ "$(wc -l < "$T/ls.tsv")" -eq 73 ]
	trace-normalize --check "$T/ls.tsv"
	# Every call line of the capture is an event, and nothing else is:
	# the only other line is the exit line.
	[ "$(gzip -dc "$SD/ls-l.strace.gz" | grep -c '+++ exited with 0 +++')" -eq 1 ]
	[ "$(gzip -dc "$SD/ls-l.strace.gz" | wc -l)" -eq 653 ]
	# Events, field by field.
	[ "$(sed -n 2p "$T/ls-l.tsv")" = "$(printf 'execve\t0x7fddf6feaad7\t\t1524\t3203014742000')" ]
	[ "$(sed -n 2p "$T/ls.tsv")" = "$(printf 'execve\t0x7fa64df54ad7\t\t1528\t3203090667000')" ]
	grep -qx "$(printf '^read\t0x7f7b59246104\t0x00000003\t1524\t3203023382000$')" "$T/ls-l.tsv"
}

@test "unfinished/resumed calls count once; signal and exit lines are skipped" {
	norm "$TD/threads.strace"
	assert_success
	# 29 lines: 20 calls, 5 resumed lines, 2 signal lines, 2 exit lines.
	[ "$stderr" = "trace-normalize: skipped 9 lines that match no pattern" ]
	echo "$output" > "$T/ev"
	[ "$(wc -l < "$T/ev")" -eq 21 ]
	trace-normalize --check "$T/ev"
	run ops "$T/ev"
	assert_output "brk 1
clone3 1
close 3
execve 1
exit 1
exit_group 1
futex 1
getpid 1
kill 1
openat 1
read 2
restart_syscall 1
rt_sigreturn 1
set_robust_list 1
syscall_0x1b6 1
write 2"
	# The unfinished line gives the call its site, thread, time and fd.
	grep -qx "$(printf 'set_robust_list\t0x7f0c1a1b138d\t\t4002\t37230000800000')" "$T/ev"
	grep -qx "$(printf 'close\t0x7f0c1a2a1a07\t0x00000004\t4002\t37230001400000')" "$T/ev"
	grep -qx "$(printf 'read\t0x7f0c1a2b2b74\t0x00000000\t4001\t37230001500000')" "$T/ev"
	# A string argument holding ") = ", a pid and a bracket does not
	# fool the pattern: the read of fd 3 is one event.
	grep -qx "$(printf 'read\t0x7f0c1a2b2b74\t0x00000003\t4001\t37230000400000')" "$T/ev"
	# No op of a skipped line leaks through.
	run grep -E '^(<|---|\+\+\+|SIG)' "$T/ev"
	assert_failure 1
	# The per-thread split: 15 calls of 4001, 5 of the thread 4002.
	[ "$(cut -f 4 "$T/ev" | grep -c '^4001$')" -eq 15 ]
	[ "$(cut -f 4 "$T/ev" | grep -c '^4002$')" -eq 5 ]
}

@test "handle: the first argument when a plain decimal, else empty" {
	cat > "$T/h" <<'EOF'
7 [00007f0000000001] close(3) = 0
7 [00007f0000000002] read(12, "x", 1) = 1
7 [00007f0000000003] close(5 <unfinished ...>
7 [00007f0000000004] read(3</etc/passwd>, "root", 4) = 4
7 [00007f0000000005] openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = 3
7 [00007f0000000006] close(-1) = -1 EBADF (Bad file descriptor)
7 [00007f0000000007] munmap(0x7f0000001000, 4096) = 0
7 [00007f0000000008] getpid() = 7
7 [00007f0000000009] exit_group(0) = ?
7 [0000000000401000] write(1 , "x", 1) = 1
EOF
	norm "$T/h"
	assert_success
	[ "$(cut -f 1,3 <<< "$output" | tail -n +2 | tr '\t' ' ')" = "close 0x00000003
read 0x0000000c
close 0x00000005
read 0x00000003
openat 
close 
munmap 
getpid 
exit_group 0x00000000
write " ]
	[ "$(cut -f 2 <<< "$output" | sed -n 11p)" = 0x00401000 ]
}

# forms FILE: the -tt capture FILE rewritten without a time stamp, with
# -t, -tt and -ttt, without the pid column, and with [pid N] prefixes.
forms() {
	awk -v T="$T" '
	{
		pid = $1; ts = $2; rest = $0
		sub(/^[0-9]+ +[^ ]+ /, "", rest)
		split(ts, a, /[:.]/)
		printf "%s %s\n", pid, rest > (T "/none")
		printf "%s %s:%s:%s %s\n", pid, a[1], a[2], a[3], rest > (T "/t")
		printf "%s %s %s\n", pid, ts, rest > (T "/tt")
		printf "%s %d.%s %s\n", pid, 1700000000 + a[1] * 3600 + a[2] * 60 + a[3], a[4], rest > (T "/ttt")
		printf "%s %s\n", ts, rest > (T "/nof")
		printf "[pid %5d] %s %s\n", pid, ts, rest > (T "/stderr")
	}' "$1"
}

@test "time stamps: none, -t, -tt and -ttt; with and without the pid" {
	forms "$TD/threads.strace"
	grep -q '^4001 1700037230.002700 \[00007f0c1a1a3409\] exit_group(0)' "$T/ttt"
	grep -q '^\[pid  4002\] 10:20:30.001000 \[' "$T/stderr"
	for f in none t tt ttt nof stderr; do
		norm "$T/$f"
		assert_success
		[ "$stderr" = "trace-normalize: skipped 9 lines that match no pattern" ]
		echo "$output" > "$T/$f.tsv"
		trace-normalize --check "$T/$f.tsv"
		[ "$(wc -l < "$T/$f.tsv")" -eq 21 ]
	done
	# op, lr and handle are the same whatever the form.
	for f in none t ttt nof stderr; do
		assert_same <(cut -f 1-3 "$T/tt.tsv") <(cut -f 1-3 "$T/$f.tsv")
	done
	# tid: from the pid column or the [pid N] prefix, else empty.
	assert_same <(cut -f 4 "$T/tt.tsv") <(cut -f 4 "$T/stderr.tsv")
	assert_same <(cut -f 4 "$T/tt.tsv") <(cut -f 4 "$T/none.tsv")
	[ "$(cut -f 4 "$T/nof.tsv" | sort -u | tr '\n' ,)" = ",tid," ]
	# ts, in nanoseconds: absent, whole seconds of the day, with the
	# fraction, and since the epoch.
	[ "$(cut -f 5 "$T/none.tsv" | sort -u | tr '\n' ,)" = ",ts," ]
	[ "$(sed -n 2p "$T/t.tsv" | cut -f 5)" = 37230000000000 ]
	[ "$(sed -n 2p "$T/tt.tsv" | cut -f 5)" = 37230000100000 ]
	[ "$(sed -n 21p "$T/tt.tsv" | cut -f 5)" = 37230002700000 ]
	[ "$(sed -n 2p "$T/ttt.tsv" | cut -f 5)" = 1700037230000100000 ]
	[ "$(sed -n 21p "$T/ttt.tsv" | cut -f 5)" = 1700037230002700000 ]
	assert_same <(cut -f 5 "$T/tt.tsv") <(cut -f 5 "$T/nof.tsv")
	# -r, padded with spaces, with and without -f: ts is the delta.
	printf '10537      0.000501 [00007f1de2887c47] brk(NULL) = 0x55c2f7dd9000\n' > "$T/r"
	printf '     0.001496 [00007f901b565c47] brk(NULL) = 0x5601c0a96000\n' >> "$T/r"
	norm "$T/r"
	assert_success
	[ "${lines[1]}" = "$(printf 'brk\t0x7f1de2887c47\t\t10537\t501000')" ]
	[ "${lines[2]}" = "$(printf 'brk\t0x7f901b565c47\t\t\t1496000')" ]
	# Nanoseconds (--timestamps=unix,ns) are kept.
	printf '9 1700000000.123456789 [00007f0000000001] getpid() = 9\n' > "$T/ns"
	norm "$T/ns"
	assert_success
	[ "${lines[1]}" = "$(printf 'getpid\t0x7f0000000001\t\t9\t1700000000123456789')" ]
}

@test "lines that are not calls are skipped, and only those" {
	cat > "$T/x" <<'EOF'
12 10:00:00.000001 [????????????????] +++ exited with 0 +++
12 10:00:00.000002 [????????????????] +++ killed by SIGKILL +++
12 10:00:00.000003 [00007f0000000001] --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=13} ---
12 10:00:00.000004 [00007f0000000001] --- stopped by SIGSTOP ---
12 10:00:00.000005 [00007f0000000001] <... read resumed>"", 4096) = 0
12 10:00:00.000006 [????????????????] read(3, "", 1) = 0
[ Process PID=12 runs in x32 mode. ]
strace: Process 13 attached
 > /usr/lib/x86_64-linux-gnu/libc.so.6(read+0x11) [0xf7a11]

12 10:00:00.000007 [00007f0000000002] rt_sigreturn({mask=[]}) = 0
EOF
	norm "$T/x"
	assert_success
	[ "$stderr" = "$(printf 'trace-normalize: skipped 9 lines that match no pattern\ntrace-normalize: ignored 1 blank line')" ]
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[1]}" = "$(printf 'rt_sigreturn\t0x7f0000000002\t\t12\t36000000007000')" ]
}

@test "compare.sh: the walkthrough's reports on the committed captures" {
	run "$EX/strace/compare.sh" "$SD/ls-l.strace.gz" "$SD/ls.strace" "$T/out"
	assert_success
	assert_output "compare.sh: $T/out/report.md: divergent
compare.sh: $T/out/sites.md: divergent
compare.sh: $T/out/raw-sites.md: divergent
compare.sh: $T/out/diverge.md: first deleted: ls-l calls 62-72, ls after call 61"
	for f in report.md report.json sites.md sites.json raw-sites.md \
	    raw-sites.json ls-l.tsv ls.tsv join.tsv diverge.md diverge.tsv; do
		[ -s "$T/out/$f" ]
	done
	cd "$T/out"
	# By syscall name.
	jq -e '.names == {ref: "ls-l", cand: "ls"} and .key == ["op"]' report.json
	jq -e '.headline == "divergent"' report.json
	jq -e '.totals == {ref_fires: 652, cand_fires: 72, ref_keys: 29,
	    cand_keys: 23, missing_keys: 6, missing_fires: 389,
	    missing_share: 0.5966, matched_keys: 23, matched_fires: 263,
	    matched_cand_fires: 72, extra_keys: 0, extra_fires: 0,
	    under_keys: 5, empty_component_keys: 0}' report.json
	jq -e '[.missing[] | [.op, .ref]] == [["getxattr", 222],
	    ["lgetxattr", 148], ["lseek", 6], ["readlink", 5], ["connect", 4],
	    ["socket", 4]]' report.json
	jq -e '[.under[] | [.op, .ref, .cand]] == [["statx", 148, 1],
	    ["newfstatat", 22, 7], ["close", 19, 8], ["read", 14, 5],
	    ["openat", 13, 6]]' report.json
	jq -e '(.missing[] | select(.op == "lseek") | .ref_tallies.handle) ==
	    [{value: "0x00000003", count: 3}, {value: "0x00000004", count: 3}]' report.json
	grep -qF '**DIVERGENT** — 6 ls-l keys (op) never fire in ls, carrying 389 ls-l fires (59.7% of its volume; more than 100).' report.md
	# By call site as recorded: ASLR leaves nothing in common.
	jq -e '.key == ["op", "lr"] and .totals.matched_keys == 0 and
	    .totals.missing_keys == 37 and .totals.extra_keys == 30 and
	    .totals.missing_share == 1' raw-sites.json
	# By call site masked to the page offset.
	jq -e '.totals.matched_keys == 29 and .totals.missing_keys == 7 and
	    .totals.missing_fires == 398 and .totals.extra_keys == 0' sites.json
	jq -e '[.missing[] | [.op, .lr, .ref]] == [["getxattr", "0x0000075a", 222],
	    ["lgetxattr", "0x000007ba", 148], ["read", "0x00000104", 9],
	    ["lseek", "0x000003e7", 6], ["readlink", "0x00000ab7", 5],
	    ["connect", "0x000007c0", 4], ["socket", "0x00000dc7", 4]]' sites.json
	jq -e '[.matched[] | select(.op == "read") | [.lr, .ref, .cand]] ==
	    [["0x00000b74", 3, 3], ["0x000002ad", 2, 2]]' sites.json
	# The README quotes these lines.
	l='**DIVERGENT** — 37 ls-l keys (op, lr) never fire in ls, carrying 652 ls-l fires (100.0% of its volume; more than 100).'
	grep -qxF "$l" raw-sites.md
	grep -qxF "$l" "$EX/strace/README.md"
	l='**DIVERGENT** — 7 ls-l keys (op, lr) never fire in ls, carrying 398 ls-l fires (61.0% of its volume; more than 100).'
	grep -qxF "$l" sites.md
	grep -qxF "$l" "$EX/strace/README.md"
	l='**DIVERGENT** — 6 ls-l keys (op) never fire in ls, carrying 389 ls-l fires (59.7% of its volume; more than 100).'
	grep -qxF "$l" "$EX/strace/README.md"
	grep -A 6 '^| op | ls-l | ls | ratio' report.md | tail -5 > "$T/under"
	grep -A 5 '^```' "$EX/strace/README.md" | grep -F -f "$T/under" > "$T/quoted"
	[ "$(wc -l < "$T/quoted")" -eq 5 ]
}

@test "compare.sh: names, mask and usage" {
	run "$EX/strace/compare.sh" -n long,short -m 0xffff0000 "$SD/ls-l.strace.gz" "$SD/ls.strace" "$T/o"
	assert_success
	jq -e '.names == {ref: "long", cand: "short"}' "$T/o/report.json"
	# Masked to the 64 KiB page base, the randomized bases still differ.
	jq -e '.totals.matched_keys == 0' "$T/o/sites.json"
	run "$EX/strace/compare.sh" "$SD/ls.strace" "$T/o"
	assert_failure 2
	assert_output --partial "usage: compare.sh"
	# The same file name on both sides: ref and cand.
	mkdir "$T/a" "$T/b"
	cp "$SD/ls.strace" "$T/a/run.strace"
	cp "$SD/ls.strace" "$T/b/run.strace"
	run "$EX/strace/compare.sh" "$T/a/run.strace" "$T/b/run.strace" "$T/o2"
	assert_success
	assert_line "compare.sh: $T/o2/report.md: same"
	assert_line "compare.sh: $T/o2/diverge.md: the sequences of calls agree"
	jq -e '.names == {ref: "ref", cand: "cand"}' "$T/o2/report.json"
}

@test "live: strace -f -i -o of a real program normalizes without errors" {
	command -v strace >/dev/null || skip "strace is not installed"
	if ! strace -f -i -o "$T/probe" true 2>"$T/probe.err"; then
		skip "strace cannot trace here: $(head -1 "$T/probe.err")"
	fi
	# A shell with a child and a pipe: two processes, interleaved calls.
	# shellcheck disable=SC2016
	strace -f -i -ttt -o "$T/live" sh -c 'ls -l "$1" | wc -l >/dev/null; true & wait' sh "$EX" 2>/dev/null
	norm "$T/live"
	assert_success
	echo "$output" > "$T/live.tsv"
	trace-normalize --check "$T/live.tsv"
	# One event per line that starts a call; compare with grep.
	calls=$(grep -cE '^[0-9]+ +[0-9]+\.[0-9]+ \[[0-9a-f]+\] [a-z_0-9]+\(' "$T/live")
	[ "$calls" -gt 100 ]
	[ "$(wc -l < "$T/live.tsv")" -eq $((calls + 1)) ]
	# Several processes, each with its execve or clone and its exit.
	[ "$(cut -f 4 "$T/live.tsv" | tail -n +2 | sort -u | wc -l)" -ge 3 ]
	run ops "$T/live.tsv"
	assert_line --regexp '^execve [0-9]+$'
	assert_line --regexp '^exit_group [0-9]+$'
	# Through the whole pipeline.
	run "$EX/strace/compare.sh" "$T/live" "$T/live" "$T/o"
	assert_success
	assert_line "compare.sh: $T/o/report.md: same"
}
