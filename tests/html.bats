#!/usr/bin/env bats
# trace-report --format html: self-contained page with SVG charts,
# rendered in headless Chromium when it is installed.
load helper

D="$DATA/parity"

html_report() {
	"$EX/xenia/fire-pattern-diff.sh" "$D/canary.jsonl" "$D/ours-iat.jsonl" \
	    "$D/ours-lr.jsonl" "$T/out" >/dev/null
	trace-report -f html --family gamma="$EX/xenia/gamma.addrs" \
	    --watch "$EX/xenia/wedge.addrs" --notes "$EX/xenia/lr.notes" \
	    -o "$T/r.html" "$T/out/join.tsv"
}

@test "html: one self-contained page, no script, no external assets" {
	html_report
	grep -q '^<!DOCTYPE html>' "$T/r.html"
	refute_grep -qi '<script' "$T/r.html"
	refute_grep -Eqi '(src|href)=' "$T/r.html"
	refute_grep -Eqi '@import|url\(' "$T/r.html"
	# the only URL is the SVG namespace name
	[ "$(grep -o 'http[^"]*' "$T/r.html" | sort -u)" = "http://www.w3.org/2000/svg" ]
}

@test "html: the same sections as the Markdown, and the charts" {
	html_report
	for h in 'Totals' 'Top missing keys' 'Top under-firing matched keys' 'Family gamma (14 addresses)' 'Watch list' 'By canary tid' 'Extra keys'; do
		grep -qF "$h</h2>" "$T/r.html"
	done
	grep -q '<svg class="chart missing"' "$T/r.html"
	grep -q '<svg class="chart under"' "$T/r.html"
	grep -q '<svg class="chart groups"' "$T/r.html"
	# one reference bar per key shown: 15 missing + 10 under-firing
	[ "$(grep -o 'class="bar-ref"' "$T/r.html" | wc -l)" -eq 25 ]
	# one stacked bar per tid
	ngroups=$(jq '.groups.rows | length' "$T/out/report.json")
	[ "$(grep -o 'class="bar-matched"' "$T/r.html" | wc -l)" -eq "$ngroups" ]
	# numbers beside the bars agree with the JSON
	top=$(jq -r '.missing[0].ref' "$T/out/report.json" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta')
	grep -q "class=\"num\" x=\"[0-9]*\" y=\"[0-9]*\">$top</text>" "$T/r.html"
	grep -qF '<b>DIVERGENT</b>' "$T/r.html"
	# the fresh missing keys are listed, as in the Markdown
	grep -qF '<h3>Fresh missing keys</h3>' "$T/r.html"
	[ "$(sed -n '/<h3>Fresh missing keys/,/<\/ul>/p' "$T/r.html" | grep -c '^<li>')" -eq 9 ]
	grep -qF '<p>10 of 11 under-firing keys shown.</p>' "$T/r.html"
}

@test "html: hostile strings are escaped" {
	printf 'op\tlr\ttid\n<script>alert(1)</script>\t0x1\t1\nx"y&z\t0x2\t1\n' > "$T/ev"
	printf 'op\tlr\ttid\nother\t0x3\t1\n' > "$T/c"
	trace-key "$T/ev" | trace-hist > "$T/r.h"
	trace-key "$T/c" | trace-hist > "$T/c.h"
	trace-join "$T/r.h" "$T/c.h" | trace-report -f html > "$T/h.html"
	refute_grep -q '<script>' "$T/h.html"
	grep -qF '&lt;script&gt;alert(1)&lt;/script&gt;' "$T/h.html"
	grep -qF 'x&quot;y&amp;z' "$T/h.html"
}

@test "html: renders in headless Chromium with its charts" {
	command -v chromium >/dev/null || skip "chromium not installed"
	html_report
	run timeout 120 chromium --headless --no-sandbox --disable-gpu \
	    --disable-quic --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync \
	    --user-data-dir="$T/profile" --hide-scrollbars \
	    --window-size=1200,3000 --screenshot="$T/shot.png" "file://$T/r.html"
	[ -s "$T/shot.png" ]
	# a real picture: PNG signature and a size a blank page would not reach
	[ "$(head -c 8 "$T/shot.png" | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a ]
	[ "$(stat -c %s "$T/shot.png")" -gt 50000 ]
	# the DOM Chromium built has the chart elements
	run timeout 120 chromium --headless --no-sandbox --disable-gpu \
	    --disable-quic --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync \
	    --user-data-dir="$T/profile2" --dump-dom "file://$T/r.html"
	[ "$(grep -o '<rect class="bar-ref"' <<< "$output" | wc -l)" -eq 25 ]
	grep -q '<svg class="chart groups"' <<< "$output"
}

@test "html: the thread map, stop-early list, per-run dots and timelines render in headless Chromium" {
	command -v chromium >/dev/null || skip "chromium not installed"
	# runs: one run a side keeps the thread map and the time sections
	for s in canary ours; do
		case $s in
		canary) trace-normalize -s "$EX/xenia/canary.schema" --set run=1 "$D/canary.jsonl" ;;
		ours) trace-normalize -q -s "$EX/xenia/ours.schema" --set run=1 "$D/ours-iat.jsonl" "$D/ours-lr.jsonl" ;;
		esac | trace-key --timeline 20ms | trace-hist > "$T/$s.hist"
	done
	trace-join --runs run --over 2 --names canary,ours "$T/canary.hist" "$T/ours.hist" > "$T/j"
	trace-report -f html --timeline 20ms -o "$T/t.html" "$T/j"
	run timeout 120 chromium --headless --no-sandbox --disable-gpu \
	    --disable-quic --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync \
	    --user-data-dir="$T/profile3" --dump-dom "file://$T/t.html"
	assert_success
	grep -qF '<h2 id="threads">Thread map (canary tid → ours tid)</h2>' <<< "$output"
	grep -qF '<h2 id="stops-early">Keys that stop early</h2>' <<< "$output"
	grep -qF '<h2 id="timelines">Timelines</h2>' <<< "$output"
	# as many timeline charts as keys the tables list, and dots per run
	n=$(grep -o '<svg class="timeline"' <<< "$output" | wc -l)
	[ "$n" -gt 10 ]
	[ "$(grep -o '<circle class="dot-ref"' <<< "$output" | wc -l)" -gt 10 ]
	# the thread map's rows agree with the JSON's first threads
	trace-report -f json --timeline 20ms "$T/j" > "$T/t.json"
	top=$(jq -r '.threads[0].ref' "$T/t.json")
	grep -qF "<tr><td class=\"n\">$top</td>" <<< "$output"
}
