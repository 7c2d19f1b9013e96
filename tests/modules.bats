#!/usr/bin/env bats
# trace-key --modules: module-relative addresses from /proc/PID/maps or
# BASE NAME lists, module and nm symbol files, and the ASLR example.
load helper

# A memory map like the kernel writes it: a PIE mapped at four file
# offsets, the heap, anonymous memory, libc, the stack, the vdso.
maps() {
	cat <<'MAPS'
55f20ec7c000-55f20ec7d000 r--p 00000000 fe:00 11036289                   /home/u/pie
55f20ec7d000-55f20ec7e000 r-xp 00001000 fe:00 11036289                   /home/u/pie
55f20ec7e000-55f20ec7f000 r--p 00002000 fe:00 11036289                   /home/u/pie
55f20ec80000-55f20ec81000 rw-p 00003000 fe:00 11036289                   /home/u/pie
55f248ff5000-55f249016000 rw-p 00000000 00:00 0                          [heap]
7f1a2a298000-7f1a2a29b000 rw-p 00000000 00:00 0 
7f1a2a29b000-7f1a2a2c1000 r--p 00000000 fe:00 332835                     /usr/lib/x86_64-linux-gnu/libc.so.6
7f1a2a2c1000-7f1a2a417000 r-xp 00026000 fe:00 332835                     /usr/lib/x86_64-linux-gnu/libc.so.6
7f1a2a470000-7f1a2a47d000 rw-p 00000000 00:00 0 
7f1a2a491000-7f1a2a493000 r-xp 00000000 00:00 0                          [vdso]
7ffdfaf19000-7ffdfaf3a000 rw-p 00000000 00:00 0                          [stack]
ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]
MAPS
}

# ev ADDR...: events of op x at these lr values.
ev() {
	printf 'op\tlr\n'
	for a in "$@"; do printf 'x\t%s\n' "$a"; done
}

# keys FILE ARGS...: the lr column of trace-key -a '' ARGS FILE.
keys() {
	local f=$1
	shift
	trace-key -a '' "$@" "$f" | sed 1d | cut -f2 | tr '\n' ' '
}

@test "maps: MODULE+0xOFFSET from the mapping at file offset 0; outside every module unchanged" {
	maps > "$T/maps"
	ev 0x55f20ec7c000 0x55f20ec7d0ce 0x55f20ec80010 0x7f1a2a2c2350 \
	    0x55f20ec7f800 0x55f248ff5010 0x7f1a2a298010 0x7f1a2a491e0c \
	    0x7ffdfaf19100 0xffffffffff600400 0x1000 '' > "$T/ev"
	run keys "$T/ev" --modules lr="$T/maps"
	assert_success
	# The gap between the PIE's third and fourth mappings, the heap,
	# anonymous memory, the stack and [vsyscall] are in no module.
	assert_output "pie+0x0 pie+0x10ce pie+0x4010 libc.so.6+0x27350 0x55f20ec7f800 0x55f248ff5010 0x7f1a2a298010 [vdso]+0xe0c 0x7ffdfaf19100 0xffffffffff600400 0x00001000  "
}

@test "maps: a run of mappings not starting at file offset 0 is no module; (deleted) is left out" {
	cat > "$T/maps" <<'MAPS'
7f0000000000-7f0000001000 r--s 00004000 fe:00 77                         /data/table.bin
7f0000010000-7f0000011000 r--p 00000000 fe:00 78                         /tmp/old lib.so (deleted)
7f0000011000-7f0000012000 r-xp 00001000 fe:00 78                         /tmp/old lib.so (deleted)
MAPS
	ev 0x7f0000000010 0x7f0000011020 > "$T/ev"
	run keys "$T/ev" --modules lr="$T/maps"
	assert_success
	assert_output "0x7f0000000010 old lib.so+0x1020 "
}

