#!/usr/bin/env bats
# The xenia example reproduces the seed script's figures (issue 4).
#
# Golden figures of ../shared/seed/diff.py on tests/data/parity are
# committed (seed/figures.json, seed/*.csv); when the seed script is
# present, the figures are also recomputed by it, on that pair and on
# freshly generated ones.
load helper

D="$DATA/parity"

# Our report.json in the shape of seed-figures.py's output.
figures_of() {
	jq -S '{
	    headline: .headline,
	    totals: (.totals | {ref_fires, cand_fires, ref_keys, cand_keys,
		missing_keys, missing_fires, matched_keys, matched_fires,
		extra_keys, under_keys}),
	    missing: [.missing[] | [.op, .lr, .ref]],
	    matched: [.matched[] | [.op, .lr, .ref, .cand]],
	    under: [.under[] | [.op, .lr, .ref, .cand]],
	    extra: [.extra[] | [.op, .lr, .cand]],
	    tids: [.groups.rows[] | [(.value | tonumber), .total, .matched,
		.missing, (if .analog then "YES" else "NO" end)]],
	    gamma: {in: (.families[] | select(.name == "gamma") | .missing_keys),
		out: .fresh_keys}
	}' "$1"
}

# The seed's figures, minus what the toolkit defines differently: the
# seed's distinct count is of plain LRs, the toolkit's of keys.
seed_figures() {
	jq -S '.headline |= (ascii_downcase | split("-")[0])
	    | .tids |= map([.[0], .[1], .[2], .[3], .[5]])' "$1"
}

run_example() {
	"$EX/xenia/fire-pattern-diff.sh" "$1/canary.jsonl" "$1/ours-iat.jsonl" \
	    "$1/ours-lr.jsonl" "$2" >/dev/null
}

@test "every figure equals the seed's on the committed pair (golden)" {
	run_example "$D" "$T/out"
	figures_of "$T/out/report.json" > "$T/got"
	seed_figures "$D/seed/figures.json" > "$T/want"
	assert_same "$T/want" "$T/got"
}

@test "the CSV files equal the seed's, row for row (ties in key order)" {
	run_example "$D" "$T/out"
	for f in divergent-tuples.csv matched-tuples.csv; do
		head -1 "$D/seed/$f" > "$T/want"
		tail -n +2 "$D/seed/$f" | sort >> "$T/want"
		head -1 "$T/out/$f" > "$T/got"
		tail -n +2 "$T/out/$f" | sort >> "$T/got"
		assert_same "$T/want" "$T/got"
	done
	# Our order: count descending, ties by key.
	tail -n +2 "$T/out/divergent-tuples.csv" | sort -t, -k3,3nr -k1,1 -k2,2 -s > "$T/sorted"
	tail -n +2 "$T/out/divergent-tuples.csv" > "$T/asis"
	assert_same "$T/sorted" "$T/asis"
}

@test "Markdown, JSON and CSV agree with each other" {
	run_example "$D" "$T/out"
	J="$T/out/report.json"
	# missing keys: JSON vs CSV
	jq -r '.missing[] | [.op, .lr, .ref] | join(",")' "$J" > "$T/a"
	cut -d, -f1-3 "$T/out/divergent-tuples.csv" | tail -n +2 > "$T/b"
	assert_same "$T/a" "$T/b"
	# matched keys: JSON vs CSV
	jq -r '.matched[] | [.op, .lr, .ref, .cand] | join(",")' "$J" > "$T/a"
	cut -d, -f1-4 "$T/out/matched-tuples.csv" | tail -n +2 > "$T/b"
	assert_same "$T/a" "$T/b"
	# headline and totals: JSON vs Markdown
	grep -q "^\*\*$(jq -r '.headline | ascii_upcase' "$J")\*\* — " "$T/out/report.md"
	grep -qF "| fires | $(jq -r '.totals.ref_fires' "$J" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta') | $(jq -r '.totals.cand_fires' "$J" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta') |" "$T/out/report.md"
	# the top missing rows of the Markdown are the JSON's first ones
	jq -r '.missing[:15][] | "`\(.op)` | `\(.lr)` | \(.ref)"' "$J" > "$T/a"
	grep '^| [0-9]* | ' "$T/out/report.md" | head -15 |
	    sed 's/^| [0-9]* | //; s/ | \([0-9,]*\) .*/ | \1/; s/,//g' > "$T/b"
	assert_same "$T/a" "$T/b"
	# per-tid rows: JSON vs Markdown
	jq -r '.groups.rows[] | "\(.value) \(.total) \(.matched) \(.missing)"' "$J" > "$T/a"
	sed -n '/^| canary tid | total fires /,/^$/p' "$T/out/report.md" | tail -n +3 | sed '/^$/d' |
	    awk -F ' [|] ' '{ gsub(/[|, `]/, "", $1); split($2, t, " "); gsub(/,/, "", t[1]); gsub(/,/, "", $3); gsub(/,/, "", $4); print $1, t[1], $3, $4 }' > "$T/b"
	assert_same "$T/a" "$T/b"
}

