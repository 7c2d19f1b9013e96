#!/usr/bin/env bats
# trace-report on joins made with trace-join --runs, --per and --over:
# consistency and p, the quorum, flaky and over-firing keys, rates with
# their denominator, and the errors when the report's options do not fit
# the join.
load helper

# Three runs a side: 0x10 missing in every ref run, 0x20 missing in one
# ref run only, 0x30 under, 0x40 over, 0x50 flaky in the candidate, 0x60
# extra.
hists() {
	printf 'op\tlr\tcount\trun\nset\t0x00000010\t30\t1:10,2:10,3:10\nset\t0x00000020\t5\t2:5\nset\t0x00000030\t60\t1:20,2:20,3:20\nset\t0x00000040\t9\t1:3,2:3,3:3\nset\t0x00000050\t6\t1:2,2:2,3:2\n' > "$T/r.hist"
	printf 'op\tlr\tcount\trun\nset\t0x00000030\t3\t1:1,2:1,3:1\nset\t0x00000040\t90\t1:30,2:30,3:30\nset\t0x00000050\t4\t1:2,3:2\nset\t0x00000060\t3\t1:1,2:1,3:1\n' > "$T/c.hist"
}

@test "runs: consistency and p in the tables, the quorum decides what the headline counts" {
	hists
	trace-join --runs run --over 2 --names canary,ours "$T/r.hist" "$T/c.hist" > "$T/j"
	run trace-report --divergent-fires 10 "$T/j"
	assert_success
	assert_line '**DIVERGENT** — 1 canary key (op, lr) never fires in ours and fires in at least 3 of the 3 canary runs, carrying 30 canary fires (27.3% of its volume; more than 10).'
	assert_line 'Runs (column run): 3 canary runs, 3 ours runs. Consistently missing (in at least 3 of the 3 canary runs): 1 key carrying 30 canary fires, which the headline counts. Flaky (firing in some runs of a side only): 2 keys.'
	assert_line '| 1 | `set` | `0x00000010` | 30 ████████ | 3/3 vs 0/3 | 0.100000 | (unknown) |'
	assert_line '| 2 | `set` | `0x00000020` | 5 █▍ | 1/3 vs 0/3 | 1.000000 | (unknown) |'
	assert_line '| `set` | `0x00000030` | 60 ████████ | 3 ▍ | 5.00% | 3/3 vs 3/3 | 0.100000 | (unknown) |'
	# --quorum 1: the key of one run counts too
	run trace-report --divergent-fires 10 --quorum 1 "$T/j"
	assert_line --partial '**DIVERGENT** — 2 canary keys (op, lr) never fire in ours and fire in at least 1 of the 3 canary runs, carrying 35 canary fires'
	run trace-report -f json --quorum 2 "$T/j"
	jq -e '.thresholds.quorum == 2 and .runs == {ref: 3, cand: 3}' <<< "$output"
	jq -e '.totals | .missing_keys == 2 and .consistent_missing_keys == 1 and .consistent_missing_fires == 30 and .flaky_keys == 2 and .over_keys == 1' <<< "$output"
	jq -e '[.missing[] | [.lr, .ref_runs, .cand_runs, .ref_min, .ref_max, .flaky, .p]] == [["0x00000010", 3, 0, 10, 10, false, 0.1], ["0x00000020", 1, 0, 0, 5, true, 1]]' <<< "$output"
	jq -e '[.flaky[].lr] == ["0x00000050", "0x00000020"] and [.over[].lr] == ["0x00000040"]' <<< "$output"
	jq -e '.under[0].over == false and .over[0].over == true and .over[0].cand_min == 30' <<< "$output"
}

