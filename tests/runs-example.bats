#!/usr/bin/env bats
# examples/runs: five runs against five, with keys planted in known
# classes (data/truth.tsv).  Every expectation is derived from the truth
# file and from the raw traces, never copied from a report.
load helper

RX="$EX/runs"
RD="$RX/data"

# nruns SIDE: the number of runs of a side in the committed data.
nruns() {
	ls "$RD/$1"-*.jsonl.gz | wc -l
}

# raw: "side run lr count" for every call site of every run, counted
# from the JSON Lines traces with sed, not with the tools.
raw() {
	local side f r
	for side in ref cand; do
		for f in "$RD/$side"-*.jsonl.gz; do
			r=${f##*/"$side"-}
			r=${r%.jsonl.gz}
			gzip -dc "$f" |
			    sed -n 's/.*"lr": "\(0x[0-9a-f]*\)".*/\1/p' |
			    sort | uniq -c |
			    awk -v s="$side" -v r="$r" '{ print s, r, $2, $1 }'
		done
	done
}

# expect: one line per key of the truth, sorted: op lr status ref cand
# ref_runs cand_runs ref_min ref_max cand_min cand_max flaky under over.
# The status, runs and flags follow from the planted classes and runs;
# the counts from the raw traces.
expect() {
	raw > "$T/raw"
	awk -v R="$(nruns ref)" -v C="$(nruns cand)" '
	FNR == NR { n[$1, $2, $3] = $4; next }
	FNR == 1 { next }
	{
		lr = $2; rr = $4; cr = $5
		st = rr > 0 && cr > 0 ? "matched" : rr > 0 ? "missing" : "extra"
		fl = (rr > 0 && rr < R) || (cr > 0 && cr < C) ? "true" : "false"
		printf "%s\t%s\t%s", $1, lr, st
		split("", t); split("", lo); split("", hi)
		for (i = 1; i <= 2; i++) {
			s = i == 1 ? "ref" : "cand"; k = i == 1 ? R : C
			lo[s] = -1; hi[s] = 0; t[s] = 0
			for (j = 1; j <= k; j++) {
				v = n[s, j, lr] + 0
				t[s] += v
				if (lo[s] < 0 || v < lo[s]) lo[s] = v
				if (v > hi[s]) hi[s] = v
			}
		}
		printf "\t%d\t%d\t%d\t%d", t["ref"], t["cand"], rr, cr
		printf "\t%d\t%d\t%d\t%d", lo["ref"], hi["ref"], lo["cand"], hi["cand"]
		printf "\t%s\t%s\t%s\n", fl, $3 == "under" ? "true" : "false",
		    $3 == "over" ? "true" : "false"
	}' "$T/raw" "$RD/truth.tsv" | sort
}

# got JSON: the same columns from a JSON report, sorted.
got() {
	jq -r '(.missing + .matched + .extra)[] | [.op, .lr, .status, .ref,
	    .cand, .ref_runs, .cand_runs, .ref_min, .ref_max, .cand_min,
	    .cand_max, .flaky, .under, .over] | @tsv' "$1" | sort
}

# lrs CLASS: the call sites of a planted class, as a JSON array.
lrs() {
	awk -F '\t' -v c="$1" '$3 == c { print $2 }' "$RD/truth.tsv" |
	    jq -R . | jq -sc .
}

# ncls CLASS: how many call sites the class has.
ncls() {
	awk -F '\t' -v c="$1" '$3 == c' "$RD/truth.tsv" | wc -l
}

# compare: run compare.sh into $T/out once.
compare() {
	run "$RX/compare.sh" "$@" "$T/out"
	assert_success
	assert_output "compare.sh: $T/out/report.md: divergent
compare.sh: $T/out/rates.md: divergent"
}

@test "the committed data: five runs a side, small, every class planted" {
	[ "$(nruns ref)" -eq 5 ] && [ "$(nruns cand)" -eq 5 ]
	[ "$(du -ck "$RD"/* | tail -1 | cut -f 1)" -lt 1024 ]
	[ "$(head -1 "$RD/truth.tsv")" = "$(printf 'op\tlr\tclass\tref_runs\tcand_runs')" ]
	for c in matched missing missing-one-run under over flaky extra; do
		[ "$(ncls "$c")" -ge 1 ] || fail "no key of class $c"
	done
	[ "$(ncls missing-one-run)" -eq 1 ]
	# The runs fired that the truth states are those of the traces.
	raw > "$T/raw"
	awk 'FNR == NR { if ($4 > 0) f[$1, $3]++; next }
	    FNR > 1 { print $2, $4 + 0 == f["ref", $2] + 0, $5 + 0 == f["cand", $2] + 0 }' \
	    "$T/raw" "$RD/truth.tsv" > "$T/ok"
	refute_grep ' 0' "$T/ok"
	[ "$(wc -l < "$T/ok")" -eq "$(($(wc -l < "$RD/truth.tsv") - 1))" ]
	# Runs of a side differ in length.
	for s in ref cand; do
		[ "$(for f in "$RD/$s"-*.jsonl.gz; do gzip -dc "$f" | wc -l; done | sort -u | wc -l)" -eq 5 ]
	done
	# Events normalize without a message.
	run --separate-stderr trace-normalize --set run=1 "$RD/ref-1.jsonl.gz"
	assert_success
	[ -z "$stderr" ]
	[ "${lines[0]}" = "$(printf 'op\tlr\thandle\ttid\tts\trun')" ]
}

