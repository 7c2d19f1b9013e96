#!/usr/bin/env bats
# examples/qemu: the schema for qemu's -d exec logs on the committed runs
# and on hand-made lines, the ground truth of where the two runs part,
# derived from the logs and the program, and trace-diverge finding it.
# Only the committed logs are read: no qemu or gcc at test time.
load helper

QX="$EX/qemu"
S="$QX/qemu-exec.schema"
QD="$QX/data"

# The blocks of the program that tell the runs apart (nm, objdump -d of
# the build that recorded data/, as README.md quotes them).
CALL=0x004016e4		# main: round 4, the indirect call of the check
BACK=0x004016eb		# main: where the check returns
FAST="check_fast	0x00401667"
SLOW="0x00401676 0x00401693 0x0040167d 0x00401693 0x0040169e 0x0040168b 0x00401693 0x0040169e 0x0040168b 0x004016b2"

# norm NAME: normalize data/NAME.log.gz to $T/NAME.tsv; stderr must be
# empty (the committed logs hold only block lines).
norm() {
	run --separate-stderr trace-normalize -s "$S" -o "$T/$1.tsv" "$QD/$1.log.gz"
	assert_success
	[ -z "$stderr" ] || fail "stderr: $stderr"
}

# keys NAME: the op and lr of each event of $T/NAME.tsv, header dropped.
keys() {
	tail -n +2 "$T/$1.tsv" | cut -f 1,2
}

# col FILE NAME: the values of column NAME of the TSV FILE, by header.
col() {
	awk -F '\t' -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next } { print $k }' "$1"
}

@test "the committed logs: small, gzipped, only block lines" {
	for r in run-a run-b; do
		[ "$(wc -c < "$QD/$r.log.gz")" -lt 200000 ]
		gzip -t "$QD/$r.log.gz"
		[ "$(gzip -dc "$QD/$r.log.gz" | grep -vc '^Trace 0: ')" -eq 0 ]
	done
	[ "$(gzip -dc "$QD/run-a.log.gz" | wc -l)" -eq 1879 ]
	[ "$(gzip -dc "$QD/run-b.log.gz" | wc -l)" -eq 1888 ]
}

