#!/usr/bin/env bats
# trace-report: keys that stop early and start late, at their
# boundaries; --early; --fail-on stops-early,starts-late and when they
# cannot be evaluated.
load helper

hists() {
	printf 'op\tcount\tts\na\t4\t0..100\ns1\t2\t0..90\ns2\t2\t0..89\ns3\t2\t0..95\nl1\t2\t10..100\nl2\t2\t11..100\n' > "$T/r.hist"
	printf 'op\tcount\tts\na\t4\t1000..1100\ns1\t2\t1000..1050\ns2\t2\t1000..1050\ns3\t2\t1000..1051\nl1\t2\t1050..1100\nl2\t2\t1050..1100\n' > "$T/c.hist"
	trace-join --names canary,ours "$T/r.hist" "$T/c.hist" > "$T/j"
}

@test "stops early and starts late, at their boundaries" {
	hists
	run trace-report -f json --addr-col op "$T/j"
	assert_success
	jq -e '[.stops_early[].op] == ["s1"] and [.starts_late[].op] == ["l1"]' <<< "$output"
	jq -e '.stops_early[0] == {op: "s1", ref: 2, cand: 2, ref_first: 0, ref_last: 0.9, cand_first: 0, cand_last: 0.5}' <<< "$output"
	jq -e '.starts_late[0] | .ref_first == 0.1 and .cand_first == 0.5' <<< "$output"
	run trace-report --addr-col op "$T/j"
	assert_line '## Keys that stop early (ours: last fire by 50% of its span; canary: after 90%)'
	assert_line '| `s1` | 2 | 2 | 0%..90% | 0%..50% | (unknown) |'
	assert_line '| `l1` | 2 | 2 | 10%..100% | 50%..100% | (unknown) |'
	assert_line 'first..last: a key'"'"'s first and last fire, in percent of its side'"'"'s span of ts (canary 0..100, ours 1000..1100).'
	# --early 40: the candidate must stop by 40%
	run trace-report -f json --early 40 --addr-col op "$T/j"
	jq -e '.stops_early == [] and .starts_late == []' <<< "$output"
	run trace-report -f json --early 60 --addr-col op "$T/j"
	jq -e '[.stops_early[].op] == ["s1", "s3"]' <<< "$output"
	trace-report -f html --addr-col op -o "$T/r.html" "$T/j"
	grep -qF '<h2 id="stops-early">' "$T/r.html"
	grep -qF '0%..90%' "$T/r.html"
}

@test "--fail-on stops-early, starts-late; exit 2 when they cannot be evaluated" {
	hists
	run trace-report --fail-on stops-early --addr-col op "$T/j"
	assert_failure 1
	run trace-report --fail-on starts-late --early 40 --addr-col op "$T/j"
	assert_success
	# no ts range tallies
	printf 'op\tcount\na\t4\n' > "$T/p.hist"
	trace-join "$T/p.hist" "$T/p.hist" > "$T/p"
	run --separate-stderr trace-report --fail-on stops-early --addr-col op "$T/p"
	assert_failure 2
	[ "$stderr" = "trace-report: $T/p:1: --fail-on stops-early: when keys fire was not compared: the join has no ts range tallies on both sides" ]
	run trace-report -f json --addr-col op "$T/p"
	jq -e '.stops_early == null and .starts_late == null' <<< "$output"
	# several runs
	printf 'op\tcount\tts\trun\na\t4\t0..100\t1:2,2:2\n' > "$T/r.hist"
	trace-join --runs run "$T/r.hist" "$T/r.hist" > "$T/rj"
	run trace-report --addr-col op "$T/rj"
	assert_line 'Not compared: the spans of different runs are not comparable (a side has several runs).'
	run trace-report --fail-on starts-late --addr-col op "$T/rj"
	assert_failure 2
	# a span of 0
	printf 'op\tcount\tts\na\t4\t5\n' > "$T/z.hist"
	trace-join "$T/z.hist" "$T/z.hist" > "$T/z"
	run trace-report -f json --addr-col op "$T/z"
	jq -e '.stops_early == null' <<< "$output"
	run trace-report --early 101 --addr-col op "$T/j"
	assert_failure 2
}
