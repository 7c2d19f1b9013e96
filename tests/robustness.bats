#!/usr/bin/env bats
# The cases of ROBUSTNESS.md for the tools after trace-normalize (whose
# own cases are in trace-normalize.bats): output faults, input faults,
# malformed rows, hostile strings, hash flooding.
load helper

# A small valid input for each tool, in $T: ev (events), k (keyed),
# h (histogram), j (join).
inputs() {
	printf 'op\tlr\thandle\ttid\tts\n' > "$T/ev"
	for i in $(seq 1 40); do
		printf 'set\t0x%08x\t0x00000001\t%d\t%d\n' $((i % 7)) $((i % 3)) "$i" >> "$T/ev"
	done
	trace-key "$T/ev" > "$T/k"
	trace-hist "$T/k" > "$T/h"
	trace-join "$T/h" "$T/h" > "$T/j"
}

# tool_cmd TOOL FILE: the command line that reads FILE.
tool_cmd() {
	case $1 in
	trace-join|trace-diverge) echo "$1 $2 $2" ;;
	*) echo "$1 $2" ;;
	esac
}

input_of() {
	case $1 in
	trace-key|trace-diverge) echo "$T/ev" ;;
	trace-hist) echo "$T/k" ;;
	trace-join) echo "$T/h" ;;
	trace-report) echo "$T/j" ;;
	esac
}

TOOLS="trace-key trace-hist trace-join trace-report trace-diverge"

@test "output faults: /dev/full and a closed stdout exit 2 with a message" {
	inputs
	for t in $TOOLS; do
		run --separate-stderr bash -c "$(tool_cmd "$t" "$(input_of "$t")") > /dev/full"
		assert_failure 2
		[[ "$stderr" == "$t: standard output: write error: No space left on device" ]] ||
		    fail "$t: $stderr"
		run --separate-stderr bash -c "$(tool_cmd "$t" "$(input_of "$t")") >&-"
		assert_failure 2
		[[ "$stderr" == "$t: standard output: write error: Bad file descriptor" ]] ||
		    fail "$t: $stderr"
	done
}

@test "a reader that goes away: quiet under default SIGPIPE, an error if ignored" {
	printf 'op\tlr\ttid\n' > "$T/big"
	seq 1 300000 | awk '{ printf "set\t0x%08x\t%d\n", $1, $1 % 5 }' >> "$T/big"
	run --separate-stderr bash -c 'trace-key "$1" | head -1' _ "$T/big"
	assert_success
	[ -z "$stderr" ]
	run --separate-stderr bash -c 'trap "" PIPE; trace-key "$1" | head -1; exit ${PIPESTATUS[0]}' _ "$T/big"
	assert_failure 2
	[ "$stderr" = "trace-key: standard output: write error: Broken pipe" ]
	trace-key "$T/big" | trace-hist > "$T/bigh"
	trace-join "$T/bigh" "$T/bigh" > "$T/bigj"
	# trace-diverge's output several times the 1 MiB pipe the tools
	# ask for, so that the reader is gone before it is all written
	seq 1 1000000 | awk 'BEGIN { print "op\tlr\ttid" }
	    { printf "set\t0x%08x\t%d\n", $1, $1 % 5 }' > "$T/dbig"
	awk 'NR % 10 != 5' "$T/dbig" > "$T/dbig2"
	[ "$(trace-diverge --window 100 --max-edits 10 "$T/dbig" "$T/dbig2" |
	    wc -c)" -gt 4000000 ]
	for cmd in "trace-hist $T/bigh" "trace-join $T/bigh $T/bigh" "trace-report -f json $T/bigj" \
	    "trace-diverge --window 100 --max-edits 10 $T/dbig $T/dbig2"; do
		run --separate-stderr bash -c "$cmd | head -1"
		assert_success
		[ -z "$stderr" ]
		run --separate-stderr bash -c "trap '' PIPE; $cmd | head -1; exit \${PIPESTATUS[0]}"
		assert_failure 2
		[[ "$stderr" == *"standard output: write error: Broken pipe" ]] || fail "$cmd: $stderr"
	done
}

