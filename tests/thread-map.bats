#!/usr/bin/env bats
# trace-report's thread map: renamed threads, a split, a pool of workers,
# several reference threads merged into one, a thread without analog,
# moved and missing keys, names as tids, --format threads.
load helper

# A join of two histograms given as lines "op<TAB>count<TAB>tid-tally".
join2() {
	{ printf 'op\tcount\ttid\n'; printf '%s\n' "${@:3}" | sed -n "/^R /s/^R //p"; } > "$T/r.hist"
	{ printf 'op\tcount\ttid\n'; printf '%s\n' "${@:3}" | sed -n "/^C /s/^C //p"; } > "$T/c.hist"
	trace-join --names "$1,$2" "$T/r.hist" "$T/c.hist" > "$T/j"
}

@test "thread map: renamed tids are recovered exactly" {
	join2 canary ours \
	    $'R a\t10\t1:10' $'R b\t20\t1:5,2:15' $'R c\t30\t3:30' $'R d\t8\t2:4,3:4' \
	    $'C a\t10\t11:10' $'C b\t20\t11:5,12:15' $'C c\t30\t13:30' $'C d\t8\t12:4,13:4'
	run trace-report -f threads --addr-col op "$T/j"
	assert_success
	assert_output "$(printf 'ref_tid\tcand_tid\tsimilarity\n3\t13\t1.000000\n2\t12\t1.000000\n1\t11\t1.000000')"
	run trace-report -f json --addr-col op "$T/j"
	jq -e '[.threads[] | [.ref, .fires, (.analogs | map(.tid)), .similarity]] == [["3", 34, ["13"], 1], ["2", 19, ["12"], 1], ["1", 15, ["11"], 1]]' <<< "$output"
}

@test "thread map: a split over three threads, a pool of workers, a merge, a thread with no analog" {
	# ref 1 does a, b, c; ours splits them over 21, 22, 23.
	# ref 2 does d; ours has a pool 31, 32, 33, each a share of d and e
	# as ref 2 has them.  ref 3 and ref 4 merge into ours 40.
	# ref 5 fires f, never fired in ours.
	join2 canary ours \
	    $'R a\t30\t1:30' $'R b\t30\t1:30' $'R c\t30\t1:30' \
	    $'C a\t30\t21:30' $'C b\t30\t22:30' $'C c\t30\t23:30' \
	    $'R d\t60\t2:60' $'R e\t30\t2:30' \
	    $'C d\t60\t31:20,32:20,33:20' $'C e\t30\t31:10,32:10,33:10' \
	    $'R g\t40\t3:40' $'R h\t40\t4:40' \
	    $'C g\t40\t40:40' $'C h\t40\t40:40' \
	    $'R f\t25\t5:25'
	run trace-report -f json --addr-col op "$T/j"
	assert_success
	echo "$output" > "$T/r.json"
	jq -e '.threads[] | select(.ref == "1") | (.analogs | map(.tid) | sort) == ["21", "22", "23"] and .similarity == 1' "$T/r.json"
	jq -e '.threads[] | select(.ref == "1") | .analogs | map(.similarity) == [0.333333, 0.333333, 0.333333]' "$T/r.json"
	jq -e '.threads[] | select(.ref == "2") | (.analogs | map(.tid)) == ["31", "32", "33"] and .similarity == 1' "$T/r.json"
	jq -e '.threads[] | select(.ref == "3") | (.analogs | map(.tid)) == ["40"] and (.analogs[0].similarity == 0.5)' "$T/r.json"
	jq -e '.threads[] | select(.ref == "4") | (.analogs | map(.tid)) == ["40"]' "$T/r.json"
	jq -e '.threads[] | select(.ref == "5") | .analogs == [] and .similarity == 0 and .missing_keys == [{op: "f"}] and .moved_keys == []' "$T/r.json"
	# the order: fires descending, then tid
	jq -e '[.threads[].ref] == ["1", "2", "3", "4", "5"]' "$T/r.json"
	run trace-report --addr-col op "$T/j"
	assert_line '| `1` | 90 | `21` (0.333), `22` (0.333), `23` (0.333) | 1.000 | 0 | 0 |'
	assert_line '| `5` | 25 | none | 0.000 | 1 | 0 |'
	assert_line '- **tid `5`**: missing `f`.'
	# --thread-top 2: two shown, all in JSON
	run trace-report --thread-top 2 --addr-col op "$T/j"
	assert_line '2 of 5 tids shown.'
	trace-report -f html --thread-top 2 --addr-col op -o "$T/r.html" "$T/j"
	grep -qF '<h2 id="threads">Thread map (canary tid → ours tid)</h2>' "$T/r.html"
	grep -qF '2 of 5 tids shown.' "$T/r.html"
}