@test "gen.py regenerates the committed data" {
	command -v python3 >/dev/null || skip "python3 not installed"
	run python3 "$RX/gen.py" "$T/gen"
	assert_success
	[ -z "$output" ]
	assert_same "$RD/truth.tsv" "$T/gen/truth.tsv"
	[ "$(ls "$T/gen" | wc -l)" -eq "$(ls "$RD" | wc -l)" ]
	# The traces, compared decompressed: the gzip bytes could change
	# with the zlib of the machine.  The headers carry no name or time.
	for f in "$RD"/*.jsonl.gz; do
		assert_same <(gzip -dc "$f") <(gzip -dc "$T/gen/${f##*/}")
		[ "$(od -An -tx1 -j 3 -N 5 "$T/gen/${f##*/}" | tr -d ' ')" = 0000000000 ]
	done
	# Another seed, other traces; a non-empty directory needs -f.
	run python3 "$RX/gen.py" --seed 14 "$T/gen"
	assert_failure 2
	assert_output "gen.py: $T/gen: directory not empty (-f writes into it)"
	python3 "$RX/gen.py" -f --seed 14 "$T/gen"
	run cmp -s "$RD/truth.tsv" "$T/gen/truth.tsv"
	assert_failure
}

@test "compare.sh: every planted class is recovered, key by key" {
	compare
	cd "$T/out"
	for f in ref-1.hist cand-5.hist ref.hist cand.hist join.tsv rates.tsv \
	    report.md report.json report.html rates.md rates.json; do
		[ -s "$f" ] || fail "$f not written"
	done
	expect > "$T/want"
	got report.json > "$T/got"
	[ "$(wc -l < "$T/want")" -eq "$(($(wc -l < "$RD/truth.tsv") - 1))" ]
	assert_same "$T/want" "$T/got"
	jq -e '.runs == {ref: 5, cand: 5} and .headline == "divergent" and
	    .thresholds.quorum == 5' report.json
	# Consistently missing: 5/5 vs 0/5, the smallest p of 5 runs
	# against 5: 2 / C(10, 5) = 2/252.
	miss=$(lrs missing)
	jq -e --argjson k "$miss" '[.missing[] | select(.lr | IN($k[])) |
	    select(.ref_runs == 5 and .cand_runs == 0 and .p == 0.007937 and
	    (.flaky | not))] | length == ($k | length)' report.json
	# Under and over in every pair of runs: as far apart as 5 runs
	# against 5 can be.
	for c in under over; do
		jq -e --argjson k "$(lrs "$c")" '[(.matched[]) | select(.lr | IN($k[])) |
		    select(.p == 0.007937)] | length == ($k | length)' report.json
	done
	jq -e '[(.missing + .matched + .extra)[] | .p | select(. < 0.007937)] == []' report.json
	# The key missing in one run only is missing, flaky, p 1, and not
	# counted as consistently missing.
	one=$(lrs missing-one-run)
	jq -e --argjson k "$one" '[.missing[] | select(.lr | IN($k[])) |
	    select(.ref_runs == 1 and .cand_runs == 0 and .flaky and .p == 1)] |
	    length == 1' report.json
	# Totals, counted from the expected rows.
	nmiss=$(awk -F '\t' '$3 == "missing"' "$T/want" | wc -l)
	ncons=$(awk -F '\t' '$3 == "missing" && $6 == 5' "$T/want" | wc -l)
	fcons=$(awk -F '\t' '$3 == "missing" && $6 == 5 { s += $4 } END { print s }' "$T/want")
	nflaky=$(awk -F '\t' '$12 == "true"' "$T/want" | wc -l)
	[ "$nmiss" -gt "$ncons" ] && [ "$ncons" -eq "$(ncls missing)" ]
	jq -e --argjson m "$nmiss" --argjson c "$ncons" --argjson f "$fcons" \
	    --argjson fl "$nflaky" --argjson u "$(ncls under)" --argjson o "$(ncls over)" '
	    .totals.missing_keys == $m and .totals.consistent_missing_keys == $c and
	    .totals.consistent_missing_fires == $f and .totals.flaky_keys == $fl and
	    .totals.under_keys == $u and .totals.over_keys == $o and
	    (.flaky | length) == $fl and (.over | length) == $o' report.json
	grep -qF "**DIVERGENT** — $ncons ref keys (op, lr) never fire in cand and fire in at least 5 of the 5 ref runs, carrying $fcons ref fires" report.md
	# The same in the HTML page: one "5/5 vs 0/5" per consistently
	# missing key.
	[ "$(grep -o '5/5 vs 0/5' report.html | wc -l)" -eq "$ncons" ]
	grep -q '<h2 id="flaky">' report.html
}