@test "maps: the same file mapped again elsewhere is ambiguous, when an address falls in it" {
	cat > "$T/maps" <<'MAPS'
7f0000000000-7f0000001000 r-xp 00000000 fe:00 78                         /usr/lib/libx.so
7f0000002000-7f0000003000 r-xp 00000000 fe:00 99                         /usr/lib/libz.so
7f0000004000-7f0000005000 r-xp 00000000 fe:00 79                         /opt/lib/libx.so
MAPS
	ev 0x7f0000002004 > "$T/ev"
	run keys "$T/ev" --modules lr="$T/maps"
	assert_success
	assert_output "libz.so+0x4 "
	ev 0x7f0000002004 0x7f0000004010 > "$T/ev"
	run --separate-stderr trace-key --modules lr="$T/maps" "$T/ev"
	assert_failure 2
	[ "$stderr" = "trace-key: $T/ev:3: column lr: address 0x7f0000004010: module 'libx.so' is mapped at two bases ($T/maps:1 and $T/maps:3)" ]
}

@test "maps: malformed lines are errors with FILE:LINE" {
	ev 0x10 > "$T/ev"
	good='7f0000000000-7f0000001000 r-xp 00000000 fe:00 78 /lib/a.so'
	printf '%s\n7f0000001000-7f0000002000 r-xp 00000000 fe:00 /lib/b.so\n' "$good" > "$T/maps"
	run --separate-stderr trace-key --modules lr="$T/maps" "$T/ev"
	assert_failure 2
	[ "$stderr" = "trace-key: $T/maps:2: bad inode '/lib/b.so'" ]
	check() {
		printf '%s\n%s\n' "$good" "$1" > "$T/maps"
		run --separate-stderr trace-key --modules lr="$T/maps" "$T/ev"
		assert_failure 2
		[ "$stderr" = "trace-key: $T/maps:2: $2" ] ||
			fail "line '$1': got '$stderr'"
	}
	check '7f0000001000-7f0000002000 r-xp 00000000 fe:00' \
	    'expected START-END PERMS OFFSET DEV INODE [PATH]'
	check '7f0000001000-7f000000200g r-xp 00000000 fe:00 1 /b' \
	    "bad address range '7f0000001000-7f000000200g'"
	check '7f0000002000-7f0000002000 r-xp 00000000 fe:00 1 /b' \
	    "empty address range '7f0000002000-7f0000002000'"
	check '7f0000001000-7f0000002000 rxp 00000000 fe:00 1 /b' \
	    "bad permissions 'rxp'"
	check '7f0000001000-7f0000002000 r-xp 0x000000 fe:00 1 /b' \
	    "bad file offset '0x000000'"
	check '7f0000001000-7f0000002000 r-xp 00000000 fe00 1 /b' \
	    "bad device 'fe00'"
	check '7f0000000800-7f0000002000 r-xp 00000000 fe:00 1 /b' \
	    'mapping 7f0000000800-7f0000002000 overlaps the one at line 1'
	check '7e0000000000-7e0000002000 r-xp 00000000 fe:00 1 /b' \
	    'mapping 7e0000000000-7e0000002000 is out of address order (line 1 is above it)'
	check '0x7f0000010000 b.so' \
	    'a BASE NAME line in a /proc/PID/maps file'
	check '7f0000001000-7f0000002000 r-xp 00000000 fe:00 1 /lib/a\b.so' \
	    'control character or backslash in module name'
	printf '7f0000000000-7f0000001000 r-\0p 00000000 fe:00 78 /lib/a.so\n' > "$T/maps"
	run --separate-stderr trace-key --modules lr="$T/maps" "$T/ev"
	assert_failure 2
	[ "$stderr" = "trace-key: $T/maps:1: bad permissions 'r-\\0p'" ]
}

@test "list: BASE NAME [SIZE]; a module without size reaches the next base" {
	printf '# base name\n0x7f0000010000 /usr/lib/libb.so\n0x7f0000000000 liba.so\n' > "$T/list"
	ev 0x7f0000000004 0x7f000000fffc 0x7f0000010008 0xffffffffffffff00 0x10 > "$T/ev"
	run keys "$T/ev" --modules lr="$T/list"
	assert_success
	assert_output "liba.so+0x4 liba.so+0xfffc libb.so+0x8 libb.so+0xffff80fffffeff00 0x00000010 "
	printf '0x7f0000010000 libb.so 0x1000\n0x7f0000000000 liba.so 4096\n' > "$T/list"
	run keys "$T/ev" --modules lr="$T/list"
	assert_success
	assert_output "liba.so+0x4 0x7f000000fffc libb.so+0x8 0xffffffffffffff00 0x00000010 "
}