@test "thread map: moved keys fire in ours only on threads that are not the analogs" {
	# ref 1 does a (90) and b (10); ours 11 does a, ours 12 does b.
	join2 canary ours \
	    $'R a\t90\t1:90' $'R b\t10\t1:10' $'R x\t5\t1:5' \
	    $'C a\t90\t11:90' $'C b\t10\t12:10' $'C y\t50\t12:50'
	run trace-report -f json --addr-col op "$T/j"
	jq -e '.threads[0] | .ref == "1" and (.analogs | map(.tid)) == ["11"] and .moved_keys == [{op: "b"}] and .missing_keys == [{op: "x"}]' <<< "$output"
	run trace-report --addr-col op "$T/j"
	assert_line '- **tid `1`**: moved `b`; missing `x`.'
	# 90 of 105 fires on a: 0.857 with ours 11; below --thread-min 0.9
	# there is no analog, and a is moved too.
	run trace-report -f json --thread-min 0.9 --addr-col op "$T/j"
	jq -e '.threads[0] | .analogs == [] and .similarity == 0.857143 and .moved_keys == [{op: "a"}, {op: "b"}]' <<< "$output"
	run trace-report --thread-min 1.5 --addr-col op "$T/j"
	assert_failure 2
}

@test "thread map: names as tids, with %-encoding undone in the TSV" {
	# Event streams whose tids are names (a comma is %-encoded in tallies)
	printf 'op\ttid\nopen\tmain\nopen\tmain\nread\tio,pool\nread\tio,pool\n' > "$T/r.ev"
	printf 'op\ttid\nopen\tMain Thread\nopen\tMain Thread\nread\tworker\nread\tworker\n' > "$T/c.ev"
	trace-key -k op "$T/r.ev" | trace-hist > "$T/r.hist"
	trace-key -k op "$T/c.ev" | trace-hist > "$T/c.hist"
	grep -qF 'io%2cpool:2' "$T/r.hist"
	trace-join "$T/r.hist" "$T/c.hist" > "$T/j"
	run trace-report -f threads --addr-col op "$T/j"
	assert_success
	assert_output "$(printf 'ref_tid\tcand_tid\tsimilarity\nio,pool\tworker\t1.000000\nmain\tMain Thread\t1.000000')"
	run trace-report -f json --addr-col op "$T/j"
	jq -e '[.threads[] | [.ref, .analogs[0].tid]] == [["io,pool", "worker"], ["main", "Main Thread"]]' <<< "$output"
}

@test "thread map: none with several runs, or without the candidate's tally" {
	printf 'op\tcount\ttid\trun\na\t4\t1:4\t1:2,2:2\n' > "$T/r.hist"
	printf 'op\tcount\ttid\trun\na\t4\t7:4\t1:2,2:2\n' > "$T/c.hist"
	trace-join --runs run "$T/r.hist" "$T/c.hist" > "$T/j"
	run trace-report --addr-col op "$T/j"
	assert_line 'No thread map: the threads of different runs are not comparable (a side has several runs).'
	run trace-report -f json --addr-col op "$T/j"
	jq -e '.threads == null and (.no_thread_map | startswith("the threads of different runs"))' <<< "$output"
	run --separate-stderr trace-report -f threads --addr-col op "$T/j"
	assert_failure 2
	printf 'op\tcount\na\t4\n' > "$T/c2.hist"
	trace-join "$T/r.hist" "$T/c2.hist" > "$T/j2"
	run trace-report -f json --addr-col op "$T/j2"
	jq -e '.no_thread_map == "the candidate has no counts tally of the column"' <<< "$output"
	# one run a side: the map is there
	printf 'op\tcount\ttid\trun\na\t4\t1:4\t1:4\n' > "$T/r.hist"
	printf 'op\tcount\ttid\trun\na\t4\t7:4\t1:4\n' > "$T/c.hist"
	trace-join --runs run "$T/r.hist" "$T/c.hist" | trace-report -f threads --addr-col op > "$T/t"
	[ "$(cat "$T/t")" = "$(printf 'ref_tid\tcand_tid\tsimilarity\n1\t7\t1.000000')" ]
}

