#!/usr/bin/env bats
# trace-report --timeline: each listed key's fires per bin on both
# sides, aligned at each side's first event or at a marker key, in
# Markdown, HTML and JSON; and its errors.
load helper

# ref: a and b fire at 0, 10, ..., 90; m (missing) at 50.
# cand: b at 1000, 1010, ..., 1090; a twice at 1000 and once at 1005;
# and a marker key z at 1020.
make_join() {
	{ printf 'op\tts\n'
	  for t in 0 10 20 30 40 50 60 70 80 90; do printf 'a\t%s\nb\t%s\n' "$t" "$t"; done
	  printf 'm\t50\nz\t20\n'; } > "$T/r.ev"
	{ printf 'op\tts\n'
	  for t in 1000 1010 1020 1030 1040 1050 1060 1070 1080 1090; do printf 'b\t%s\n' "$t"; done
	  printf 'a\t1000\na\t1000\na\t1005\nz\t1040\n'; } > "$T/c.ev"
	trace-key -k op -a ts --timeline 10 "$T/r.ev" | trace-hist > "$T/r.hist"
	trace-key -k op -a ts --timeline 10 "$T/c.ev" | trace-hist > "$T/c.hist"
	trace-join --names canary,ours "$T/r.hist" "$T/c.hist" > "$T/j"
}

@test "timelines: fires per bin from each side's first event, in JSON, Markdown and HTML" {
	make_join
	run trace-report -f json --timeline 10 --addr-col op "$T/j"
	assert_success
	jq -e '.under[0].op == "a" and .under[0].timeline == {width: 10, ref: [1,1,1,1,1,1,1,1,1,1], cand: [3,0,0,0,0,0,0,0,0,0]}' <<< "$output"
	jq -e '.missing[0].op == "m" and .missing[0].timeline.ref == [0,0,0,0,0,1,0,0,0,0] and (.missing[0].timeline.cand | add) == 0' <<< "$output"
	run trace-report --timeline 10 --addr-col op "$T/j"
	assert_line 'Fires per 1 bin of 10 ts units (10 bins), from each side'"'"'s first event; each key on one scale for both sides, blank where it never fires.'
	assert_line '| `a` | `▃▃▃▃▃▃▃▃▃▃` | `█         ` |'
	assert_line '| `m` | `      █     ` | `          ` |'
	trace-report -f html --timeline 10 --addr-col op -o "$T/r.html" "$T/j"
	grep -qF '<h2 id="timelines">Timelines</h2>' "$T/r.html"
	[ "$(grep -o 'class="tl-cand"' "$T/r.html" | wc -l)" -eq 1 ]
	# the units of trace-key: 10ns is 10
	run trace-report -f json --timeline 10ns --addr-col op "$T/j"
	assert_success
}

@test "timelines: --align at a marker key's first fire" {
	make_join
	# z fires first at 20 in canary, 1040 in ours: bins before are left out
	run trace-report -f json --timeline 10 --align op=z --addr-col op "$T/j"
	assert_success
	jq -e '.under[0].timeline == {width: 10, ref: [1,1,1,1,1,1,1,1], cand: [0,0,0,0,0,0,0,0]}' <<< "$output"
	run trace-report --timeline 10 --align op=z --addr-col op "$T/j"
	assert_line --partial 'from each side'"'"'s first fire of `op=z`'
}

@test "timelines: errors" {
	make_join
	run --separate-stderr trace-report --timeline 20 --addr-col op "$T/j"
	assert_failure 2
	[[ "$stderr" == "trace-report: $T/j:"*": tbin 10 is not a multiple of --timeline 20 (give the width trace-key was given)" ]]
	run --separate-stderr trace-report --align op=z --addr-col op "$T/j"
	assert_failure 2
	[ "${stderr_lines[0]}" = "trace-report: --align: only with --timeline" ]
	run --separate-stderr trace-report --timeline 10 --align op=nope --addr-col op "$T/j"
	assert_failure 2
	[ "$stderr" = "trace-report: $T/j:1: --align op=nope: the canary side never fires it" ]
	run trace-report --timeline 0 --addr-col op "$T/j"
	assert_failure 2
	printf 'op\tcount\na\t1\n' > "$T/p.hist"
	trace-join "$T/p.hist" "$T/p.hist" > "$T/p"
	run --separate-stderr trace-report --timeline 10 --addr-col op "$T/p"
	assert_failure 2
	[ "$stderr" = "trace-report: $T/p:1: --timeline: the join has no ref tbin counts tally (make the keyed streams with trace-key --timeline)" ]
}

@test "timelines: a tbin cell of distinct values (no counts) is an error, not bins of 0" {
	make_join
	# the join with its first row's candidate tbin cell stripped of counts
	awk -F '\t' -v OFS='\t' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "ours_tbin") c = i }
	    NR > 1 && !n && $c ~ /,/ { gsub(/:[0-9]+/, "", $c); n = NR } { print }
	    END { print n > "/dev/stderr" }' "$T/j" > "$T/d" 2> "$T/n"
	n=$(cat "$T/n")
	[ "$n" -gt 1 ]
	run --separate-stderr trace-report -f json --timeline 10 --addr-col op "$T/d"
	assert_failure 2
	[ "$stderr" = "trace-report: $T/d:$n: column ours_tbin: --timeline needs a counts tally (VALUE:N,...)" ]
}
