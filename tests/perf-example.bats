#!/usr/bin/env bats
# examples/perf: the perf script schema on the committed captures and on
# hand-made lines, and the figures README.md quotes.  Runs from the
# committed files only: perf is not needed.
load helper

PX="$EX/perf"
S="$PX/perf.schema"
PD="$PX/data"

# norm RUN: normalize a committed capture into $T/RUN.tsv.
norm() {
	run --separate-stderr trace-normalize -s "$S" -o "$T/$1.tsv" "$PD/$1.perf.gz"
	assert_success
	[ -z "$stderr" ]
}

# hist KEYS SUFFIX: key both runs by KEYS and histogram them.
hist() {
	local r
	for r in insertion merge; do
		trace-key -k "$1" "$T/$r.tsv" | trace-hist -o "$T/$r.$2.hist"
	done
}

# joinh SUFFIX: join the two histograms of hist.
joinh() {
	trace-join --names insertion,merge "$T/insertion.$1.hist" "$T/merge.$1.hist"
}

# col FILE NAME: the values of column NAME, without the header.
col() {
	awk -F '\t' -v n="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == n) c = i; next }
	    { print $c }' "$1"
}

@test "the committed captures normalize, one event per sample, and pass --check" {
	norm insertion
	norm merge
	[ "$(head -1 "$T/insertion.tsv")" = "$(printf 'op\tlr\ttid\tts\tpid\tcpu\tcomm\tevent\tsymoff\tdso')" ]
	[ "$(gzip -dc "$PD/insertion.perf.gz" | wc -l)" -eq 1138 ]
	[ "$(gzip -dc "$PD/merge.perf.gz" | wc -l)" -eq 648 ]
	[ "$(wc -l < "$T/insertion.tsv")" -eq 1139 ]
	[ "$(wc -l < "$T/merge.tsv")" -eq 649 ]
	trace-normalize --check "$T/insertion.tsv" "$T/merge.tsv"
	# The first sample of fill, which README.md shows, every column but ts.
	run bash -c "cut -f 1-3,5- '$T/insertion.tsv' | grep -m1 '^fill'"
	assert_output "$(printf 'fill\t0x55cc79e51187\t22676\t22676\t1\tprog\tcpu-clock\t0x0000001e\tprog')"
	grep -qF '22676/22676 [001] 24062.120036: cpu-clock:      55cc79e51187 fill+0x1e (/tmp/tmp.DEeMoPVmYD/prog)' "$PX/README.md"
	# Time stamps are numbers that never go back and do rise.
	for r in insertion merge; do
		col "$T/$r.tsv" ts > "$T/ts"
		refute_grep -vqE '^[0-9]+$' "$T/ts"
		sort -nc "$T/ts"
		[ "$(head -1 "$T/ts")" -lt "$(tail -1 "$T/ts")" ]
	done
	# The modules, by name without directory.
	run bash -c "trace-key -k dso -a '' '$T/insertion.tsv' | trace-hist --sort key"
	assert_output "$(printf 'dso\tcount\n[kernel.kallsyms]\t12\nprog\t1126')"
	run bash -c "trace-key -k dso -a '' '$T/merge.tsv' | trace-hist --sort key"
	assert_output "$(printf 'dso\tcount\n[kernel.kallsyms]\t14\nlibc.so.6\t3\nprog\t631')"
}