@test "thread map: the overlaps of all thread pairs summed in one pass give the map made thread by thread" {
	# tests/gen-thread-maps.py: renames, splits, pools, merges, strangers;
	# TRACE_TOOLS_THREAD_PAIRS=0 makes every overlap thread by thread,
	# =6 only for joins of at most 6 thread pairs
	local seed f split=0 merged=0
	for seed in $(seq 1 60); do
		python3 "$BATS_TEST_DIRNAME/gen-thread-maps.py" "$seed" "$T/g"
		trace-join "$T/g/ref.hist" "$T/g/cand.hist" > "$T/j"
		for f in threads json md; do
			trace-report -f "$f" --addr-col op "$T/j" > "$T/one"
			TRACE_TOOLS_THREAD_PAIRS=0 trace-report -f "$f" \
			    --addr-col op "$T/j" > "$T/each"
			cmp "$T/one" "$T/each"
			TRACE_TOOLS_THREAD_PAIRS=6 trace-report -f "$f" \
			    --addr-col op "$T/j" > "$T/each"
			cmp "$T/one" "$T/each"
			# the overlaps of a run of threads, two at a time
			# (the default takes four where the CPU has AVX2)
			TRACE_TOOLS_SIMD=sse2 trace-report -f "$f" \
			    --addr-col op "$T/j" > "$T/each"
			cmp "$T/one" "$T/each"
			# the analogs' fires on a thread's keys: their lists
			# merged, the others' taken from the rows' sums, or
			# each row looked through (all three taken here)
			for l in 0 1 2; do
				TRACE_TOOLS_THREAD_LISTS=$l trace-report -f "$f" \
				    --addr-col op "$T/j" > "$T/each"
				cmp "$T/one" "$T/each"
			done
		done
		# what the seeds cover: a thread with several analogs, a
		# candidate thread that is the analog of several
		trace-report -f threads --addr-col op "$T/j" > "$T/t"
		[ -z "$(cut -f1 "$T/t" | sed 1d | uniq -d)" ] || split=$((split + 1))
		[ -z "$(cut -f2 "$T/t" | sed 1d | sort | uniq -d)" ] || merged=$((merged + 1))
	done
	echo "splits $split merges $merged"
	[ "$split" -ge 10 ] && [ "$merged" -ge 10 ]
}

@test "thread map: a thread twice in a cell, or a count of 0, is mapped thread by thread" {
	# the overlaps add a thread's counts of a key first: 2:3,2:4 is 2:7,
	# so 0.833333 (5/12 + 5/12), not 1 (3/12 + 4/12 + 5/12)
	h=$'op\tlr\tstatus\tref_count\tcand_count\tratio\tunder\tref_tid\tcand_tid'
	printf '%s\n' "$h" \
	    $'K\t0x1\tmatched\t5\t7\t1.400000\tno\t1:5\t2:3,2:4' \
	    $'K\t0x2\tmatched\t7\t5\t0.714286\tno\t1:7\t2:5' > "$T/dup"
	sed 's/2:3,2:4/2:7/' "$T/dup" > "$T/sum"
	for j in dup sum; do
		run trace-report -f threads "$T/$j"
		assert_success
		assert_output "$(printf 'ref_tid\tcand_tid\tsimilarity\n1\t2\t0.833333')"
		TRACE_TOOLS_THREAD_PAIRS=0 trace-report -f json "$T/$j" > "$T/each"
		trace-report -f json "$T/$j" > "$T/one"
		cmp "$T/one" "$T/each"
	done
	# a count of 0: a key the thread shares, adding nothing
	printf '%s\n' "$h" \
	    $'K\t0x1\tmatched\t7\t7\t1.000000\tno\t1:7,5:0\t2:7' \
	    $'K\t0x2\tmatched\t5\t5\t1.000000\tno\t1:5\t2:2,3:3,6:0' \
	    $'K\t0x3\tmatched\t6\t6\t1.000000\tno\t4:6\t3:3,2:3' > "$T/zero"
	for f in threads json; do
		trace-report -f "$f" "$T/zero" > "$T/one"
		TRACE_TOOLS_THREAD_PAIRS=0 trace-report -f "$f" "$T/zero" > "$T/each"
		cmp "$T/one" "$T/each"
	done
}