@test "runs: --fail-on missing counts the consistent keys; --fail-on over" {
	hists
	trace-join --runs run --over 2 --names canary,ours "$T/r.hist" "$T/c.hist" > "$T/j"
	run trace-report --fail-on missing "$T/j"
	assert_failure 1
	run trace-report --fail-on over "$T/j"
	assert_failure 1
	# Only the key of one run is missing: not consistent, no failure...
	grep -v '0x00000010' "$T/r.hist" > "$T/r2.hist"
	trace-join --runs run --names canary,ours "$T/r2.hist" "$T/c.hist" > "$T/j2"
	run trace-report --fail-on missing "$T/j2"
	assert_success
	# ...unless the quorum is one run
	run trace-report --fail-on missing --quorum 1 "$T/j2"
	assert_failure 1
	# --fail-on over needs the column
	run --separate-stderr trace-report --fail-on over "$T/j2"
	assert_failure 2
	[ "$stderr" = "trace-report: $T/j2:1: --fail-on over: the join has no over column (make it with trace-join --over)" ]
}

@test "runs: the Markdown and HTML sections for flaky and over-firing keys" {
	hists
	trace-join --runs run --over 2 --names canary,ours "$T/r.hist" "$T/c.hist" > "$T/j"
	run trace-report "$T/j"
	assert_line '## Flaky keys (firing in some runs of a side only)'
	assert_line '| `set` | `0x00000050` | 6 | 4 | 3/3 vs 2/3 | 2 | 0..2 | 1.000000 | (unknown) |'
	assert_line '## Top over-firing matched keys (canary <<< ours)'
	assert_line '| `set` | `0x00000040` | 9 ▊ | 90 ████████ | 1000.00% | 3/3 vs 3/3 | 0.100000 | (unknown) |'
	assert_line '- Over-firing (matched keys flagged by trace-join): **1** key.'
	run trace-report --over-top 0 "$T/j"
	assert_line '0 of 1 over-firing keys shown.'
	trace-report -f html -o "$T/r.html" "$T/j"
	grep -qF '<h2 id="flaky">' "$T/r.html"
	grep -qF '<h2 id="over">' "$T/r.html"
	grep -qF '3/3 vs 2/3' "$T/r.html"
	# Per-run dots: 3 + 3 per key of each table (2 missing, 1 under,
	# 1 over), each titled with its run and value.
	[ "$(grep -o '<circle class="dot-ref"' "$T/r.html" | wc -l)" -eq 12 ]
	[ "$(grep -o '<circle class="dot-cand"' "$T/r.html" | wc -l)" -eq 12 ]
	grep -qF '<title>ours run 2: 0</title>' "$T/r.html"
	grep -qF '<title>canary run 2: 5</title>' "$T/r.html"
	# without runs, no dots
	trace-join --names canary,ours "$T/r.hist" "$T/c.hist" | trace-report -f html > "$T/p.html"
	refute_grep -q 'dot-ref' "$T/p.html"
}

@test "rates: the denominator is named, checked against the join, per run in JSON" {
	hists
	trace-join --runs run --per total --names canary,ours "$T/r.hist" "$T/c.hist" > "$T/j"
	run --separate-stderr trace-report "$T/j"
	assert_failure 2
	[ "$stderr" = "trace-report: $T/j:1: the join has rate columns (canary_rate, ours_rate): give the --per it was made with, so that the report can name the denominator" ]
	run trace-report --per total "$T/j"
	assert_success
	assert_line 'Rates are per 1,000 fires of the side (canary: 110 fires, ours: 100 fires), summed over the runs; the ratio is of rates, the floor of trace-join compares counts.'
	assert_line 'ratio = ours per 1,000 fires / canary per 1,000 fires of the key.'
	# 3/100 over 60/110: 5.50%
	assert_line '| `set` | `0x00000030` | 60 ████████ | 3 ▍ | 5.50% | 3/3 vs 3/3 | 0.100000 | (unknown) |'
	run trace-report -f json --per total "$T/j"
	# per run, in trace-hist's order of the run values
	jq -e '.denominator == {kind: "total", key: null, ref: [35, 40, 35], cand: [34, 32, 34]}' <<< "$output"
	jq -e '.under[0] | .ref_rate == 545.454545 and .cand_rate == 30 and .ratio == 0.055' <<< "$output"
	# Another --per than the join's: the rates do not follow
	run --separate-stderr trace-report --per lr=0x00000030 "$T/j"
	assert_failure 2
	[[ "$stderr" == "trace-report: $T/j:2: the rates 545.454545, 30.000000 do not follow from --per lr=0x00000030 "* ]]
	# A marker key: per fire of it, without runs
	trace-join --per op=set --names canary,ours "$T/r.hist" "$T/c.hist" > "$T/jk"
	run trace-report -f json --per op=set "$T/jk"
	assert_success
	jq -e '.denominator == {kind: "key", key: "op=set", ref: 110, cand: 100} and (.runs == null)' <<< "$output"
	# --per on a join without rates, --runs and --quorum without runs
	trace-join --names canary,ours "$T/r.hist" "$T/c.hist" > "$T/plain"
	for o in '--per total' '--runs run' '--quorum 1'; do
		run trace-report $o "$T/plain"
		assert_failure 2
	done
	run trace-report "$T/plain"
	assert_success
}