@test "unreadable inputs: missing file, directory; one message each, exit 2" {
	mkdir -p "$T/dir"
	for t in trace-key trace-hist; do
		run --separate-stderr "$t" "$T/missing" "$T/dir"
		assert_failure 2
		[ "${stderr_lines[0]}" = "$t: $T/missing: No such file or directory" ]
		[ "${stderr_lines[1]}" = "$t: $T/dir: Is a directory" ]
		[ -z "$output" ]
	done
	for t in trace-join trace-report trace-diverge; do
		run --separate-stderr $(tool_cmd "$t" "$T/missing")
		assert_failure 2
		[ "$stderr" = "$t: $T/missing: No such file or directory" ]
		run --separate-stderr $(tool_cmd "$t" "$T/dir")
		assert_failure 2
		[ "$stderr" = "$t: $T/dir: Is a directory" ]
	done
	[ "$(id -u)" = 0 ] && skip "root reads files without permission"
	inputs
	chmod 000 "$T/ev"
	run --separate-stderr trace-key "$T/ev"
	assert_failure 2
	[ "$stderr" = "trace-key: $T/ev: Permission denied" ]
}

@test "a read error in the middle of a file is an error, not a short result" {
	command -v strace >/dev/null || skip "strace not installed"
	python3 -c '
for i in range(400000): print("{\"lr\": %d, \"op\": \"set\"}" % i)' > "$T/big.jsonl"
	# the 3rd read(2) of the input file (-P) fails with EIO; with
	# threads, workers read their ranges of the file with pread(2)
	for th in 1 2; do
		run --separate-stderr strace -f -qq -o /dev/null -P "$T/big.jsonl" \
		    -e trace=read,pread64 -e inject=read,pread64:error=EIO:when=3 \
		    trace-normalize --threads $th -c op -c lr -o "$T/out" "$T/big.jsonl"
		if [[ "$stderr" == *"ptrace"* ]]; then skip "ptrace not permitted here"; fi
		assert_failure 2
		[[ "$stderr" == "trace-normalize: $T/big.jsonl: read error: Input/output error"* ]]
		[ ! -e "$T/out" ]
	done
	trace-normalize -c op -c lr "$T/big.jsonl" | trace-key > "$T/k"
	run --separate-stderr strace -qq -o /dev/null -P "$T/k" -e trace=read \
	    -e inject=read:error=EIO:when=3 trace-hist "$T/k"
	assert_failure 2
	[[ "$stderr" == "trace-hist: $T/k: read error: Input/output error" ]]
}

@test "empty input, header only, missing final newline, CRLF, BOM" {
	inputs
	: > "$T/empty"
	for t in trace-key trace-hist trace-report trace-diverge; do
		run --separate-stderr $(tool_cmd "$t" "$T/empty")
		assert_failure 2
		[ "$stderr" = "$t: $T/empty: empty input (no header line)" ]
	done
	# header only: an empty result, not an error
	head -1 "$T/ev" > "$T/h0"
	run trace-key "$T/h0"
	assert_success
	head -1 "$T/k" > "$T/k0"
	run trace-hist "$T/k0"
	assert_output "$(head -1 "$T/k")"
	# no final newline, CRLF line ends and a BOM read like the plain file
	trace-key "$T/ev" > "$T/want"
	printf '%s' "$(cat "$T/ev")" > "$T/nonl"
	sed 's/$/\r/' "$T/ev" > "$T/crlf"
	{ printf '\xef\xbb\xbf'; cat "$T/ev"; } > "$T/bom"
	for f in nonl crlf bom; do
		trace-key "$T/$f" > "$T/got"
		assert_same "$T/want" "$T/got"
	done
}

