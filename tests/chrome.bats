#!/usr/bin/env bats
# trace-normalize -f chrome: Chrome trace-event JSON, the array and the
# object format, streamed; phases; --thread-names.
load helper

CD="$DATA/chrome"

# The node traces: node-worker.js run with 1 and 2 (a worker thread
# summing 1e5 or 2e5 numbers) by node 20:
#   node --trace-events-enabled \
#       --trace-event-categories v8,node,node.async_hooks \
#       --trace-event-file-pattern runN.json node-worker.js N
# gzipped.  Events of the phases B, X, i and I.
JQ_EVENTS='.traceEvents[] | select(.ph == "B" or .ph == "X" or .ph == "i" or .ph == "I")'

# jqnorm FILE [names]: the jq normalizer of a node trace.
jqnorm() {
	if [ "${2:-}" = names ]; then
		gzip -dc "$1" | jq -c '.traceEvents as $e |
		    ($e | map(select(.ph == "M" and .name == "thread_name") |
		    {key: "\(.pid)/\(.tid)", value: .args.name}) | from_entries)
		    as $n | '"$JQ_EVENTS"' |
		    {op: .name, tid: ($n["\(.pid)/\(.tid)"] // .tid),
		    ts: (.ts * 1000)}' |
		    trace-normalize -q -c op -c tid:str -c ts
	else
		gzip -dc "$1" | jq -c "$JQ_EVENTS"' | {op: .name, tid, ts: (.ts * 1000)}' |
		    trace-normalize -q -c op -c tid -c ts
	fi
}

# report A.tsv B.tsv: the report of two event streams, keyed by op, tid.
report() {
	trace-key -k op,tid "$1" | trace-hist > "$T/a.hist"
	trace-key -k op,tid "$2" | trace-hist > "$T/b.hist"
	trace-join "$T/a.hist" "$T/b.hist" | trace-report
}

@test "node traces: -f chrome and auto give the jq normalizer's events and report" {
	for r in 1 2; do
		run --separate-stderr trace-normalize -f chrome "$CD/node-run$r.json.gz"
		assert_success
		echo "$output" > "$T/c$r.tsv"
		[ "$stderr" = "trace-normalize: $CD/node-run$r.json.gz: 124 records of other phases dropped (E, M, b, e)" ]
		trace-normalize -q "$CD/node-run$r.json.gz" > "$T/auto$r.tsv"
		assert_same "$T/c$r.tsv" "$T/auto$r.tsv"
		jqnorm "$CD/node-run$r.json.gz" > "$T/jq$r.tsv"
		assert_same "$T/jq$r.tsv" "$T/c$r.tsv"
		trace-normalize --check "$T/c$r.tsv"
	done
	[ "$(head -1 "$T/c1.tsv")" = "$(printf 'op\ttid\tts')" ]
	[ "$(wc -l < "$T/c1.tsv")" -eq 70 ]
	report "$T/jq1.tsv" "$T/jq2.tsv" > "$T/jq.md"
	report "$T/c1.tsv" "$T/c2.tsv" > "$T/c.md"
	assert_same "$T/jq.md" "$T/c.md"
	# the thread numbers differ from run to run
	grep -qF '**INCONCLUSIVE** — 38 ref keys (op, tid) never fire' "$T/c.md"
}

@test "node traces: --thread-names gives the jq normalizer's names; a pool merges" {
	for r in 1 2; do
		trace-normalize -q --thread-names "$CD/node-run$r.json.gz" > "$T/c$r.tsv"
		jqnorm "$CD/node-run$r.json.gz" names > "$T/jq$r.tsv"
		assert_same "$T/jq$r.tsv" "$T/c$r.tsv"
	done
	[ "$(cut -f 2 "$T/c1.tsv" | sort -u | tr '\n' ,)" = "JavaScriptMainThread,[worker 1],tid," ]
	report "$T/jq1.tsv" "$T/jq2.tsv" > "$T/jq.md"
	report "$T/c1.tsv" "$T/c2.tsv" > "$T/c.md"
	assert_same "$T/jq.md" "$T/c.md"
	# by name, every key of run 1 is in run 2
	grep -q '^\*\*SAME\*\*' "$T/c.md"
	# Node writes the metadata after the first events: from a pipe, an
	# error.
	run --separate-stderr trace-normalize --thread-names - < "$CD/node-run1.json.gz"
	assert_failure 2
	[[ "$stderr" == "trace-normalize: (stdin):1: thread "*" of process "*" has no name yet: from a pipe, --thread-names needs the thread_name metadata before the thread's events" ]]
}

@test "array format: events one per line; pid, cat, ph, dur on request; ts and dur in ns" {
	cat > "$T/a.json" <<'EOF2'
[
{"name":"thread_name","ph":"M","pid":1,"tid":7,"args":{"name":"main"}},
{"name":"f","cat":"c1","ph":"B","ts":1.5,"pid":1,"tid":7},
{"name":"f","ph":"E","ts":2.5,"pid":1,"tid":7},
{"name":"g","cat":"c2","ph":"X","ts":10.0001,"dur":0.25,"pid":1,"tid":8},
{"name":"h","ph":"i","ts":1700000000123456.789,"pid":2,"tid":8,"s":"t"},
{"name":"k","ph":"I","ts":0,"pid":2,"tid":8},
{"name":"ctr","ph":"C","ts":3,"pid":1,"args":{"v":1}},
{"name":"flow","ph":"s","ts":3,"pid":1,"tid":7,"id":1}
]
EOF2
	run --separate-stderr trace-normalize -c pid -c cat -c ph -c dur --optional cat,dur "$T/a.json"
	assert_success
	assert_output "$(printf 'op\ttid\tts\tpid\tcat\tph\tdur
f\t7\t1500\t1\tc1\tB\t
g\t8\t10000\t1\tc2\tX\t250
h\t8\t1700000000123456789\t2\t\ti\t
k\t8\t0\t2\t\tI\t')"
	[ "$stderr" = "trace-normalize: $T/a.json: 4 records of other phases dropped (C, E, M, s)" ]
	run --separate-stderr trace-normalize -q -f chrome "$T/a.json"
	[ -z "$stderr" ]
	# --thread-names: named threads by name, the others by number
	run trace-normalize -q --thread-names "$T/a.json"
	assert_output "$(printf 'op\ttid\tts\nf\tmain\t1500\ng\t8\t10000\nh\t8\t1700000000123456789\nk\t8\t0')"
	# --where on a Chrome field
	run --separate-stderr trace-normalize --where cat=c2 "$T/a.json"
	assert_output "$(printf 'op\ttid\tts\ng\t8\t10000')"
	[ "$stderr" = "trace-normalize: $T/a.json: 4 records of other phases dropped (C, E, M, s)
trace-normalize: dropped 3 of 8 records by --where" ]
}

@test "array format: unterminated, cut after a comma, all on one line, compressed" {
	printf '[{"name":"a","ph":"X","ts":1,"tid":1},\n{"name":"b","ph":"X","ts":2,"tid":1},\n' > "$T/cut.json"
	run --separate-stderr trace-normalize "$T/cut.json"
	assert_success
	assert_output "$(printf 'op\ttid\tts\na\t1\t1000\nb\t1\t2000')"
	[ -z "$stderr" ]
	printf '[{"name":"a","ph":"X","ts":1,"tid":1},{"name":"b","ph":"X","ts":2,"tid":1}' > "$T/one.json"
	run trace-normalize "$T/one.json"
	assert_output "$(printf 'op\ttid\tts\na\t1\t1000\nb\t1\t2000')"
	gzip -c "$T/one.json" > "$T/one.json.gz"
	run trace-normalize "$T/one.json.gz"
	assert_output "$(printf 'op\ttid\tts\na\t1\t1000\nb\t1\t2000')"
	printf '[]' > "$T/empty.json"
	run trace-normalize "$T/empty.json"
	assert_success
	assert_output "$(printf 'op\ttid\tts')"
	# an event spanning lines keeps the line it starts on
	printf '[\n{"name":"a",\n"ph":"X","ts":1,"tid":1},\n  {"name":"b",\n"ph":"X","ts":"x","tid":1}]\n' > "$T/multi.json"
	run --separate-stderr trace-normalize "$T/multi.json"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/multi.json:4: field ts: empty number: 'x'" ]
}

@test "a cut event is a malformed record; with --skip-bad, counted" {
	printf '[{"name":"a","ph":"X","ts":1,"tid":1},\n{"name":"b","ph":"X","ts":2,\n"tid"' > "$T/cut.json"
	run --separate-stderr trace-normalize "$T/cut.json"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/cut.json:2: truncated event at the end of the input" ]
	run --separate-stderr trace-normalize --skip-bad "$T/cut.json"
	assert_success
	assert_output "$(printf 'op\ttid\tts\na\t1\t1000')"
	[ "$stderr" = "trace-normalize: skipped 1 of 2 records (first: $T/cut.json:2: truncated event at the end of the input)" ]
}

@test "object format: traceEvents among other keys, nested metadata skipped" {
	cat > "$T/o.json" <<'EOF2'
{"traceEvents":[{"name":"a","ph":"B","ts":1,"tid":1,"pid":1}],
 "displayTimeUnit":"ns",
 "otherData":{"version":"x", "list":[1,{"a":"]}"}], "n":-1.5e3}
}
EOF2
	run --separate-stderr trace-normalize "$T/o.json"
	assert_success
	assert_output "$(printf 'op\ttid\tts\na\t1\t1000')"
	# traceEvents not first, the object over lines: with -f chrome
	printf '{\n "metadata": {"k": [1, 2]}, "n": 3,\n "traceEvents": [\n  {"name":"a","ph":"X","ts":2,"tid":1}\n ]\n}\n' > "$T/o2.json"
	run trace-normalize -f chrome "$T/o2.json"
	assert_success
	assert_output "$(printf 'op\ttid\tts\na\t1\t2000')"
	# auto: an object over lines whose first key is not traceEvents is
	# still a JSON object spanning lines
	run --separate-stderr trace-normalize "$T/o2.json"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/o2.json:1: a JSON object spanning lines, not JSON Lines: write one object per line, as jq -c does" ]
	printf '{"a":1}\n' > "$T/jsonl"
	run trace-normalize -c a "$T/jsonl"
	assert_success
}

@test "chrome errors: not events, bad separators, trailing data, no traceEvents" {
	printf '[{"x":1},{"y":2}]\n' > "$T/e1"
	run --separate-stderr trace-normalize "$T/e1"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/e1:1: a JSON document (a top-level array), not JSON Lines: write one object per line, as jq -c '.[]' does" ]
	printf '[{"name":"a","ph":"X","ts":1,"tid":1},\n{"y":2}]\n' > "$T/e1"
	run --separate-stderr trace-normalize "$T/e1"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/e1:2: not a trace event: no ph and no name" ]
	printf '[{"name":"a","ts":1,"tid":1}]\n' > "$T/e2"
	run --separate-stderr trace-normalize "$T/e2"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/e2:1: missing field 'ph'" ]
	printf '[1,2]\n' > "$T/e3"
	run --separate-stderr trace-normalize "$T/e3"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/e3:1: expected an event (an object) in the events array, got '1'" ]
	printf '[{"name":"a","ph":"X","ts":1,"tid":1}] x\n' > "$T/e4"
	run --separate-stderr trace-normalize "$T/e4"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/e4:1: trailing data after the trace events" ]
	printf '[{"name":"a","ph":"X","ts":1,"tid":1},]\n' > "$T/e5"
	run --separate-stderr trace-normalize "$T/e5"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/e5:1: expected an event after ','" ]
	printf '{"traceEvent":[]}\n' > "$T/e6"
	run --separate-stderr trace-normalize -f chrome "$T/e6"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/e6:1: no traceEvents array in the top-level object" ]
	printf '{"traceEvents":[{"name":"a","ph":"X","ts":1,"tid":1}]\n' > "$T/e7"
	run --separate-stderr trace-normalize "$T/e7"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/e7:1: truncated JSON: the input ends inside the top-level object" ]
	printf '[{"name":"a","ph":"X","ts":1.5e3,"tid":1}]\n' > "$T/e8"
	run --separate-stderr trace-normalize "$T/e8"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/e8:1: field ts: not a number: '1.5e3'" ]
	printf '[{"name":"a","ph":"X","ts":1,"tid":1,"tid":2}]\n' > "$T/e9"
	run --separate-stderr trace-normalize "$T/e9"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/e9:1: duplicate key 'tid'" ]
	printf '[{"name":"a\0","ph":"X","ts":1,"tid":1}]' > "$T/e10"
	run --separate-stderr trace-normalize "$T/e10"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/e10:1: NUL byte at column 11" ]
	printf '[\0]' > "$T/e11"
	run --separate-stderr trace-normalize "$T/e11"
	assert_failure 2
	[ "$stderr" = "trace-normalize: $T/e11:1: expected an event (an object) in the events array, got '\\0'" ]
	run --separate-stderr trace-normalize --thread-names -f jsonl /dev/null
	assert_failure 2
	[ "${stderr_lines[0]}" = "trace-normalize: --thread-names reads Chrome trace events: it needs --format chrome or auto" ]
}

@test "--thread-names: a file is read twice (names last); a pipe needs names first" {
	printf '[{"name":"a","ph":"X","ts":1,"pid":1,"tid":5},\n{"name":"b","ph":"X","ts":2,"pid":1,"tid":6},\n{"name":"thread_name","ph":"M","pid":1,"tid":5,"args":{"name":"w"}},\n{"name":"thread_name","ph":"M","pid":1,"tid":6,"args":{"name":"w"}}]\n' > "$T/n.json"
	run trace-normalize -q --thread-names "$T/n.json"
	assert_success
	assert_output "$(printf 'op\ttid\tts\na\tw\t1000\nb\tw\t2000')"
	run --separate-stderr trace-normalize -q --thread-names < "$T/n.json"
	assert_failure 2
	[ "$stderr" = "trace-normalize: (stdin):1: thread 5 of process 1 has no name yet: from a pipe, --thread-names needs the thread_name metadata before the thread's events" ]
	tac "$T/n.json" | sed 's/]$/,/; 1s/^/[/; $s/^\[//; $s/,$/]/' > "$T/r.json"
	run trace-normalize -q --thread-names < "$T/r.json"
	assert_success
	assert_output "$(printf 'op\ttid\tts\nb\tw\t2000\na\tw\t1000')"
	# the same tid in another process is another thread
	printf '[{"name":"thread_name","ph":"M","pid":1,"tid":5,"args":{"name":"w"}},{"name":"a","ph":"X","ts":1,"pid":2,"tid":5}]' > "$T/p.json"
	run trace-normalize -q --thread-names "$T/p.json"
	assert_output "$(printf 'op\ttid\tts\na\t5\t1000')"
}

# rss MB [SEP]: the peak resident size (KiB) of trace-normalize -f chrome
# on MB megabytes of events written to its standard input, each followed
# by ",SEP" (default a newline; "" puts the whole trace on one line).
rss() {
	python3 - "$1" "${2-\n}" <<'EOF2'
import resource, subprocess, sys
mb = int(sys.argv[1])
ev = '{"name":"f%d","cat":"c","ph":"X","ts":%d.125,"dur":3.5,"pid":1,"tid":%d,"args":{"k":"v"}},' + sys.argv[2].replace('\\n', '\n')
block = ''.join(ev % (i % 50, i, i % 4) for i in range(10000)).encode()
p = subprocess.Popen(["trace-normalize", "-f", "chrome", "-c", "dur"],
    stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
p.stdin.write(b"[\n")
n = 0
while n < mb * 1048576:
    p.stdin.write(block)
    n += len(block)
p.stdin.close()
if p.wait() != 0:
    sys.exit(1)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
EOF2
}

@test "a 200 MB trace in flat memory" {
	small=$(rss 1)
	big=$(rss 200)
	echo "peak RSS: 1 MB: $small KiB, 200 MB: $big KiB" >&3
	[ "$big" -lt $((small + 8192)) ]
}

# The format is told from the first part of the first line, which is not
# read whole: blanks longer than that part are skipped by the walk, not
# taken for a blank line (that would lose the trace).
@test "a trace on one line after 1.5 MB of blanks" {
	python3 -c "import sys; sys.stdout.write(' ' * 1500000 + '[{\"name\":\"a\",\"ph\":\"X\",\"ts\":1,\"tid\":1}]')" > "$T/b.json"
	run trace-normalize "$T/b.json"
	assert_success
	assert_output "$(printf 'op\ttid\tts\na\t1\t1000')"
	run sh -c "cat '$T/b.json' | trace-normalize -f chrome"
	assert_success
	assert_output "$(printf 'op\ttid\tts\na\t1\t1000')"
}

@test "a 200 MB trace on one line in flat memory" {
	small=$(rss 1 '')
	big=$(rss 200 '')
	echo "peak RSS: 1 MB: $small KiB, 200 MB: $big KiB" >&3
	[ "$big" -lt $((small + 8192)) ]
}

# The reader hands out a long line in pieces of at most 1 MiB: a key (one
# with a blank in it too), a number, an escape, a CR LF or an event cut
# between two pieces reads as if it were whole.
@test "a trace on one line: every token cut between pieces" {
	python3 - "$T" <<'EOF2'
import subprocess, sys
exp = b'op\ttid\tts\na"b\t1\t1500\nc\t2\t2000\n'
for k in range(96):
    pad = 1048576 - 80 + k
    doc = ('{"me\\"ta":"' + 'x' * pad + '\\"","traceEvents ":1,'
        '"n":123456789,"traceEvents":'
        '[{"name":"a\\"b","ph":"X","ts":1.5,"tid":1},\r\n{"name":"c",'
        '"ph":"B","ts":2,"tid":2,"args":{"v":[1,{"w":"}"}]}}],"z":true}')
    path = sys.argv[1] + '/split.json'
    open(path, 'w').write(doc)
    r = subprocess.run(["trace-normalize", "-f", "chrome", path],
        capture_output=True)
    if r.returncode != 0 or r.stdout != exp:
        sys.exit('cut at %d: exit %d, %r %r' % (k, r.returncode, r.stdout,
            r.stderr))
EOF2
}