@test "README.md: by function, the figures of the committed captures" {
	norm insertion
	norm merge
	hist op op
	joinh op > "$T/join.tsv"
	trace-report --title "perf: insertion vs merge, by function" -o "$T/report.md" "$T/join.tsv"
	trace-report -f json -o "$T/report.json" "$T/join.tsv"
	run jq -c -r '.headline, [.totals | .ref_fires, .cand_fires, .missing_keys, .missing_fires, .matched_keys, .extra_keys]' "$T/report.json"
	assert_output 'divergent
[1138,648,5,491,6,12]'
	# The headline line, as quoted.
	grep -qxF "$(grep -F '**DIVERGENT**' "$T/report.md")" "$PX/README.md"
	run bash -c "awk -F '\t' '\$1 ~ /^(insertion_sort|fill|checksum|merge|merge_sort|__memmove_avx_unaligned_erms)\$/' '$T/join.tsv' | cut -f 1-5 | sort"
	assert_output "$(printf '%s\n' \
	    "__memmove_avx_unaligned_erms	extra	0	2	" \
	    "checksum	matched	255	244	0.956863" \
	    "fill	matched	384	376	0.979167" \
	    "insertion_sort	missing	487	0	0.000000" \
	    "merge	extra	0	10	" \
	    "merge_sort	extra	0	1	")"
	grep -qF '| `insertion_sort` | 487 | 0 |' "$PX/README.md"
	grep -qF '| fill | 384 | 376 | 0.979167 |' "$PX/README.md"
	grep -qF '| checksum | 255 | 244 | 0.956863 |' "$PX/README.md"
	# Every other key has at most 3 samples a side; the other missing
	# keys one each, all in the kernel.
	[ "$(awk -F '\t' 'NR > 1 && ($3 > 3 || $4 > 3)' "$T/join.tsv" | wc -l)" -eq 4 ]
	run bash -c "awk -F '\t' '\$2 == \"missing\" && \$1 != \"insertion_sort\" { print \$3 }' '$T/join.tsv' | sort -u"
	assert_output 1
	[ "$(awk -F '\t' 'NR > 1 && $1 != "insertion_sort" { print $1 }' "$T/insertion.tsv" |
	    grep -c -v -x -e fill -e checksum)" -eq 12 ]
}

@test "README.md: the three phases in order, by time stamp" {
	norm insertion
	norm merge
	# first and last ts of OP in RUN
	span() {
		awk -F '\t' -v op="$2" '$1 ~ op { if (f == "") f = $4; l = $4 }
		    END { print f, l }' "$T/$1.tsv"
	}
	for r in insertion merge; do
		read -r ff fl <<< "$(span "$r" '^fill$')"
		read -r sf sl <<< "$(span "$r" '^(insertion_sort|merge|merge_sort)$')"
		read -r cf cl <<< "$(span "$r" '^checksum$')"
		[ -n "$ff" ] && [ -n "$sf" ] && [ -n "$cf" ]
		[ "$fl" -lt "$sf" ]
		[ "$sl" -lt "$cf" ]
		[ "$ff" -le "$fl" ] && [ "$cf" -le "$cl" ]
	done
}

@test "README.md: keyed by symbol and module, the program's functions only" {
	norm insertion
	norm merge
	for r in insertion merge; do
		trace-key -k op,dso "$T/$r.tsv" | awk -F '\t' 'NR == 1 || $2 == "prog"' |
		    trace-hist -o "$T/$r.prog.hist"
	done
	joinh prog | cut -f 1-7 > "$T/got"
	# The join as README.md prints it.
	sed -n '/^op	dso	status/,/^```/p' "$PX/README.md" | sed '$d' > "$T/want"
	[ "$(wc -l < "$T/want")" -eq 6 ]
	assert_same "$T/want" "$T/got"
	joinh prog | trace-report > "$T/report.md"
	grep -qxF "$(grep -F '**DIVERGENT**' "$T/report.md")" "$PX/README.md"
	grep -qF '1 insertion key (op, dso) never fires in merge, carrying 487 insertion fires (43.3%' "$T/report.md"
}

@test "README.md: by address nothing of the program matches, by offset in the symbol it does" {
	norm insertion
	norm merge
	hist op,lr lr
	joinh lr > "$T/lr.tsv"
	run bash -c "awk -F '\t' '\$3 == \"matched\"' '$T/lr.tsv' | cut -f 2 | grep -c '^0xffffffff'"
	assert_output 4
	[ "$(awk -F '\t' '$3 == "matched"' "$T/lr.tsv" | wc -l)" -eq 4 ]
	# The first fill samples README.md quotes.
	[ "$(awk -F '\t' '$1 == "fill" { print $2; exit }' "$T/insertion.tsv")" = 0x55cc79e51187 ]
	[ "$(awk -F '\t' '$1 == "fill" { print $2; exit }' "$T/merge.tsv")" = 0x56106cc16190 ]
	hist op,symoff off
	joinh off | awk -F '\t' '$1 == "fill" || $1 == "checksum"' | cut -f 1-5 > "$T/got"
	sed -n '/^checksum	0x00000027	matched/,/^```/p' "$PX/README.md" | sed '$d' > "$T/want"
	[ "$(wc -l < "$T/want")" -eq 11 ]
	assert_same "$T/want" "$T/got"
	[ "$(grep -c '	matched	' "$T/got")" -eq 8 ]
}