@test "--quorum: which missing keys count, and --fail-on missing" {
	compare -q 1
	cd "$T/out"
	expect > "$T/want"
	nmiss=$(awk -F '\t' '$3 == "missing"' "$T/want" | wc -l)
	jq -e --argjson m "$nmiss" '.thresholds.quorum == 1 and
	    .totals.consistent_missing_keys == $m and
	    .totals.consistent_missing_keys == .totals.missing_keys' report.json
	# Each quorum counts the missing keys that fire in at least that
	# many reference runs.
	for q in 1 2 3 4 5; do
		n=$(awk -F '\t' -v q=$q '$3 == "missing" && $6 >= q' "$T/want" | wc -l)
		trace-report --quorum $q -f json join.tsv |
		    jq -e --argjson n "$n" '.totals.consistent_missing_keys == $n'
		run trace-report --quorum $q --fail-on missing -o /dev/null join.tsv
		assert_failure 1
	done
	run trace-report --quorum 6 join.tsv
	assert_failure 2
	assert_output --partial "trace-report: --quorum: 6 is not between 1 and the 5 ref runs"
	# Without the consistently missing keys, only the key missing in
	# one run is left: --fail-on missing fails only at a quorum it meets.
	awk -F '\t' 'FNR == NR { if ($3 == "missing") drop[$2]; next }
	    !($2 in drop)' "$RD/truth.tsv" join.tsv > "$T/j"
	[ "$(wc -l < "$T/j")" -eq "$(($(wc -l < join.tsv) - $(ncls missing)))" ]
	run trace-report --fail-on missing -o /dev/null "$T/j"
	assert_success
	for q in 1 2 3 4 5; do
		n=$(awk -F '\t' -v q=$q '$3 == "missing" && $6 >= q && $6 < 5' "$T/want" | wc -l)
		run trace-report --quorum $q --fail-on missing -o "$T/r.json" -f json "$T/j"
		if [ "$n" -gt 0 ]; then assert_failure 1; else assert_success; fi
		jq -e --argjson n "$n" '.totals.consistent_missing_keys == $n and
		    .totals.missing_keys == 1' "$T/r.json"
	done
}

@test "rates: per 1,000 fires of each run, the denominators stated" {
	compare
	cd "$T/out"
	# The denominators: the events of each run.
	for s in ref cand; do
		d=$(for f in "$RD/$s"-*.jsonl.gz; do gzip -dc "$f" | wc -l; done | jq -sc .)
		jq -e --argjson d "$d" --arg s "$s" '.denominator.kind == "total" and
		    .denominator[$s] == $d' rates.json
	done
	# The totals sentence names them, with the sums of the runs.
	sum() {
		for f in "$RD/$1"-*.jsonl.gz; do gzip -dc "$f"; done | wc -l |
		    sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'
	}
	grep -qF "Rates are per 1,000 fires of the side (ref: $(sum ref) fires, cand: $(sum cand) fires), summed over the runs" rates.md
	grep -qxF 'ratio = cand per 1,000 fires / ref per 1,000 fires of the key.' rates.md
	# Every rate of the join, worked out again from the raw counts:
	# the side's rate over the summed runs, and the least and greatest
	# rate of a run.
	raw > "$T/raw"
	awk -F '\t' -v R="$(nruns ref)" -v C="$(nruns cand)" '
	FNR == NR { split($0, a, " "); n[a[1], a[2], a[3]] = a[4];
	    d[a[1], a[2]] += a[4]; next }
	FNR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	{
		for (s = 1; s <= 2; s++) {
			side = s == 1 ? "ref" : "cand"
			tot = all = 0; lo = -1; hi = 0
			for (r = 1; r <= (s == 1 ? R : C); r++) {
				v = n[side, r, $2] + 0
				tot += v; all += d[side, r]
				x = v * 1000 / d[side, r]
				if (lo < 0 || x < lo) lo = x
				if (x > hi) hi = x
			}
			chk(side "_rate", tot * 1000 / all)
			chk(side "_min", lo)
			chk(side "_max", hi)
		}
		rows++
	}
	function chk(col, want,    g) {
		g = $(c[col])
		if (g - want > 0.0000006 || want - g > 0.0000006)
			printf "%s %s: %s, want %.6f\n", $2, col, g, want
	}
	END { if (rows < 30) print "only", rows, "rows" }' "$T/raw" rates.tsv > "$T/bad"
	[ ! -s "$T/bad" ] || fail "$(cat "$T/bad")"
	# Runs of different lengths, yet the classes are the same by rate.
	for f in report.json rates.json; do
		jq -r '(.missing + .matched + .extra)[] | [.lr, .status, .ref_runs,
		    .cand_runs, .flaky, .under, .over] | @tsv' "$f" | sort > "$T/$f.cls"
	done
	assert_same "$T/report.json.cls" "$T/rates.json.cls"
	# The ratio of an under key is of rates, not of counts: with runs
	# of different lengths they differ.
	jq -e '(.under | length) as $n | $n > 0 and ([.under[] |
	    select((.ratio - .cand_rate / .ref_rate) | fabs < 1e-5)] | length == $n)' rates.json
	jq -e '[.under[] | select((.ratio - .cand / .ref) | fabs > 1e-3)] |
	    length > 0' rates.json
}