@test "diff.py itself agrees: committed golden figures are current" {
	[ -f "$SEED_DIFF" ] || skip "seed script not present: $SEED_DIFF"
	python3 "$TOP/tests/seed-figures.py" "$SEED_DIFF" "$D" > "$T/live"
	assert_same "$D/seed/figures.json" "$T/live"
}

@test "diff.py itself agrees on other generated pairs" {
	[ -f "$SEED_DIFF" ] || skip "seed script not present: $SEED_DIFF"
	for seed in 2 5 11; do
		"$TOP/tests/gen-traces.py" --seed "$seed" --events 2500 "$T/p$seed" >/dev/null
		run_example "$T/p$seed" "$T/o$seed"
		python3 "$TOP/tests/seed-figures.py" "$SEED_DIFF" "$T/p$seed" > "$T/f"
		seed_figures "$T/f" > "$T/want"
		figures_of "$T/o$seed/report.json" > "$T/got"
		assert_same "$T/want" "$T/got"
	done
}

@test "make demo's example: the bundled traces run end to end" {
	d="$EX/xenia/data"
	run "$EX/xenia/fire-pattern-diff.sh" "$d/canary.jsonl.gz" "$d/ours-iat.jsonl.zst" "$d/ours-lr.jsonl.gz" "$T/demo"
	assert_success
	assert_output "fire-pattern-diff: $T/demo/report.md: divergent"
	for f in report.md report.json divergent-tuples.csv matched-tuples.csv; do
		[ -s "$T/demo/$f" ]
	done
	jq -e '.totals.ref_fires == 20000' "$T/demo/report.json"
}

@test "the example runs by any path to it, with the tools beside it" {
	# it finds its schemas and this checkout's bin/ from its own path,
	# relative or absolute, as bash's argument or run by name, and
	# gives the same output each way
	d="$EX/xenia/data"
	(cd "$EX/xenia" && PATH=/usr/bin:/bin bash fire-pattern-diff.sh \
	    "$d/canary.jsonl.gz" "$d/ours-iat.jsonl.zst" "$d/ours-lr.jsonl.gz" \
	    "$T/a") > "$T/a.out"
	(cd "$TOP" && PATH=/usr/bin:/bin examples/xenia/fire-pattern-diff.sh \
	    "$d/canary.jsonl.gz" "$d/ours-iat.jsonl.zst" "$d/ours-lr.jsonl.gz" \
	    "$T/b") > "$T/b.out"
	(cd / && PATH=/usr/bin:/bin "$EX/xenia/fire-pattern-diff.sh" \
	    "$d/canary.jsonl.gz" "$d/ours-iat.jsonl.zst" "$d/ours-lr.jsonl.gz" \
	    "$T/c") > "$T/c.out"
	[ "$(cat "$T/a.out")" = "fire-pattern-diff: $T/a/report.md: divergent" ]
	[ "$(cat "$T/b.out")" = "fire-pattern-diff: $T/b/report.md: divergent" ]
	[ "$(cat "$T/c.out")" = "fire-pattern-diff: $T/c/report.md: divergent" ]
	diff -r "$T/a" "$T/b"
	diff -r "$T/a" "$T/c"
	# -f into the directory it made: the same files again
	(cd "$EX/xenia" && PATH=/usr/bin:/bin bash fire-pattern-diff.sh -f \
	    "$d/canary.jsonl.gz" "$d/ours-iat.jsonl.zst" "$d/ours-lr.jsonl.gz" \
	    "$T/c") > /dev/null
	diff -r "$T/a" "$T/c"
}

@test "the example fails loudly when a stage fails" {
	printf '{"op":"set","lr":1}\nnot json\n' > "$T/bad.jsonl"
	run "$EX/xenia/fire-pattern-diff.sh" "$T/bad.jsonl" "$D/ours-lr.jsonl" "$T/out"
	assert_failure
	[ ! -e "$T/out/report.md" ]
}