@test "perf.schema: the spellings of perf script, and lines that are not samples" {
	cat > "$T/in" <<'EOF'
# ========
# captured on    : Tue Dec  1 06:31:36 2026
# ========
#
            prog 30409/30409 [001] 24106.592197: cpu-clock:u:      557a5ed2c18e fill+0x25 (/tmp/perftry/prog)
            prog 30409 24106.592446035: cpu-clock:u:      557a5ed2c189 fill+0x20 (/tmp/perftry/prog)
              sh   875/875   [001] 23914.325897: cpu-clock:      559e669bb04e [unknown] (/usr/bin/dash)
     Web Content  4000/4001  [003] 23914.325900: task-clock:      7f0000001000 std::vector<int, std::allocator<int> >::push_back(int const&)+0x1c (/usr/lib/libxul.so)
         swapper     0/0     [000] 23914.326000: cpu-clock:  ffffffff8226e079 _raw_spin_unlock_irqrestore+0x19 ([kernel.kallsyms])
            prog 30409 24106.592695462: cpu-clock:u: 
	            1197 fill+0x2e (/tmp/perftry/prog)
	6e69622f3d4c4c45 [unknown] ([unknown])

EOF
	run --separate-stderr trace-normalize -s "$S" "$T/in"
	assert_success
	[ "$stderr" = "$(printf '%s\n' \
	    'trace-normalize: skipped 7 lines that match no pattern' \
	    'trace-normalize: ignored 1 blank line')" ]
	echo "$output" | cut -f 1-3,5- > "$T/got"
	printf '%s\n' \
	    "op	lr	tid	pid	cpu	comm	event	symoff	dso" \
	    "fill	0x557a5ed2c18e	30409	30409	1	prog	cpu-clock:u	0x00000025	prog" \
	    "fill	0x557a5ed2c189	30409			prog	cpu-clock:u	0x00000020	prog" \
	    "[unknown]	0x559e669bb04e	875	875	1	sh	cpu-clock		dash" \
	    "std::vector<int, std::allocator<int> >::push_back(int const&)	0x7f0000001000	4001	4000	3	Web Content	task-clock	0x0000001c	libxul.so" \
	    "_raw_spin_unlock_irqrestore	0xffffffff8226e079	0	0	0	swapper	cpu-clock	0x00000019	[kernel.kallsyms]" \
	    > "$T/want"
	assert_same "$T/want" "$T/got"
	# ts: seconds with 6 or 9 digits of fraction, the same instant
	# whatever the spelling; the second sample is later than the first.
	echo "$output" | col /dev/stdin ts > "$T/ts"
	[ "$(sed -n 1p "$T/ts")" -lt "$(sed -n 2p "$T/ts")" ]
}

@test "record.sh: usage, and it keeps the committed captures without -f" {
	run "$PX/record.sh" -h
	assert_success
	assert_output "usage: record.sh [-f]"
	run --separate-stderr "$PX/record.sh" extra
	assert_failure 2
	[ "$stderr" = "usage: record.sh [-f]" ]
	run --separate-stderr "$PX/record.sh"
	assert_failure 2
	[ "$stderr" = "record.sh: $PX/data: directory not empty (-f replaces the captures)" ]
}

@test "prog.c: both sorts give the same checksum" {
	command -v cc >/dev/null || skip "no C compiler"
	cc -O1 -o "$T/prog" "$PX/prog.c"
	run "$T/prog" insertion
	assert_success
	[ "$output" = "$("$T/prog" merge)" ]
	run --separate-stderr "$T/prog" bubble
	assert_failure 2
	[ "$stderr" = "usage: prog insertion|merge" ]
}