@test "the committed logs normalize to one event per block, canonical lr" {
	for r in run-a run-b; do
		norm "$r"
		[ "$(head -1 "$T/$r.tsv")" = "$(printf 'op\tlr\ttid')" ]
		trace-normalize --check "$T/$r.tsv"
		# Every lr canonical: 0x, lowercase, 8 digits or no leading zero.
		refute_grep -Evx '0x([0-9a-f]{8}|[1-9a-f][0-9a-f]{8,})' <(col "$T/$r.tsv" lr)
		# Event by event: lr is the PC of the line, op its symbol or ?,
		# tid the CPU index.
		gzip -dc "$QD/$r.log.gz" | awk '{
			pc = $4; sub(/^\[[0-9a-f]+\//, "", pc); sub(/\/.*/, "", pc)
			sub(/^0+/, "", pc); while (length(pc) < 8) pc = "0" pc
			sym = $5 == "" ? "?" : $5
			print sym "\t0x" pc "\t0"
		}' > "$T/$r.want"
		tail -n +2 "$T/$r.tsv" > "$T/$r.got"
		assert_same "$T/$r.want" "$T/$r.got"
	done
	[ "$(wc -l < "$T/run-a.got")" -eq 1879 ]
	[ "$(wc -l < "$T/run-b.got")" -eq 1888 ]
	# The blocks qemu names no function for, the PLT stubs: 26 each.
	[ "$(col "$T/run-a.tsv" op | grep -cx '?')" -eq 26 ]
	[ "$(col "$T/run-b.tsv" op | grep -cx '?')" -eq 26 ]
	[ "$(sed -n 2p "$T/run-a.tsv")" = "$(printf '_start\t0x00401530\t0')" ]
}

@test "other log lines are skipped and counted; a Trace line of another shape is an error" {
	cat > "$T/mixed.log" <<-'EOF'
	Trace 0: 0x7f0000000100 [0000000000000000/0000000000401530/1040c0b3/00000200] _start
	Linking TBs 0x7f0000000100 index 0 -> 0x7f0000000200
	Trace 0: 0x7f0000000200 [0000000000000000/0000000000401038/1040c0b3/00000200]_
	Stopped execution of TB chain before 0x7f0000000300 [0000000000401667] check_fast
	IN: main
	0x004016b3:  55                       pushq    %rbp
	Trace 1: 0x7f0000000300 [0000000000000000/00007ffff7a01000/1040c0b3/00000200] start_thread
	Trace 0: 0x7f0000000400 [00000000/00010074/00000000/00000000] a:b,c
	EOF
	# qemu ends the line of a block without a symbol with "] ".
	sed -i 's/\]_$/] /' "$T/mixed.log"
	run --separate-stderr trace-normalize -s "$S" "$T/mixed.log"
	assert_success
	[ "$stderr" = "trace-normalize: skipped 4 lines that match no pattern" ]
	assert_output "$(printf 'op\tlr\ttid
_start\t0x00401530\t0
?\t0x00401038\t0
start_thread\t0x7ffff7a01000\t1
a:b,c\t0x00010074\t0')"

	# A line that starts like a block line but is not one stops the run.
	printf 'Trace 0: 0x7f0000000100 [0000000000000000/0000000000401530/1040c0b3/00000200] _start\nTrace 0: 0x7f0000000200 [00000000/401038] main\n' > "$T/bad.log"
	run --separate-stderr trace-normalize -s "$S" -o "$T/bad.tsv" "$T/bad.log"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/bad.log:2: missing field 'lr'" ]
	[ ! -e "$T/bad.tsv" ]
	# With --skip-bad it is counted, not skipped as a foreign line.
	run --separate-stderr trace-normalize -s "$S" --skip-bad "$T/bad.log"
	assert_success
	[ "${#lines[@]}" -eq 2 ]
	[ "$stderr" = "trace-normalize: skipped 1 of 2 records (first: $T/bad.log:2: missing field 'lr')" ]
	# So is a log cut off in the middle of a line.
	printf 'Trace 0: 0x7f0000000100 [0000000000000000/00000000004' > "$T/cut.log"
	run --separate-stderr trace-normalize -s "$S" "$T/cut.log"
	assert_failure 2
}

@test "ground truth: the runs part at block 1582, check_fast against check_slow, and meet again" {
	norm run-a
	norm run-b
	keys run-a > "$T/a"
	keys run-b > "$T/b"
	# The first 1581 blocks agree; the last is the call of the check.
	cmp -s <(head -n 1581 "$T/a") <(head -n 1581 "$T/b")
	[ "$(sed -n 1581p "$T/a")" = "$(printf 'main\t%s' $CALL)" ]
	[ "$(sed -n 1581p "$T/b")" = "$(printf 'main\t%s' $CALL)" ]
	# Block 1582: all of check_fast in one run, ten blocks of check_slow
	# in the other.
	[ "$(sed -n 1582p "$T/a")" = "$FAST" ]
	[ "$(sed -n 1582,1591p "$T/b" | cut -f 2 | tr '\n' ' ')" = "$SLOW " ]
	[ "$(sed -n 1582,1591p "$T/b" | cut -f 1 | sort -u)" = check_slow ]
	# From the return into main on, the same 297 blocks.
	[ "$(sed -n 1583p "$T/a")" = "$(printf 'main\t%s' $BACK)" ]
	cmp -s <(tail -n +1583 "$T/a") <(tail -n +1592 "$T/b")
	[ "$(tail -n +1583 "$T/a" | wc -l)" -eq 297 ]
	# Neither check's blocks appear in the other run, so every minimal
	# edit script has this one hunk: diff finds it too.
	refute_grep -q check_slow "$T/a"
	refute_grep -q check_fast "$T/b"
	run diff "$T/a" "$T/b"
	assert_failure 1
	[ "${lines[0]}" = "1582c1582,1591" ]
	[ "$(printf '%s\n' "$output" | grep -c '^[0-9]')" -eq 1 ]
}

@test "README.md quotes the expected hunk and figures of the committed logs" {
	norm run-a
	norm run-b
	# The first 5 keys of the candidate's hunk: events 1582 to 1586.
	row=$(printf '\t\tchanged\t1582\t1\t1582\t10\t\t\tcheck_fast:0x00401667\t')
	row="$row$(sed -n 1583,1587p "$T/run-b.tsv" | cut -f 1,2 | tr '\t\n' ':,' | sed 's/,$//')"
	grep -qxF "$row" "$QX/README.md"
	grep -qF '| `data/run-a.log.gz` | `prog A`, the reference: 1879 blocks' "$QX/README.md"
	grep -qF '| `data/run-b.log.gz` | `prog B`, the candidate: 1888 blocks |' "$QX/README.md"
	# The head and the per-function counts it quotes.
	run head -3 "$T/run-a.tsv"
	assert_output "$(printf 'op\tlr\ttid\n_start\t0x00401530\t0\n__libc_start_main_impl\t0x004028a0\t0')"
	run bash -c "trace-key -k op -a '' '$T/run-b.tsv' | trace-hist | grep -E '^(main|step|check)'"
	assert_output "$(printf 'main\t28\ncheck_slow\t10\nstep\t8')"
	run bash -c "trace-key -k op -a '' '$T/run-a.tsv' | trace-hist | grep -E '^(main|step|check)'"
	assert_output "$(printf 'main\t28\nstep\t8\ncheck_fast\t1')"
}

@test "record.sh: usage, and it keeps the committed logs without -f" {
	run "$QX/record.sh" -h
	assert_success
	assert_output "usage: record.sh [-f]"
	run --separate-stderr "$QX/record.sh" extra
	assert_failure 2
	run --separate-stderr "$QX/record.sh"
	assert_failure 2
	[ "$stderr" = "record.sh: $QX/data: directory not empty (-f replaces the logs)" ]
}

@test "trace-diverge finds the first block where the runs part" {
	norm run-a
	norm run-b
	# One changed hunk: block 1582, check_fast against check_slow.
	run --separate-stderr trace-diverge -o "$T/hunks.tsv" "$T/run-a.tsv" "$T/run-b.tsv"
	assert_failure 1
	[ "$(head -1 "$T/hunks.tsv")" = "$(printf 'ref_thread\tcand_thread\tkind\tref_pos\tref_len\tcand_pos\tcand_len\tref_ts\tcand_ts\tref_keys\tcand_keys')" ]
	[ "$(wc -l < "$T/hunks.tsv")" -eq 2 ]
	[ "$(col "$T/hunks.tsv" kind)" = changed ]
	[ "$(col "$T/hunks.tsv" ref_pos)" -eq 1582 ]
	[ "$(col "$T/hunks.tsv" ref_len)" -eq 1 ]
	[ "$(col "$T/hunks.tsv" cand_pos)" -eq 1582 ]
	[ "$(col "$T/hunks.tsv" cand_len)" -eq 10 ]
	[ "$(col "$T/hunks.tsv" ref_keys)" = check_fast:0x00401667 ]
	[ "$(col "$T/hunks.tsv" cand_keys | cut -d, -f 1)" = check_slow:0x00401676 ]
	# The row README.md quotes.
	grep -qxF "$(sed -n 2p "$T/hunks.tsv")" "$QX/README.md"
	# --first: the same hunk, and nothing after it.
	run --separate-stderr trace-diverge --first "$T/run-a.tsv" "$T/run-b.tsv"
	assert_failure 1
	[ "$output" = "$(cat "$T/hunks.tsv")" ]
	# Keyed by address alone.
	trace-key -k lr -o "$T/a.key" "$T/run-a.tsv"
	trace-key -k lr -o "$T/b.key" "$T/run-b.tsv"
	run --separate-stderr trace-diverge -o "$T/lr.tsv" "$T/a.key" "$T/b.key"
	assert_failure 1
	[ "$(col "$T/lr.tsv" kind)" = changed ]
	[ "$(col "$T/lr.tsv" ref_pos)" -eq 1582 ]
	[ "$(col "$T/lr.tsv" ref_keys)" = 0x00401667 ]
	# A run against itself does not part.
	run --separate-stderr trace-diverge "$T/run-a.tsv" "$T/run-a.tsv"
	assert_success
}