# bad_env VAR WHY VALUE...: trace-report with each VALUE of VAR fails
# with "VAR: 'VALUE' WHY" and writes nothing.
bad_env() {
	local var=$1 why=$2 v
	shift 2
	for v in "$@"; do
		run --separate-stderr env "$var=$v" trace-report -f threads \
		    --addr-col op "$T/j"
		assert_failure 2
		[ -z "$output" ]
		[[ $stderr == "trace-report: $var: '"*"' $why" ]]
	done
}

@test "thread map: the one pass is taken, and TRACE_TOOLS_THREAD_PAIRS and _LISTS are counts" {
	command -v gdb > /dev/null || skip "no gdb"
	python3 "$BATS_TEST_DIRNAME/gen-thread-maps.py" 3 "$T/g"
	trace-join "$T/g/ref.hist" "$T/g/cand.hist" > "$T/j"
	# pairs_build() returns 1 when it made the pairs
	run gdb -q -batch -ex 'set breakpoint pending on' \
	    -ex 'break pairs_build' -ex run -ex finish -ex kill --args \
	    "$(command -v trace-report)" -f threads --addr-col op "$T/j"
	assert_line --regexp '^Value returned is \$1 = 1$'
	run env TRACE_TOOLS_THREAD_PAIRS=0 gdb -q -batch \
	    -ex 'set breakpoint pending on' -ex 'break pairs_build' -ex run \
	    -ex finish -ex kill --args "$(command -v trace-report)" \
	    -f threads --addr-col op "$T/j"
	assert_line --regexp '^Value returned is \$1 = 0$'
	bad_env TRACE_TOOLS_THREAD_PAIRS "is not a count" \
	    x -1 1e3 ' 5' 99999999999999999999
	bad_env TRACE_TOOLS_THREAD_LISTS "is not a count from 0 to 8" \
	    x -1 9 ' 5' 99999999999999999999
}

@test "thread map: a side's entries are faulted in ahead, the map the same" {
	command -v strace > /dev/null || skip "no strace"
	# 40,000 keys on three threads each: 120,000 (thread, key) entries
	# a side, so that its arrays grow past the first POP_AHEAD
	awk 'BEGIN { print "op\tcount\ttid"
	    for (i = 0; i < 40000; i++)
	        printf "k%d\t6\t%d:1,%d:2,%d:3\n", i, i % 7, 7 + i % 5, 12 + i % 3 }' > "$T/r.hist"
	awk 'BEGIN { print "op\tcount\ttid"
	    for (i = 0; i < 40000; i++)
	        printf "k%d\t6\t%d:1,%d:2,%d:3\n", i, 100 + i % 7, 107 + i % 5, 112 + i % 3 }' > "$T/c.hist"
	trace-join "$T/r.hist" "$T/c.hist" > "$T/j"
	strace -f -e trace=madvise -o "$T/s" trace-report -f threads --addr-col op \
	    "$T/j" > "$T/t"
	# both sides' entries as they are made (rthr and rcnt32 each) and
	# their transposes (trow and tcnt32), at least
	run awk '/MADV_POPULATE_WRITE/ { n++ } END { print (n >= 8) }' "$T/s"
	assert_output 1
	# renamed threads: each ref thread's analog is the candidate's
	# thread 100 more
	run awk -F '\t' 'NR > 1 && ($2 != $1 + 100 || $3 != "1.000000") { bad++ }
	    END { print NR - 1, bad + 0 }' "$T/t"
	assert_output "15 0"
}