@test "README: the quoted output is what compare.sh writes" {
	cd "$T"
	run "$RX/compare.sh" out/runs
	assert_success
	# The printed headlines, as the README shows them.
	grep '^compare.sh: out/runs/' "$RX/README.md" > "$T/quoted"
	[ "$(wc -l < "$T/quoted")" -eq 2 ]
	assert_output "$(cat "$T/quoted")"
	# Every line of a ```md block is a line of report.md or rates.md.
	awk '/^```/ { inb = ($0 == "```md"); next } inb' "$RX/README.md" > "$T/md"
	[ "$(grep -c . "$T/md")" -ge 10 ]
	while IFS= read -r l; do
		[ -z "$l" ] && continue
		grep -qxF -- "$l" out/runs/report.md || grep -qxF -- "$l" out/runs/rates.md ||
		    fail "README line not in the reports: $l"
	done < "$T/md"
	# The histogram lines quoted are those of ref.hist, the event one is
	# in the first reference run.
	awk '/^```/ { inb = ($0 == "```"); next } inb' "$RX/README.md" > "$T/plain"
	[ "$(grep -c "$(printf '\t')" "$T/plain")" -eq 2 ]
	grep "$(printf '\t')" "$T/plain" | grep -vxF -f out/runs/ref.hist && fail "a hist line not in ref.hist"
	grep '^{' "$T/plain" > "$T/ev"
	[ "$(wc -l < "$T/ev")" -eq 1 ]
	gzip -dc "$RD/ref-1.jsonl.gz" | grep -qxF -f "$T/ev"
	# Every "$ jq" or "$ trace-report" command of a ```sh block prints
	# what follows it.
	awk -v T="$T" '
	/^```/ { inb = ($0 == "```sh"); if (!inb) f = ""; next }
	inb && /^\$ (jq|trace-report) / { n++; f = T "/want." n; print substr($0, 3) > (T "/cmd." n); printf "" > f; next }
	inb && /^\$ / { f = ""; next }
	inb && f != "" { print > f }
	END { print n + 0 > (T "/ncmd") }' "$RX/README.md"
	[ "$(cat "$T/ncmd")" -ge 6 ]
	for i in $(seq "$(cat "$T/ncmd")"); do
		sh "$T/cmd.$i" > "$T/got.$i"
		assert_same "$T/want.$i" "$T/got.$i"
	done
}

@test "compare.sh: usage, a bad option, a non-empty directory" {
	run --separate-stderr "$RX/compare.sh" -h
	assert_success
	[ "$output" = "usage: compare.sh [-f] [-q K] OUTDIR" ]
	[ -z "$stderr" ]
	run --separate-stderr "$RX/compare.sh"
	assert_failure 2
	[ "$stderr" = "usage: compare.sh [-f] [-q K] OUTDIR" ]
	run --separate-stderr "$RX/compare.sh" -x "$T/o"
	assert_failure 2
	[ ! -e "$T/o" ]
	mkdir "$T/o" && echo keep > "$T/o/mine"
	run "$RX/compare.sh" "$T/o"
	assert_failure 2
	assert_output "compare.sh: $T/o: directory not empty (-f writes into it)"
	[ ! -e "$T/o/report.md" ]
	run "$RX/compare.sh" -f "$T/o"
	assert_success
	[ -s "$T/o/report.json" ] && [ -e "$T/o/mine" ]
	# A bad quorum is trace-report's usage error.
	run "$RX/compare.sh" -f -q 9 "$T/o"
	assert_failure 2
	assert_output --partial "--quorum: 9 is not between 1 and the 5 ref runs"
}
