#!/usr/bin/env bats
# examples/threads: the thread map and the keys that stop early and
# start late, on a generated pair whose truth is planted (data/truth.tsv):
# renamed threads, a split, a pool, a thread without analog, a moved key.
# Every expectation is derived from the truth file and the raw traces,
# never copied from a report.  Also: the quotes of examples/xenia/README.md
# are lines of what `make demo` writes.
load helper

TX="$EX/threads"
TD="$TX/data"

# truth CLASS: the lines of truth.tsv of a class, without the class:
# ref_tid, cand_tids, op, lr.
truth() {
	awk -F '\t' -v c="$1" 'NR > 1 && $1 == c { print $2 "\t" $3 "\t" $4 "\t" $5 }' "$TD/truth.tsv"
}

# keys CLASS: the op and lr of the keys of a class, sorted.
keys() {
	truth "$1" | cut -f 3,4 | sort
}

# block LANG FILE: the lines of the fenced blocks of FILE whose info
# string is LANG ("" for a plain ```).
block() {
	awk -v b="$1" '/^```/ { if (open) open = inb = 0; else { open = 1; inb = ($0 == "```" b) }; next } inb' "$2"
}

# commands LANG FILE: write the "$ " commands of FILE's ```sh blocks that
# start with one of the words in the regex LANG to $T/cmd.N, the lines
# that follow each to $T/want.N, and their number to $T/ncmd.
commands() {
	awk -v T="$T" -v re="^[$] ($1) " '
	/^```/ { inb = !inb && $0 == "```sh"; f = ""; next }
	inb && $0 ~ re { n++; f = T "/want." n; print substr($0, 3) > (T "/cmd." n); printf "" > f; next }
	inb && /^\$ / { f = ""; next }
	inb && f != "" { print > f }
	END { print n + 0 > (T "/ncmd") }' "$2"
}

# compare: run compare.sh into $T/out.
compare() {
	run "$TX/compare.sh" "$T/out"
	assert_success
	assert_output "compare.sh: $T/out/report.md: divergent"
}

# thread_min: the --thread-min the report used, as report.md states it.
thread_min() {
	sed -n 's/.*a thread has analogs from \([0-9.]*\) (--thread-min).*/\1/p' "$T/out/report.md"
}

# analogs REF: the analogs of a reference thread in the JSON report,
# sorted, one a line.
analogs() {
	jq -r --arg r "$1" '.threads[] | select(.ref == $r) | .analogs[].tid' "$T/out/report.json" | sort
}