@test "TSV rows: ragged, duplicate or empty header names, a NUL byte" {
	printf 'op\tlr\nset\t0x1\textra\n' > "$T/ragged"
	run --separate-stderr trace-key "$T/ragged"
	assert_failure 2
	[ "$stderr" = "trace-key: $T/ragged:2: expected 2 fields, got 3" ]
	printf 'op\tlr\tlr\n' > "$T/dup"
	run --separate-stderr trace-key "$T/dup"
	assert_failure 2
	[ "$stderr" = "trace-key: $T/dup:1: duplicate column name 'lr'" ]
	printf 'op\t\tlr\n' > "$T/emptyname"
	run --separate-stderr trace-hist "$T/emptyname"
	assert_failure 2
	[ "$stderr" = "trace-hist: $T/emptyname:1: empty column name in header (column 2)" ]
	printf 'op\tcount\nse\0t\t1\n' > "$T/nul"
	trace-hist "$T/nul" > "$T/out"
	# the NUL stays part of the key: never a silently truncated line
	[ "$(tail -1 "$T/out" | od -An -tx1 | tr -s ' ')" = " 73 65 00 74 09 31 0a" ]
}

@test "a 10 MB line and a million columns" {
	python3 -c 'print("op\tlr\tcount\tfn"); print("set\t0x1\t1\t" + "x"*10000000)' > "$T/long"
	run trace-hist "$T/long"
	assert_success
	[ "${#lines[1]}" -eq 10000012 ]
	python3 -c '
n = 1000000
print("\t".join(["op", "count"] + ["c%d" % i for i in range(n)]))
print("\t".join(["set", "1"] + ["v%d" % i for i in range(n)]))' > "$T/wide"
	trace-hist -t c0=distinct "$T/wide" > "$T/out"
	[ "$(head -1 "$T/out" | cut -f 1-5)" = "$(printf 'op\tcount\tc0\tc1\tc2')" ]
	[ "$(tail -1 "$T/out" | cut -f 1-4)" = "$(printf 'set\t1\tv0\tv1:1')" ]
	[ "$(tail -1 "$T/out" | awk -F '\t' '{ print NF, $NF }')" = "1000002 v999999:1" ]
}

@test "invalid UTF-8 passes through TSV stages untouched" {
	printf 'op\tcount\n\xff\xfeset\t1\n' > "$T/k"
	run trace-hist "$T/k"
	assert_success
	[ "$(tail -1 <<< "$output" | od -An -tx1 | tr -s ' ')" = " ff fe 73 65 74 09 31 0a" ]
	# JSON output replaces it, so the document stays valid JSON
	printf 'op\tlr\tcount\n\xff\t0x1\t1\n' > "$T/k2"
	trace-join "$T/k2" "$T/k2" | trace-report -f json > "$T/r.json"
	jq -e '.matched[0].op == "\ufffd"' "$T/r.json"
}