@test "rates: --per time names 10^9 ts units" {
	printf 'op\tcount\tts\na\t10\t1000000000..3000000000\nb\t4\t1500000000\n' > "$T/r.hist"
	printf 'op\tcount\tts\na\t5\t0..1000000000\nb\t1\t500000000\n' > "$T/c.hist"
	trace-join --per time --names canary,ours "$T/r.hist" "$T/c.hist" > "$T/j"
	run trace-report -f json --per time --addr-col op "$T/j"
	assert_success
	jq -e '.denominator == {kind: "time", key: null, ref: 2000000000, cand: 1000000000}' <<< "$output"
	run trace-report --per time --addr-col op "$T/j"
	assert_line --partial 'Rates are per 10^9 units of the side'"'"'s span of ts, per second when ts is in nanoseconds (canary: 2,000,000,000 units, ours: 1,000,000,000 units)'
}

@test "runs: errors: no run column, a bad quorum, --divergent-share" {
	hists
	trace-join --runs run --names canary,ours "$T/r.hist" "$T/c.hist" > "$T/j"
	run --separate-stderr trace-report --runs nope "$T/j"
	assert_failure 2
	[ "$stderr" = "trace-report: $T/j:1: the join has run columns but no canary counts tally column 'canary_nope' to read the runs from (see --runs)" ]
	run --separate-stderr trace-report --quorum 4 "$T/j"
	assert_failure 2
	[ "${stderr_lines[0]}" = "trace-report: --quorum: 4 is not between 1 and the 3 canary runs" ]
	run trace-report --quorum 0 "$T/j"
	assert_failure 2
	# --divergent-share: 30 of 110 fires is 27.3%
	run trace-report -f json --divergent-fires 10 --divergent-share 27 "$T/j"
	jq -e '.headline == "divergent" and .thresholds.divergent_share == 27' <<< "$output"
	run trace-report -f json --divergent-fires 10 --divergent-share 27.5 "$T/j"
	jq -e '.headline == "inconclusive"' <<< "$output"
	run trace-report --divergent-fires 10 --divergent-share 27.5 "$T/j"
	assert_line --partial '(27.3% of its volume; more than 10, divergent from 27.5%).'
	for bad in 101 -1 x 1e2 ''; do
		run trace-report --divergent-share "$bad" "$T/j"
		assert_failure 2
	done
}

@test "runs: only keys below the quorum are missing: the headline is same, and says so" {
	hists
	grep -v '0x00000010' "$T/r.hist" > "$T/r2.hist"
	trace-join --runs run --names canary,ours "$T/r2.hist" "$T/c.hist" > "$T/j"
	run trace-report "$T/j"
	assert_line '**SAME** — every canary key (op, lr) that fires in at least 3 of the 3 canary runs fires in ours too.'
	run trace-report -f json "$T/j"
	jq -e '.headline == "same" and .totals.missing_keys == 1 and .totals.consistent_missing_keys == 0' <<< "$output"
	run trace-report -f json --quorum 1 "$T/j"
	jq -e '.headline == "inconclusive"' <<< "$output"
}