@test "the committed data: two traces, small, every case planted" {
	[ "$(head -1 "$TD/truth.tsv")" = "$(printf 'class\tref_tid\tcand_tids\top\tlr')" ]
	[ "$(du -ck "$TD"/* | tail -1 | cut -f 1)" -lt 512 ]
	for c in renamed split pool no-analog missing moved stops-early starts-late; do
		[ -n "$(truth "$c")" ] || fail "nothing of class $c"
	done
	[ "$(truth renamed | wc -l)" -ge 2 ]
	[ "$(truth split | cut -f 2 | tr , '\n' | wc -l)" -eq 3 ]
	[ "$(truth pool | cut -f 2 | tr , '\n' | wc -l)" -ge 2 ]
	# The raw traces agree with the truth, read with sed, not the tools:
	# "tid lr ts" per event.
	for s in ref cand; do
		gzip -dc "$TD/$s.jsonl.gz" | sed -n \
		    's/^{"op": "[a-z]*", "lr": "\(0x[0-9a-f]*\)", "tid": \([0-9]*\), "ts": \([0-9]*\)}$/\2 \1 \3/p' > "$T/$s"
		[ "$(wc -l < "$T/$s")" -eq "$(gzip -dc "$TD/$s.jsonl.gz" | wc -l)" ]
	done
	# Every reference thread of the truth fires in the reference, every
	# candidate tid of the truth in the candidate.
	for r in $(cut -f 2 "$TD/truth.tsv" | sed 1d | grep -v '^-$' | sort -u); do
		grep -q "^$r " "$T/ref" || fail "ref tid $r does not fire"
	done
	for c in $(cut -f 3 "$TD/truth.tsv" | sed 1d | tr , '\n' | grep -v '^-$' | sort -u); do
		grep -q "^$c " "$T/cand" || fail "cand tid $c does not fire"
	done
	# A no-analog thread fires only missing keys, which never fire in the
	# candidate; a moved key fires in the candidate only on its tids.
	for r in $(truth no-analog | cut -f 1); do
		awk -v r="$r" '$1 == r { print $2 }' "$T/ref" | sort -u > "$T/lrs"
		[ "$(truth missing | awk -v r="$r" '$1 == r { print $4 }' | sort)" = "$(cat "$T/lrs")" ]
		refute_grep -qwFf "$T/lrs" "$T/cand"
	done
	truth moved | while IFS="$(printf '\t')" read -r r c op lr; do
		[ "$(awk -v l="$lr" '$2 == l { print $1 }' "$T/cand" | sort -u | paste -sd, -)" = "$c" ]
		[ "$(awk -v l="$lr" '$2 == l { print $1 }' "$T/ref" | sort -u)" = "$r" ]
	done
	# Both sides span comparable times, in ns, in time order.
	for s in ref cand; do
		sort -k 3,3n -c "$T/$s"
		awk 'NR == 1 { lo = $3 } { hi = $3 } END { print hi - lo }' "$T/$s" > "$T/$s.span"
	done
	[ "$(cat "$T/ref.span")" -gt 1000000000 ]
	awk '{ r = $1 } END { getline c < ARGV[2]; exit !(c / r > 0.5 && c / r < 2) }' \
	    "$T/ref.span" "$T/cand.span"
	# The README's counts are those of the traces.
	for s in ref cand; do
		n=$(wc -l < "$T/$s" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta')
		nt=$(cut -d ' ' -f 1 "$T/$s" | sort -u | wc -l)
		grep -qF "| \`data/$s.jsonl.gz\` | the $([ $s = ref ] && echo reference engine || echo candidate): $nt threads, $n events |" "$TX/README.md"
	done
	# Events normalize without a message.
	run --separate-stderr trace-normalize -c op -c lr -c tid -c ts "$TD/ref.jsonl.gz"
	assert_success
	[ -z "$stderr" ]
	[ "${lines[0]}" = "$(printf 'op\tlr\ttid\tts')" ]
}

@test "gen.py regenerates the committed data" {
	command -v python3 >/dev/null || skip "python3 not installed"
	run python3 "$TX/gen.py" "$T/gen"
	assert_success
	[ -z "$output" ]
	assert_same "$TD/truth.tsv" "$T/gen/truth.tsv"
	[ "$(ls "$T/gen" | wc -l)" -eq "$(ls "$TD" | wc -l)" ]
	# The traces, compared decompressed: the gzip bytes could change
	# with the zlib of the machine.  The headers carry no name or time.
	for f in "$TD"/*.jsonl.gz; do
		assert_same <(gzip -dc "$f") <(gzip -dc "$T/gen/${f##*/}")
		[ "$(od -An -tx1 -j 3 -N 5 "$T/gen/${f##*/}" | tr -d ' ')" = 0000000000 ]
	done
	run python3 "$TX/gen.py" --seed 15 "$T/gen"
	assert_failure 2
	assert_output "gen.py: $T/gen: directory not empty (-f writes into it)"
	python3 "$TX/gen.py" -f --seed 15 "$T/gen"
	run cmp -s "$TD/ref.jsonl.gz" "$T/gen/ref.jsonl.gz"
	assert_failure
}

@test "compare.sh: the thread map recovers the planted threads" {
	compare
	cd "$T/out"
	for f in ref.hist cand.hist join.tsv report.md report.json report.html threads.tsv; do
		[ -s "$f" ] || fail "$f not written"
	done
	min=$(thread_min)
	[ -n "$min" ]
	# threads.tsv: exactly the pairs of the renamed, split and pool
	# threads, and nothing for a thread without analog.
	truth renamed > "$T/t"; truth split >> "$T/t"; truth pool >> "$T/t"
	awk -F '\t' '{ n = split($2, c, ","); for (i = 1; i <= n; i++) print $1 "\t" c[i] }' "$T/t" |
	    sort > "$T/want"
	[ "$(head -1 threads.tsv)" = "$(printf 'ref_tid\tcand_tid\tsimilarity')" ]
	sed 1d threads.tsv | cut -f 1,2 | sort > "$T/got"
	assert_same "$T/want" "$T/got"
	# The same in JSON, thread by thread.
	while IFS="$(printf '\t')" read -r r c _; do
		[ "$(analogs "$r" | paste -sd, -)" = "$(tr , '\n' <<< "$c" | sort | paste -sd, -)" ] ||
		    fail "ref tid $r: analogs $(analogs "$r" | paste -sd, -), want $c"
	done < "$T/t"
	# A split: no part alone reaches --thread-min, the parts merged do.
	# A pool: every worker alone does.
	r=$(truth split | cut -f 1)
	jq -e --arg r "$r" --argjson m "$min" '.threads[] | select(.ref == $r) |
	    .similarity >= $m and all(.analogs[]; .similarity < $m)' report.json
	for r in $(truth pool | cut -f 1); do
		jq -e --arg r "$r" --argjson m "$min" '.threads[] | select(.ref == $r) |
		    all(.analogs[]; .similarity >= $m)' report.json
	done
	# A renamed thread's candidate tid may be another reference thread's
	# tid: the map does not go by the ids.
	truth renamed | awk -F '\t' 'NR == FNR { r[$1]; next } $2 in r && $1 != $2' - <(truth renamed) > "$T/clash"
	[ -s "$T/clash" ]
	# No analog: none in JSON, its keys missing, the Markdown row "none".
	for r in $(truth no-analog | cut -f 1); do
		jq -e --arg r "$r" '.threads[] | select(.ref == $r) |
		    .analogs == [] and .similarity == 0 and .moved_keys == []' report.json
		grep -q "^| \`$r\` | [0-9,]* | none | 0.000 | " report.md
		refute_grep -qP "^$r\t" threads.tsv
	done
	# Missing and moved keys, over all threads: exactly the planted ones,
	# each on its reference thread.
	for c in missing moved; do
		truth "$c" | cut -f 1,3,4 | sort > "$T/want"
		jq -r --arg k "${c}_keys" '.threads[] | .ref as $r | .[$k][] | [$r, .op, .lr] | @tsv' report.json |
		    sort > "$T/got"
		assert_same "$T/want" "$T/got"
	done
	# A moved key fires in the candidate, as often, on tids that are not
	# the analogs of its thread.
	truth moved | while IFS="$(printf '\t')" read -r r c op lr; do
		jq -e --arg lr "$lr" '.matched[] | select(.lr == $lr) | .cand > 0' report.json
		for t in $(tr , ' ' <<< "$c"); do
			analogs "$r" | grep -qx "$t" && fail "moved key's tid $t is an analog of $r"
			awk -F '\t' -v l="$lr" -v t="$t" '$2 == l { n = split($4, a, ","); for (i = 1; i <= n; i++) if (a[i] ~ "^" t ":") f = 1 } END { exit !f }' cand.hist
		done
		grep -qF -- "- **tid \`$r\`**: moved \`$op\` \`$lr\`" report.md
	done
	# The candidate's own thread is no reference thread's analog, and
	# its keys are the extra keys.
	for t in $(truth extra | cut -f 2 | sort -u); do
		refute_grep -qP "\t$t\t" threads.tsv
	done
	keys extra > "$T/want"
	jq -r '.extra[] | [.op, .lr] | @tsv' report.json | sort > "$T/got"
	assert_same "$T/want" "$T/got"
	# The HTML page has the map, one row per reference thread.
	grep -qF '<h2 id="threads">Thread map (ref tid → cand tid)</h2>' report.html
	[ "$(sed -n '/<h2 id="threads">/,/<\/table>/p' report.html | grep -c '^<tr><td')" -eq "$(jq '.threads | length' report.json)" ]
}

@test "compare.sh: the keys that stop early and start late are the planted ones" {
	compare
	cd "$T/out"
	for c in stops-early starts-late; do
		keys "$c" > "$T/want"
		[ -s "$T/want" ]
		jq -r --arg k "$(tr - _ <<< "$c")" '.[$k][] | [.op, .lr] | @tsv' report.json | sort > "$T/got"
		assert_same "$T/want" "$T/got"
	done
	# As the raw trace says: in the candidate, a stop-early key's last
	# fire comes before the middle of its span, a start-late key's first
	# after it; the reference fires both over its whole span.
	jq -e 'all(.stops_early[]; .cand_last < 0.5 and .ref_last >= 0.9) and
	    all(.starts_late[]; .cand_first > 0.5 and .ref_first <= 0.1)' report.json
	# The Markdown and HTML sections, one row per key.
	for c in stops-early starts-late; do
		sec=$([ $c = stops-early ] && echo 'Keys that stop early' || echo 'Keys that start late')
		n=$(sed -n "/^## $sec/,/^## /p" report.md | grep -c '^| `')
		[ "$n" -eq "$(keys "$c" | wc -l)" ]
		grep -qF "<h2 id=\"$c\">$sec</h2>" report.html
	done
	# --fail-on: exit 1 on either list.
	run trace-report --fail-on stops-early -o /dev/null join.tsv
	assert_failure 1
	run trace-report --fail-on starts-late -o /dev/null join.tsv
	assert_failure 1
}

@test "html: the thread map is in the DOM headless Chromium renders" {
	command -v chromium >/dev/null || skip "chromium not installed"
	compare
	run timeout 120 chromium --headless --no-sandbox --disable-gpu \
	    --disable-quic --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync \
	    --user-data-dir="$T/profile" --dump-dom "file://$T/out/report.html"
	assert_success
	printf '%s\n' "$output" > "$T/dom"
	grep -qF '<h2 id="threads">Thread map (ref tid → cand tid)</h2>' "$T/dom"
	grep -qF '<h2 id="stops-early">Keys that stop early</h2>' "$T/dom"
	# Each row of the map as Chromium parsed it: the reference tid and
	# its analogs, as the truth has them.
	sed -n '/<h2 id="threads">/,/<\/table>/p' "$T/dom" |
	    sed -n 's|^<tr><td class="n">\([^<]*\)</td><td class="n">[^<]*</td><td>\([^<]*\)</td>.*|\1 \2|p' |
	    sed 's/ ([0-9.]*)//g; s/,//g' > "$T/rows"
	[ "$(wc -l < "$T/rows")" -eq "$(jq '.threads | length' "$T/out/report.json")" ]
	for c in renamed split pool no-analog; do
		truth "$c" | while IFS="$(printf '\t')" read -r r t _; do
			got=$(awk -v r="$r" '$1 == r { $1 = ""; print }' "$T/rows" | tr ' ' '\n' | grep . | sort | paste -sd, -)
			want=$([ "$t" = - ] && echo none || tr , '\n' <<< "$t" | sort | paste -sd, -)
			[ "$got" = "$want" ] || fail "DOM row of $r: $got, want $want"
		done
	done
}

@test "README: the quoted output is what compare.sh writes" {
	cd "$T"
	run "$TX/compare.sh" out/threads
	assert_success
	grep '^compare.sh: out/threads/' "$TX/README.md" > "$T/quoted"
	[ "$(wc -l < "$T/quoted")" -eq 1 ]
	assert_output "$(cat "$T/quoted")"
	# Every line of a ```md block is a line of report.md, of a ```tsv
	# block a line of threads.tsv.
	for b in md:report.md tsv:threads.tsv; do
		block "${b%%:*}" "$TX/README.md" > "$T/q"
		[ "$(grep -c . "$T/q")" -ge 5 ]
		while IFS= read -r l; do
			[ -z "$l" ] && continue
			grep -qxF -- "$l" "out/threads/${b#*:}" || fail "README line not in ${b#*:}: $l"
		done < "$T/q"
	done
	# Of a plain ``` block: the event is in the reference trace, the
	# histogram line in ref.hist.
	block "" "$TX/README.md" > "$T/plain"
	grep '^{' "$T/plain" > "$T/ev"
	[ "$(wc -l < "$T/ev")" -eq 1 ]
	gzip -dc "$TD/ref.jsonl.gz" | grep -qxF -f "$T/ev"
	grep -v '^{' "$T/plain" > "$T/h"
	[ "$(wc -l < "$T/h")" -eq 1 ]
	grep -qxF -f "$T/h" out/threads/ref.hist
	# Every "$ jq", "$ grep" or "$ trace-report" command of a ```sh block
	# prints what follows it.
	commands 'jq|grep|trace-report' "$TX/README.md"
	[ "$(cat "$T/ncmd")" -ge 4 ]
	for i in $(seq "$(cat "$T/ncmd")"); do
		sh "$T/cmd.$i" > "$T/got.$i"
		assert_same "$T/want.$i" "$T/got.$i"
	done
}

@test "compare.sh: usage, a bad option, a non-empty directory" {
	run --separate-stderr "$TX/compare.sh" -h
	assert_success
	[ "$output" = "usage: compare.sh [-f] OUTDIR" ]
	[ -z "$stderr" ]
	run --separate-stderr "$TX/compare.sh"
	assert_failure 2
	[ "$stderr" = "usage: compare.sh [-f] OUTDIR" ]
	run --separate-stderr "$TX/compare.sh" -x "$T/o"
	assert_failure 2
	[ ! -e "$T/o" ]
	mkdir "$T/o" && echo keep > "$T/o/mine"
	run "$TX/compare.sh" "$T/o"
	assert_failure 2
	assert_output "compare.sh: $T/o: directory not empty (-f writes into it)"
	[ ! -e "$T/o/report.md" ]
	run "$TX/compare.sh" -f "$T/o"
	assert_success
	[ -s "$T/o/threads.tsv" ] && [ -e "$T/o/mine" ]
}

@test "examples/xenia/README: the quoted lines are those make demo writes" {
	run env DEMO_OUT="$T/demo" sh "$EX/demo.sh"
	assert_success
	block md "$EX/xenia/README.md" > "$T/q"
	[ "$(grep -c . "$T/q")" -ge 8 ]
	grep -qF '## Thread map' "$T/q"
	grep -qF '## Keys that stop early' "$T/q"
	while IFS= read -r l; do
		[ -z "$l" ] && continue
		grep -qxF -- "$l" "$T/demo/report.md" || fail "xenia README line not in report.md: $l"
	done < "$T/q"
	# "N of the M keys that stop early fire in ours only in that file"
	# (ours-lr): counted from a histogram of each of ours' files.
	for f in ours-iat.jsonl.zst ours-lr.jsonl.gz; do
		trace-normalize -q -s "$EX/xenia/ours.schema" "$EX/xenia/data/$f" |
		    trace-key | trace-hist | cut -f 2 | sed 1d | sort > "$T/$f.lrs"
	done
	jq -r '.stops_early[].lr' "$T/demo/report.json" | sort > "$T/early"
	n=$(comm -12 "$T/early" "$T/ours-lr.jsonl.gz.lrs" | comm -23 - "$T/ours-iat.jsonl.zst.lrs" | wc -l)
	grep -qF "$n of the $(wc -l < "$T/early") keys that stop early fire in ours only in that file" "$EX/xenia/README.md"
	# Its "$ jq" and "$ gzip" commands print what follows them.
	cd "$T"
	mkdir -p out && ln -s "$T/demo" out/demo && ln -s "$EX" examples
	commands 'jq|gzip' "$EX/xenia/README.md"
	[ "$(cat "$T/ncmd")" -eq 2 ]
	for i in $(seq "$(cat "$T/ncmd")"); do
		sh "$T/cmd.$i" > "$T/got.$i"
		assert_same "$T/want.$i" "$T/got.$i"
	done
}