@test "hostile strings stay intact through every TSV stage" {
	printf 'op\tlr\tfn\n' > "$T/ev"
	for s in 'a|b' 'x`y' '<script>' 'c,d' 'q"uote' 'back\\\\slash' 'tab\\there' 'p%%c:o,l'; do
		printf '%s\t0x1\t%s\n' "$s" "$s" >> "$T/ev"
	done
	trace-key -a fn "$T/ev" | trace-hist > "$T/h"
	trace-join "$T/h" "$T/h" > "$T/j"
	cut -f1 "$T/ev" | tail -n +2 | sort > "$T/want"
	cut -f1 "$T/j" | tail -n +2 | sort > "$T/got"
	assert_same "$T/want" "$T/got"
	# the tally column decodes back to the values
	trace-report -f json --group-by fn "$T/j" | jq -r '.groups.rows[].value' | sort > "$T/vals"
	cut -f1 "$T/ev" | tail -n +2 | python3 -c '
import sys
for l in sys.stdin:
    out, i, l = [], 0, l.rstrip("\n")
    while i < len(l):
        if l[i] == "\\":
            out.append({"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}[l[i + 1]]); i += 2
        else:
            out.append(l[i]); i += 1
    print("".join(out))' | sort > "$T/want2"
	assert_same "$T/want2" "$T/vals"
}

@test "hash flooding: keys that collide under simple hashes stay fast" {
	# 200,000 distinct keys that all have the same byte sum and the same
	# length: the classic killer of additive and weak multiplicative
	# hashes.  SipHash with a random seed keeps the table flat; a
	# quadratic table would take minutes, so a generous time limit is
	# only a guard.
	python3 -c '
import itertools
print("k\tcount")
n = 0
for p in itertools.permutations("abcdefghij", 10):
    print("".join(p) + "\t1"); n += 1
    if n == 200000: break' > "$T/k"
	run timeout 60 trace-hist "$T/k"
	assert_success
	[ "${#lines[@]}" -eq 200001 ]
	# and the output does not depend on the seed
	TRACE_TOOLS_HASH_SEED=7 trace-hist "$T/k" > "$T/a"
	TRACE_TOOLS_HASH_SEED=8 trace-hist "$T/k" > "$T/b"
	assert_same "$T/a" "$T/b"
}

@test "the whole example pipeline is independent of the hash seed" {
	D="$DATA/parity"
	for seed in 1 2 3; do
		TRACE_TOOLS_HASH_SEED=$seed "$EX/xenia/fire-pattern-diff.sh" "$D/canary.jsonl" \
		    "$D/ours-iat.jsonl" "$D/ours-lr.jsonl" "$T/o$seed" >/dev/null
	done
	for f in canary.hist ours.hist join.tsv report.md report.json divergent-tuples.csv matched-tuples.csv; do
		assert_same "$T/o1/$f" "$T/o2/$f"
		assert_same "$T/o1/$f" "$T/o3/$f"
	done
}

@test "a killed run leaves no temporary file behind" {
	mkdir "$T/out"
	mkfifo "$T/fifo"
	trace-normalize -c lr -o "$T/out/ev.tsv" < "$T/fifo" &
	pid=$!
	exec 8> "$T/fifo"	# a writer that never writes: the run waits
	for _ in $(seq 50); do
		[ -n "$(ls -A "$T/out")" ] && break
		sleep 0.1
	done
	[ -n "$(ls -A "$T/out")" ]	# the temporary file exists meanwhile
	kill -TERM "$pid"
	wait "$pid" || true
	exec 8>&-
	[ -z "$(ls -A "$T/out")" ]
}

@test "the row of two columns from one escaped field is sized right" {
	python3 -c "print('a'); print('\\\\' * 3000)" > "$T/bs.csv"
	run trace-normalize -f csv -c x=a -c y=a --op-value e "$T/bs.csv"
	assert_success
	[ "${#lines[1]}" -eq $((1 + 1 + 2 * 3000 + 1 + 2 * 3000)) ] || fail "${#lines[1]}"
	python3 -c "print('\\\\' * 3000)" > "$T/bs.txt"
	run trace-normalize --regex '^(?<a>(?<b>.*))$' -c x=a -c y=b --op-value e "$T/bs.txt"
	assert_success
}

@test "report sums that would wrap past 2^64 are an error" {
	printf 'op\tlr\tcount\nset\t0x1\t10000000000000000000\nset\t0x2\t10000000000000000000\n' > "$T/h"
	trace-join "$T/h" "$T/h" > "$T/j"
	run --separate-stderr trace-report "$T/j"
	assert_failure 2
	[ "$stderr" = "trace-report: $T/j:3: counts overflow 64 bits" ]
}

@test "header errors name the header's own line; names with newlines stay on one line" {
	printf '\n\nop\top\nx\ty\n' > "$T/h.tsv"
	run --separate-stderr trace-normalize -f tsv "$T/h.tsv"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/h.tsv:3: duplicate column name 'op'" ]
	printf 'a,"b\nc"\nx,y\n' > "$T/n.csv"
	run --separate-stderr trace-normalize -c a -c q=b "$T/n.csv"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/n.csv:1: no column 'b' for output column q (columns: a, b\\nc)" ]
}

@test "NUL bytes in schema and notes files are errors, not truncations" {
	printf 'column lr=lr\0:hex\n' > "$T/s"
	run --separate-stderr trace-normalize -s "$T/s"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/s:1: NUL byte in schema line" ]
	printf 'op\tlr\tcount\nset\t0x1\t1\n' > "$T/h"
	trace-join "$T/h" "$T/h" > "$T/j"
	printf '0x1 first\0rest\n' > "$T/notes"
	run --separate-stderr trace-report --notes "$T/notes" "$T/j"
	assert_failure 2
	[ "$stderr" = "trace-report: $T/notes:1: NUL byte in a note" ]
}

@test "trace-join refuses a header with two columns of one name" {
	printf 'op\tratio\tcount\nset\tx\t1\n' > "$T/h"
	run --separate-stderr trace-join "$T/h" "$T/h"
	assert_failure 2
	[ "$stderr" = "trace-join: the join would have two columns named 'ratio' (rename a column or choose other --names)" ]
	[ -z "$output" ]
}

@test "thousands of operands do not run out of file descriptors" {
	printf 'op\tcount\nset\t1\n' > "$T/h0"
	for i in $(seq 1 1500); do cp "$T/h0" "$T/h$i"; done
	gzip -c "$T/h0" > "$T/z.gz"
	run bash -c 'ulimit -n 64; trace-hist "$@"' _ "$T"/h* "$T/z.gz"
	assert_success
	assert_output "$(printf 'op\tcount\nset\t1502')"
}

@test "-o /dev/stdout and /dev/fd/N write in place through the open descriptor" {
	printf '{"lr":"0x10"}\n' > "$T/j.jsonl"
	echo keep > "$T/log.tsv"
	trace-normalize -c lr -o /dev/stdout "$T/j.jsonl" >> "$T/log.tsv"
	assert_equal "$(cat "$T/log.tsv")" "$(printf 'keep\nlr\n0x00000010')"
	echo keep > "$T/log2.tsv"
	trace-normalize -c lr -o /dev/fd/7 "$T/j.jsonl" 7>> "$T/log2.tsv"
	assert_equal "$(cat "$T/log2.tsv")" "$(printf 'keep\nlr\n0x00000010')"
	echo keep > "$T/log3.tsv"
	trace-normalize -c lr -o /proc/self/fd/2 "$T/j.jsonl" 2>> "$T/log3.tsv"
	assert_equal "$(cat "$T/log3.tsv")" "$(printf 'keep\nlr\n0x00000010')"
	run trace-normalize -c lr -o /dev/fd/9 "$T/j.jsonl"
	assert_failure 2
	assert_output --partial "trace-normalize: /dev/fd/9: cannot write: Bad file descriptor"
}

@test "-o keeps the replaced file's mode; long names and dangling links work" {
	printf '{"lr":"0x10"}\n' > "$T/j.jsonl"
	echo old > "$T/private.tsv"
	chmod 600 "$T/private.tsv"
	trace-normalize -c lr -o "$T/private.tsv" "$T/j.jsonl"
	assert_equal "$(stat -c %a "$T/private.tsv")" 600
	assert_equal "$(head -1 "$T/private.tsv")" lr
	long=$(printf 'a%.0s' $(seq 250))
	run trace-normalize -c lr -o "$T/$long" "$T/j.jsonl"
	assert_success
	[ -s "$T/$long" ]
	ln -s target.tsv "$T/link.tsv"
	run trace-normalize -c lr -o "$T/link.tsv" "$T/j.jsonl"
	assert_success
	[ -L "$T/link.tsv" ] && [ -s "$T/target.tsv" ]
}

@test "outputs are renamed into place together, only when the run succeeds" {
	"$EX/xenia/fire-pattern-diff.sh" "$EX/xenia/data/canary.jsonl.gz" \
	    "$EX/xenia/data/ours-lr.jsonl.gz" "$T/x" > /dev/null
	mkdir "$T/csv"
	# Standard output is a pipe whose reader is gone: the run dies of
	# SIGPIPE at its first write, and no CSV file appears.
	run python3 -c '
import os, subprocess, sys
r, w = os.pipe()
os.close(r)
sys.exit(subprocess.call(sys.argv[1:], stdout=w))' trace-report --csv "$T/csv" "$T/x/join.tsv"
	assert_equal "$status" "$((256 - 13))"	# -SIGPIPE, as Python reports it
	[ -z "$(ls -A "$T/csv")" ]
	run trace-report --csv "$T/csv" -o "$T/r.md" "$T/x/join.tsv"
	assert_success
	[ -s "$T/csv/divergent-tuples.csv" ] && [ -s "$T/r.md" ]
}

@test "SIGPIPE, SIGXFSZ and other fatal signals leave no temporary file behind" {
	mkdir "$T/out"
	mkfifo "$T/fifo"
	# (SIGINT and SIGQUIT are ignored by jobs a script starts in the background)
	for sig in PIPE XFSZ USR1 ALRM; do
		trace-normalize -c lr -o "$T/out/ev.tsv" < "$T/fifo" &
		pid=$!
		exec 8> "$T/fifo"
		for _ in $(seq 50); do
			[ -n "$(ls -A "$T/out")" ] && break
			sleep 0.1
		done
		[ -n "$(ls -A "$T/out")" ]
		kill -"$sig" "$pid"
		wait "$pid" || status=$?
		exec 8>&-
		[ -z "$(ls -A "$T/out")" ]
		# ended as the signal would: 128 + its number
		assert_equal "$status" "$((128 + $(kill -l "$sig")))"
	done
}

@test "two outputs of one run may not be the same file" {
	printf '{"lr":"0x10"}\n' > "$T/j.jsonl"
	cd "$T"
	run trace-normalize --skip-bad -c lr -o out.tsv --bad-lines ./out.tsv j.jsonl
	assert_failure 2
	assert_line "trace-normalize: ./out.tsv: the same file as another output of this run"
	[ ! -e out.tsv ] && [ -z "$(ls -A . | grep -v j.jsonl)" ]
	echo x > a.tsv && ln a.tsv b.tsv
	run trace-normalize --skip-bad -c lr -o a.tsv --bad-lines b.tsv j.jsonl
	assert_failure 2
	assert_line "trace-normalize: b.tsv: the same file as another output of this run"
	assert_equal "$(cat a.tsv)" x
	"$EX/xenia/fire-pattern-diff.sh" "$EX/xenia/data/canary.jsonl.gz" \
	    "$EX/xenia/data/ours-lr.jsonl.gz" x > /dev/null
	run trace-report -o x/matched-tuples.csv --csv x x/join.tsv
	assert_failure 2
	assert_line --partial "the same file as another output of this run"
	# devices are written in place and may repeat
	run trace-normalize --skip-bad -c lr -o /dev/null --bad-lines /dev/null j.jsonl
	assert_success
}

@test "zstd input that starts with a skippable frame (pzstd) is zstd" {
	printf 'lr\n0x1\n' > "$T/p.tsv"
	{ printf '\x50\x2a\x4d\x18\x04\x00\x00\x00abcd'; zstd -q -c "$T/p.tsv"; } > "$T/skip.zst"
	run trace-normalize -c lr "$T/skip.zst"
	assert_success
	assert_output "$(printf 'lr\n0x00000001')"
	if command -v pzstd >/dev/null; then
		pzstd -q -c "$T/p.tsv" > "$T/p.zst"
		run trace-normalize -c lr "$T/p.zst"
		assert_success
		assert_output "$(printf 'lr\n0x00000001')"
	fi
}

@test "'-' named twice is a usage error in every tool that takes several operands" {
	for t in trace-normalize trace-key trace-hist trace-join; do
		run "$t" - - < /dev/null
		assert_failure 2
		assert_line "$t: '-' (the standard input) is named twice"
	done
}

@test "--bad-lines may not be an input" {
	printf '{"lr":"0x10"}\n{"x":1}\n' > "$T/j.jsonl"
	cp "$T/j.jsonl" "$T/keep"
	run trace-normalize --skip-bad -c lr --bad-lines "$T/j.jsonl" "$T/j.jsonl"
	assert_failure 2
	assert_line "trace-normalize: --bad-lines $T/j.jsonl: the same file as the input $T/j.jsonl"
	cmp "$T/j.jsonl" "$T/keep"
}