# pairs_build() sums the fires of a row with most of a side's threads for
# all of that side's threads at once, and takes them back from those the
# row lacks: its sums (c's fires on a's keys, a's fires on c's keys) are
# compared here with sums made pair by pair, on rows with every thread,
# most, a few and none of a side, in runs and not.
@test "thread map: the pairs' fires, summed at once for rows with most threads, are the sums pair by pair" {
	command -v gdb > /dev/null || skip "no gdb"
	python3 - "$T" <<'PY'
import random, sys
d = sys.argv[1]
rnd = random.Random(7)
NR, NC = 9, 7
ref = list(range(1, NR + 1))
cand = list(range(101, 101 + NC))
rows = []
for k in range(120):
    def pick(ts):
        m = rnd.choice(["all", "most", "few", "none"])
        if m == "all":
            return list(ts)
        if m == "most":
            return sorted(rnd.sample(ts, len(ts) - rnd.randint(1, len(ts) // 2 - 1 or 1)))
        if m == "few":
            return sorted(rnd.sample(ts, rnd.randint(1, len(ts) // 2)))
        return []
    rows.append(({t: rnd.randint(1, 9) for t in pick(ref)},
                 {t: rnd.randint(1, 9) for t in pick(cand)}))
for side, name, col in ((0, "ref", ref), (1, "cand", cand)):
    with open("%s/%s.hist" % (d, name), "w") as f:
        f.write("op\tcount\ttid\n")
        for k, row in enumerate(rows):
            m = row[side]
            if m:
                f.write("k%d\t%d\t%s\n" % (k, sum(m.values()),
                    ",".join("%d:%d" % (t, m[t]) for t in sorted(m))))
rin = [[0] * NC for _ in range(NR)]
cin = [[0] * NC for _ in range(NR)]
for rr, cc in rows:
    for a, ca in rr.items():
        for c, qc in cc.items():
            rin[a - 1][c - 101] += qc
            cin[a - 1][c - 101] += ca
with open(d + "/want", "w") as f:
    f.write("%d\n%s\n%s\n" % (NC, " ".join(str(x) for r in rin for x in r),
        " ".join(str(x) for r in cin for x in r)))
PY
	trace-join "$T/ref.hist" "$T/cand.hist" > "$T/j"
	# the rows with most threads of a side, and the others, both there
	awk -F '\t' 'NR > 1 { n = split($7, a, ","); m = split($8, b, ",");
	    most += n > 4 || m > 3; few += (n > 0 && n <= 4) || (m > 0 && m <= 3) }
	    END { exit !(most >= 20 && few >= 20) }' "$T/j"
	gdb -q -batch -ex 'set breakpoint pending on' -ex 'set print elements unlimited' \
	    -ex 'set print repeats unlimited' -ex 'break pairs_build' -ex run \
	    -ex 'set $pm = pm' -ex finish -ex 'print $pm->nc' \
	    -ex 'print *$pm->rin@63' -ex 'print *$pm->cin@63' -ex kill --args \
	    "$(command -v trace-report)" -f threads --addr-col op "$T/j" > "$T/gdb" 2>&1
	grep '^Value returned is \$1 = 1$' "$T/gdb"
	sed -n 's/^\$[0-9]* = //p' "$T/gdb" | tr -d '{},' > "$T/got"
	assert_same "$T/want" "$T/got"
}

@test "groups and thread map: counted as the cells are checked, from a file or a pipe; errors where they were" {
	# Without runs the groups and both sides are fed the cells that
	# check_tallies() parses; with one run a side the sides are read
	# again: the same map and groups either way.
	local seed f
	for seed in 3 11 29; do
		python3 "$BATS_TEST_DIRNAME/gen-thread-maps.py" "$seed" "$T/g"
		for f in ref cand; do
			awk -F '\t' -v OFS='\t' 'NR == 1 { print $0, "run"; next }
			    { print $0, "1:" $2 }' "$T/g/$f.hist" > "$T/$f.runs"
		done
		trace-join "$T/g/ref.hist" "$T/g/cand.hist" > "$T/j"
		trace-join --runs run "$T/ref.runs" "$T/cand.runs" > "$T/jr"
		trace-report -f threads --addr-col op "$T/j" > "$T/one"
		[ "$(wc -l < "$T/one")" -gt 3 ]
		trace-report -f threads --addr-col op "$T/jr" > "$T/runs"
		cmp "$T/one" "$T/runs"
		trace-report -f threads --addr-col op < "$T/j" > "$T/pipe"
		cmp "$T/one" "$T/pipe"
		trace-report -f json --addr-col op "$T/j" | jq -S '.groups, .threads' > "$T/one"
		jq -e -s '(.[0].rows | length) > 2 and (.[1] | length) > 2' "$T/one"
		trace-report -f json --addr-col op "$T/jr" | jq -S '.groups, .threads' > "$T/runs"
		cmp "$T/one" "$T/runs"
	done
	# The groups' sums and keys, against sums made here.
	trace-report -f json --addr-col op "$T/j" |
	    jq -c '[.groups.rows[] | [.value, .total, .distinct_keys]] | sort' > "$T/got"
	awk -F '\t' 'NR > 1 { n = split($7, e, ","); for (i = 1; i <= n; i++) {
	    split(e[i], kv, ":"); t[kv[1]] += kv[2]; k[kv[1]]++ } }
	    END { for (v in t) printf "%s %d %d\n", v, t[v], k[v] }' "$T/j" |
	    sort | jq -R -s -c 'split("\n") | map(select(. != "") | split(" ") |
	    [.[0], (.[1] | tonumber), (.[2] | tonumber)]) | sort' > "$T/want"
	cmp "$T/want" "$T/got"
	# A tid that is not canonical (row 3) is reported as before: after
	# a bad cell of another column in a later row, with its own line
	# from a file and from a pipe.
	h='op\tstatus\tr_count\tc_count\tratio\tunder\tr_tid\tr_handle\tc_tid\tc_handle'
	printf "$h"'\na\tmatched\t2\t2\t1.000000\tno\t7:2\t\t7:2\t\nb\tmatched\t2\t2\t1.000000\tno\t07:2\t\t7:2\t\nc\tmatched\t2\t2\t1.000000\tno\t7:2\tx:1,y\t7:2\t\n' > "$T/bad"
	run --separate-stderr trace-report --addr-col op "$T/bad"
	assert_failure 2
	[ "$stderr" = "trace-report: $T/bad:4: column handle: bad tally entry 'y'" ]
	sed -i 's/x:1,y//' "$T/bad"
	for f in "$T/bad" -; do
		run --separate-stderr trace-report --addr-col op "$f" < "$T/bad"
		assert_failure 2
		[ "$stderr" = "trace-report: $([ "$f" = - ] && echo '(stdin)' || echo "$f"):3: column r_tid: tid '07' is not a canonical integer (no '+', no leading zeros, no -0)" ]
	done
	# A column that is not all counts tallies: no groups or no map, and
	# no error for a tid that would have been grouped.
	printf "$h"'\na\tmatched\t2\t2\t1.000000\tno\t07:2\t\t7:2\t\nb\tmatched\t2\t2\t1.000000\tno\t7\t\t7:2\t\n' > "$T/dist"
	run --separate-stderr trace-report -f json --addr-col op "$T/dist"
	assert_success
	jq -e '.groups == null and .no_thread_map == "there is no reference counts tally to group by"' <<< "$output"
	printf "$h"'\na\tmatched\t2\t2\t1.000000\tno\t7:2\t\t7:2\t\nb\tmatched\t2\t2\t1.000000\tno\t7:2\t\t8\t\n' > "$T/dist"
	run --separate-stderr trace-report -f json --addr-col op "$T/dist"
	assert_success
	jq -e '(.groups.rows | length) == 1 and .no_thread_map == "the candidate has no counts tally of the column"' <<< "$output"
}

@test "thread map: counts kept in 16, 32 or 64 bits give the same map (every count scaled)" {
	# A side's counts are stored in the fewest bits its rows' counts
	# fit.  Scaling every count by K leaves every share, so every
	# similarity, the same double (all sums stay below 2^53); K over
	# 2^32 is not 2^32 + c, whose multiples cut to 32 bits would be
	# multiples of c.
	local seed k
	for seed in 3 7 29; do
		python3 "$BATS_TEST_DIRNAME/gen-thread-maps.py" "$seed" "$T/g"
		trace-join "$T/g/ref.hist" "$T/g/cand.hist" |
		    trace-report -f threads --addr-col op > "$T/one"
		[ "$(wc -l < "$T/one")" -gt 3 ]
		for k in 70001 6442463289; do
			for f in ref cand; do
				python3 - "$k" "$T/g/$f.hist" > "$T/$f.k" <<'PY'
import sys
k = int(sys.argv[1])
with open(sys.argv[2]) as f:
    print(f.readline(), end="")
    for line in f:
        op, count, tid = line.rstrip("\n").split("\t")
        tid = ",".join("%s:%d" % (t, int(n) * k) for t, n in
            (e.rsplit(":", 1) for e in tid.split(",")))
        print("%s\t%d\t%s" % (op, int(count) * k, tid))
PY
			done
			grep -q "	$((k * 2))	\|:$((k * 3))" "$T/ref.k"
			trace-join "$T/ref.k" "$T/cand.k" |
			    trace-report -f threads --addr-col op > "$T/scaled"
			cmp "$T/one" "$T/scaled"
		done
	done
}