@test "list: bad lines are errors with FILE:LINE" {
	ev 0x10 > "$T/ev"
	check() {
		printf "$1" > "$T/list"
		run --separate-stderr trace-key --modules lr="$T/list" "$T/ev"
		assert_failure 2
		[ "$stderr" = "trace-key: $T/list:$2" ] ||
			fail "'$1': got '$stderr'"
	}
	check '0x1000 a.so\n0x2000\n' '2: expected BASE NAME [SIZE] or a /proc/PID/maps line'
	check '0x1000 a.so\n010 b.so\n' "2: bad base '010': ambiguous: digits with a leading zero (write 0x for hex, no leading zeros for decimal)"
	check '0x1000 a.so 0x10\n0x2000 b.so\n' '2: a SIZE on every line or on none'
	check '0x1000 a.so 0\n' "1: size '0' is 0 or past the top of the address space"
	check '0x2000 a.so\n0x1000 c.so\n0x2000 b.so\n' '3: base listed twice (also at line 1)'
	check '0x1000 a.so 0x2000\n0x2000 b.so 0x10\n' '2: module overlaps the one at line 1'
	check '0x1000 a.so\n1000-2000 r-xp 0 0:0 0 /b\n' '2: a /proc/PID/maps line in a BASE NAME file'
	check '0x1000 /usr/lib/\n' '1: empty module name'
}

@test "--modules applies before --mask and --symbolize; --bucket is refused" {
	maps > "$T/maps"
	ev 0x55f20ec7d0ce 0x7f1a2a2c2350 0x7f1a2a298010 > "$T/ev"
	# The mask applies to the offset in a module, else to the address.
	run keys "$T/ev" --modules lr="$T/maps" --mask lr=0xffff000
	assert_success
	assert_output "pie+0x1000 libc.so.6+0x27000 0x0a298000 "
	run --separate-stderr trace-key --modules lr="$T/maps" --bucket lr=16 "$T/ev"
	assert_failure 2
	[ "$stderr" = "trace-key: column 'lr': --bucket works on integers, --mask, --modules and --symbolize on addresses
Try 'trace-key --help' for more information." ]
	run --separate-stderr trace-key --modules lr "$T/ev"
	assert_failure 2
	[ "${stderr%%$'\n'*}" = "trace-key: --modules: expected COLUMN=VALUE, got 'lr'" ]
	run --separate-stderr trace-key --modules lr="$T/none" "$T/ev"
	assert_failure 2
	[ "$stderr" = "trace-key: $T/none: No such file or directory" ]
}

@test "symbolized: MODULE:NAME+0xOFF from the module's symbols; absolute symbols outside modules" {
	maps > "$T/maps"
	cat > "$T/syms" <<'SYMS'
# module symbols: offsets; absolute ones: addresses
pie 0x10a0 main 0x76
pie 0x1000 _init
libc.so.6 0x27340 write 0x20
/usr/lib/x86_64-linux-gnu/libc.so.6 0x27300 read 0x20
0x7f1a2a298000 jit_block 0x100
0x10a0 not_main 0x76
SYMS
	ev 0x55f20ec7d0ce 0x55f20ec7d0a0 0x7f1a2a2c2350 0x7f1a2a2c2300 \
	    0x7f1a2a2c2390 0x7f1a2a298010 0x10a4 0x7ffdfaf19100 > "$T/ev"
	run --separate-stderr keys "$T/ev" --modules lr="$T/maps" --symbolize lr="$T/syms"
	assert_success
	[ "$output" = "pie:main+0x2e pie:main libc.so.6:write+0x10 libc.so.6:read libc.so.6+0x27390 jit_block+0x10 not_main+0x4 0x7ffdfaf19100 " ]
	[ "$stderr" = "trace-key: lr: 2 of 8 distinct addresses matched no symbol" ]
	run --separate-stderr keys "$T/ev" --modules lr="$T/maps" --function lr="$T/syms"
	assert_success
	[ "$output" = "pie:main pie:main libc.so.6:write libc.so.6:read libc.so.6+0x27390 jit_block not_main 0x7ffdfaf19100 " ]
	# Without --modules the module symbols are not used.
	run --separate-stderr keys "$T/ev" --symbolize lr="$T/syms"
	assert_success
	[ "$output" = "0x55f20ec7d0ce 0x55f20ec7d0a0 0x7f1a2a2c2350 0x7f1a2a2c2300 0x7f1a2a2c2390 jit_block+0x10 not_main+0x4 0x7ffdfaf19100 " ]
	# As an attribute the value is a tally cell: ':' is %3a.
	printf 'op\tlr\tcs\nx\t0x1\t0x55f20ec7d0ce\n' > "$T/ev"
	run trace-key -k op -a cs --modules cs="$T/maps" --symbolize cs="$T/syms" "$T/ev"
	assert_success
	assert_line --index 1 "$(printf 'x\t1\tpie%%3amain+0x2e')"
}

# sym_bad TEXT MESSAGE: a symbol file of the one line TEXT is refused
# with "FILE:1: MESSAGE" and status 2.
sym_bad() {
	printf '%s\n' "$1" > "$T/syms"
	run --separate-stderr trace-key --symbolize lr="$T/syms" "$T/ev"
	assert_failure 2
	[ "$stderr" = "trace-key: $T/syms:1: $2" ]
}

@test "symbol files: module lines and their errors" {
	ev 0x10 > "$T/ev"
	sym_bad 'liba.so 0x10' "bad address 'liba.so': not a number"
	sym_bad 'liba.so zz f' "bad address 'zz': not a number"
	sym_bad 'liba.so 0x10 f 0x10 x y' \
	    "expected [MODULE] ADDRESS NAME [SIZE], got more words"
	sym_bad '0x10 f 0x10 x' "expected ADDRESS NAME [SIZE], got more words"
	sym_bad '0042 f 0x10' "bad address '0042': ambiguous: digits with a leading zero (write 0x for hex, no leading zeros for decimal)"
}

@test "symbol files: nm and nm -S output of a real binary, as it is" {
	command -v cc >/dev/null && command -v nm >/dev/null || skip "needs cc and nm"
	cat > "$T/p.c" <<'C'
#include <stdio.h>
int twice(int x) { return 2 * x; }
int main(void) { printf("%d\n", twice(21)); return 0; }
C
	cc -O0 -fPIE -pie -o "$T/p" "$T/p.c"
	nm "$T/p" > "$T/p.nm"
	nm -S "$T/p" > "$T/p.nmS"
	grep -q ' U printf' "$T/p.nm"	# undefined symbols are in it
	twice=$(awk '$3 == "twice" { print $1 }' "$T/p.nm")
	size=$(awk '$4 == "twice" { print $2 }' "$T/p.nmS")
	[ -n "$twice" ] && [ -n "$size" ]
	# hex addresses without 0x, leading zeros and all
	at=$(printf '0x%x' $((16#$twice)))
	in=$(printf '0x%x' $((16#$twice + 4)))
	past=$(printf '0x%x' $((16#$twice + 16#$size)))
	ev "$at" "$in" "$past" > "$T/ev"
	run keys "$T/ev" --symbolize lr="$T/p.nmS"
	assert_success
	# past the end of twice: the next symbol (main) or no symbol
	[[ "$output" == "twice twice+0x4 "* ]] || fail "got '$output'"
	[[ "$output" != *"twice+0x$size"* ]] || fail "size ignored: '$output'"
	run keys "$T/ev" --symbolize lr="$T/p.nm"
	assert_success
	[[ "$output" == "twice twice+0x4 "* ]] || fail "got '$output'"
	# As module symbols: prefixed with the module, or nm of several
	# files, whose "FILE:" lines head each file's symbols.
	printf '%x-%x r-xp 00000000 fe:00 1 %s\n' $((16#7f0000000000)) \
	    $((16#7f0000100000)) "$T/p" > "$T/maps"
	ev 0x$(printf '%x' $((16#7f0000000000 + 16#$twice + 4))) > "$T/ev"
	sed 's/^/p /' "$T/p.nmS" > "$T/p.syms"
	run keys "$T/ev" --modules lr="$T/maps" --symbolize lr="$T/p.syms"
	assert_success
	assert_output "p:twice+0x4 "
	nm -S "$T/p" "$T/p" > "$T/two.nm"
	grep -qx "$T/p:" "$T/two.nm"
	run keys "$T/ev" --modules lr="$T/maps" --function lr="$T/two.nm"
	assert_success
	assert_output "p:twice "
}

@test "nm lines: the shapes told apart from ADDRESS NAME [SIZE]" {
	cat > "$T/syms" <<'SYMS'
0000000000001000 T f
0000000000002000 0000000000000010 t g
ffffffff81000000 T _text
                 U puts
                 w __gmon_start__
0x3000 t 20
cafe 0000000000004000 T h
SYMS
	ev 0x1004 0x2004 0x2010 0xffffffff81000000 0x3010 0xcafe 0x3000 > "$T/ev"
	run --separate-stderr keys "$T/ev" --symbolize lr="$T/syms"
	assert_success
	# 0x3000 t 20: the symbol t of size 20; cafe...: module cafe
	assert_output "f+0x4 g+0x4 0x00002010 _text t+0x10 0x0000cafe t "
}

@test "empty input, a maps file without final newline, empty values" {
	printf '55f20ec7c000-55f20ec7d000 r--p 00000000 fe:00 1 /x/pie' > "$T/maps"
	printf 'op\tlr\nx\t0x55f20ec7c010\ny\t' > "$T/ev"
	run trace-key -a '' --modules lr="$T/maps" "$T/ev"
	assert_success
	assert_output "$(printf 'op\tlr\tcount\nx\tpie+0x10\t1\ny\t\t1')"
	: > "$T/empty"
	run trace-key -a '' --modules lr="$T/empty" "$T/ev"
	assert_success
	assert_line --index 1 "$(printf 'x\t0x55f20ec7c010\t1')"
	run --separate-stderr trace-key --modules lr="$T/maps" "$T/empty"
	assert_failure 2
	[ "$stderr" = "trace-key: $T/empty: empty input (no header line)" ]
	run bash -c 'trace-key --modules lr="$1" "$2" >/dev/full' _ "$T/maps" "$T/ev"
	assert_failure 2
}

@test "ASLR example: module-relative keys of two runs are equal, raw ones are not" {
	A="$EX/strace/aslr"
	for i in 1 2; do
		grep -v '\] execve(' "$A/run$i.strace" |
		    trace-normalize -q -s "$EX/strace/strace.schema" > "$T/run$i.tsv"
		trace-key -a '' "$T/run$i.tsv" | trace-hist > "$T/raw$i.hist"
		trace-key -a '' --modules lr="$A/run$i.maps" "$T/run$i.tsv" |
		    trace-hist > "$T/mod$i.hist"
	done
	# The runs loaded everything at other addresses...
	[ "$(grep -c ' r-xp .*/libc.so.6$' "$A/run1.maps")" = 1 ]
	! cmp -s "$A/run1.maps" "$A/run2.maps"
	run trace-join "$T/raw1.hist" "$T/raw2.hist"
	assert_success
	[ "$(printf '%s\n' "$output" | cut -f3 | grep -c matched)" = 0 ]
	[ "$(printf '%s\n' "$output" | cut -f3 | grep -c missing)" = 22 ]
	# ... and made the same calls from the same places.
	run trace-join "$T/mod1.hist" "$T/mod2.hist"
	assert_success
	[ "$(printf '%s\n' "$output" | cut -f3 | grep -c matched)" = 22 ]
	[ "$(printf '%s\n' "$output" | cut -f3 | grep -vc -e matched -e status)" = 0 ]
	assert_same "$T/mod1.hist" "$T/mod2.hist"
	grep -q "$(printf '^getpid\tpie+0x')" "$T/mod1.hist"
	grep -q "$(printf '^write\tlibc.so.6+0x')" "$T/mod1.hist"
	# Symbolized with the executable's nm -S output, as module pie.
	sed 's/^/pie /' "$A/pie.nm" > "$T/pie.syms"
	run trace-key -a '' --modules lr="$A/run2.maps" --function lr="$T/pie.syms" "$T/run2.tsv"
	assert_success
	assert_line --index 1 "$(printf 'brk\tld-linux-x86-64.so.2+0x1fc47\t1')"
	[ "$(printf '%s\n' "$output" | grep -c "$(printf '^getpid\tpie:main\t')")" = 2 ]
}

@test "ASLR example: record.sh -h, and no capture replaced without -f" {
	run --separate-stderr "$EX/strace/aslr/record.sh" -h
	assert_success
	assert_output "usage: record.sh [-f]"
	run --separate-stderr "$EX/strace/aslr/record.sh"
	assert_failure 2
	[ "$stderr" = "record.sh: $EX/strace/aslr: captures present (-f replaces them)" ]
	run "$EX/strace/aslr/record.sh" extra
	assert_failure 2
}

@test "values written MODULE+0xOFFSET are read back as module-relative" {
	maps > "$T/maps"
	printf 'pie 0x10a0 main 0x76\nlibstdc++.so.6 0x10 f 0x10\n' > "$T/syms"
	ev 0x55f20ec7d0ce 0x7f1a2a2c2350 0x7f1a2a298010 > "$T/ev"
	trace-key -a '' --modules lr="$T/maps" "$T/ev" > "$T/rel"
	# --modules again leaves them as they are
	run trace-key -a '' --modules lr="$T/maps" "$T/rel"
	assert_success
	assert_output "$(cat "$T/rel")"
	# symbolized later, without the map, as in one step
	run --separate-stderr keys "$T/rel" -w count --symbolize lr="$T/syms"
	assert_success
	assert_output "pie:main+0x2e libc.so.6+0x27350 0x7f1a2a298010 "
	run --separate-stderr keys "$T/ev" --modules lr="$T/maps" --symbolize lr="$T/syms"
	assert_output "pie:main+0x2e libc.so.6+0x27350 0x7f1a2a298010 "
	ev libstdc++.so.6+0x1C pie+0x10ce > "$T/ev"
	run --separate-stderr keys "$T/ev" --mask lr=0xfff0 --function lr="$T/syms"
	assert_success
	assert_output "libstdc++.so.6:f pie:main "
	for v in pie:main+0x2e +0x10 pie+0x 9a+0x1 pie+0X10 pie+0x10000000000000000; do
		ev "$v" > "$T/ev"
		run --separate-stderr trace-key --symbolize lr="$T/syms" "$T/ev"
		assert_failure 2
		[ "$stderr" = "trace-key: $T/ev:2: column lr: not a number: '$v'" ] ||
			fail "'$v': got '$stderr'"
	done
}

# trace-report --symbols: a module-relative key (trace-key --modules)
# resolves among its module's symbols, and counts among the addresses
# that matched no symbol.
@test "trace-report --symbols: module-relative keys take their module's symbols" {
	maps > "$T/maps"
	cat > "$T/syms" <<'SYMS'
pie 0x10a0 main 0x76
libc.so.6 0x27340 write 0x20
0x7f1a2a298000 jit_block 0x100
SYMS
	ev 0x55f20ec7d0ce 0x7f1a2a2c2350 0x7f1a2a2c2390 0x7f1a2a298010 \
	    0x7ffdfaf19100 > "$T/ev"
	trace-key -a '' --modules lr="$T/maps" "$T/ev" | trace-hist > "$T/h"
	trace-join "$T/h" "$T/h" > "$T/j"
	run --separate-stderr trace-report -f json --symbols "$T/syms" "$T/j"
	assert_success
	[ "$stderr" = "trace-report: lr: 2 of 5 distinct addresses matched no symbol" ]
	run sh -c "trace-report -f json --symbols '$T/syms' '$T/j' 2>/dev/null |
	    jq -r '[.. | objects | select(has(\"note\")) | \"\\(.lr)=\\(.note)\"] | sort | join(\" \")'"
	assert_success
	assert_output "0x7f1a2a298010=jit_block+0x10 0x7ffdfaf19100=null libc.so.6+0x27350=write+0x10 libc.so.6+0x27390=null pie+0x10ce=main+0x2e"
}
