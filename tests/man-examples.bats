#!/usr/bin/env bats
# Every example command of the man pages runs, and shows what it prints.
#
# The examples are read from the EXAMPLES section of man/*.1, man/*.5 and
# man/*.7, from its .Bd -literal blocks and .Dl lines (".Dl $ command" is
# a block of one command), by this convention:
#
#   - A line that starts with "$ " is a command.  The lines right after
#     it that start with a blank (space or tab) continue it: a command
#     spread over lines after a trailing \ or |, or a for loop.
#   - The other lines after a command, up to the next command, are what
#     it prints, standard output and standard error together.  The test
#     compares them with what it does print.  When the last of them is
#     "...", only the lines before it are compared, with the first lines
#     printed.  A command shown without output is not checked for it.
#   - A block without a "$ " line (a file's contents, a program, a script
#     to copy) is text, not a command, and is not run.
#   - The roff escapes \e \& \- \(em \(en \(mu \(aq \(dq \(ga and \[uXXXX]
#     are undone before a line is run or compared; any other escape, or a
#     macro line inside a block, fails the test.
#   - A command must exit 0, unless its last line ends in the comment
#     "# exit N": then it must exit N (as for trace-report --fail-on).
#   - A command whose last line ends in a comment "# needs ..." needs
#     something a test cannot have: a network, another machine.  It is
#     shown but not run; the last test below lists these commands as
#     skipped.  Keep them few, and put nothing in the same block that
#     depends on them.  "# needs ssh to host1, host2" is the exception:
#     for a page with such a command, two local OpenSSH servers stand
#     for host1 and host2 (tests/sshd-hosts.sh, reached through
#     PARALLEL_SSH), and the command runs like the others; where they
#     cannot start (no sshd or rsync, not root), it is not run, and the
#     last test lists it with the reason.
#
# The commands of one block run in order in one bash shell, as typed at
# a prompt: a variable set by one is seen by the next, and $? is the
# status of the one before.  Each block has a shell of its own; all the
# blocks of a page run in order in one scratch directory, prepared by
# prepare() below with the files the examples name, with bin/ first in
# PATH, the standard input empty, and examples/ a link to the
# repository's examples/ so that examples/xenia/canary.schema resolves.
# The files the pages may use are:
#
#   canary.jsonl ours-iat.jsonl ours-lr.jsonl   tests/data/parity traces
#   canary.tsv ours.tsv                         the two normalized, with
#                                               examples/xenia/*.schema
#   canary.hist ours.hist                       trace-key | trace-hist
#   join.tsv                                    trace-join --names canary,ours
#   syms.txt counted.tsv late.jsonl calls.jsonl emu.log
#   canary-1.jsonl canary-2.jsonl canary-3.jsonl
#                                               tests/data/man-examples
load helper
source "$TOP/tests/sshd-hosts.sh"

PAGES="trace-normalize.1 trace-key.1 trace-hist.1 trace-join.1 trace-report.1 trace-diverge.1 trace-format.5 trace-tools.7"

# extract PAGE: the examples of a page as records, one per line:
#   B LINE	a block starts, at line LINE of the page
#   C TEXT	a command's first line, without the "$ "
#   c TEXT	a command's continuation line
#   O TEXT	a line of expected output
#   E TEXT	an error in the page (an unknown escape or macro)
# TEXT has the roff escapes of the page undone.
extract() {
	awk '
	# The UTF-8 bytes of a code point given in hex (with LC_ALL=C, as
	# helper.bash sets it, %c writes one byte).
	function utf8(hex,   cp, i) {
		cp = 0
		for (i = 1; i <= length(hex); i++)
			cp = cp * 16 + index("0123456789ABCDEF",
			    toupper(substr(hex, i, 1))) - 1
		if (cp < 128)
			return sprintf("%c", cp)
		if (cp < 2048)
			return sprintf("%c%c", 192 + int(cp / 64), 128 + cp % 64)
		return sprintf("%c%c%c", 224 + int(cp / 4096),
		    128 + int(cp / 64) % 64, 128 + cp % 64)
	}
	function unesc(s,   out, i, c, n, name) {
		out = ""
		for (i = 1; i <= length(s); i++) {
			c = substr(s, i, 1)
			if (c != "\\") {
				out = out c
				continue
			}
			n = substr(s, i + 1, 1)
			if (n == "e") {
				out = out "\\"; i++
			} else if (n == "&") {
				i++
			} else if (n == "-") {
				out = out "-"; i++
			} else if (n == "(" && (substr(s, i + 2, 2) in glyph)) {
				out = out glyph[substr(s, i + 2, 2)]; i += 3
			} else if (substr(s, i + 1) ~ /^\[u[0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f]\]/) {
				out = out utf8(substr(s, i + 3, 4)); i += 7
			} else {
				print "E " FILENAME ":" NR ": unknown escape in " s
				return s
			}
		}
		return out
	}
	# One line of a block.
	function line(s) {
		if (s ~ /^\$ /) {
			print "C " unesc(substr(s, 3))
			incmd = 1
		} else if (incmd && s ~ /^[ \t]/) {
			print "c " unesc(s)
		} else {
			incmd = 0
			print "O " unesc(s)
		}
	}
	BEGIN {
		glyph["em"] = "\342\200\224"; glyph["en"] = "\342\200\223"
		glyph["mu"] = "\303\227"; glyph["aq"] = "\047"
		glyph["dq"] = "\""; glyph["ga"] = "`"
	}
	/^\.Sh / { inex = ($0 == ".Sh EXAMPLES"); next }
	!inex { next }
	/^\.Bd -literal/ { inbd = 1; incmd = 0; print "B " NR; next }
	inbd && /^\.Ed/ { inbd = 0; next }
	/^\.\\"/ { next }
	inbd && /^\./ { print "E " FILENAME ":" NR ": macro in a literal block: " $0; next }
	inbd { line($0); next }
	/^\.Dl \$ / { print "B " NR; incmd = 0; line(substr($0, 5)); next }
	' "$1"
}

# prepare DIR: the files the examples name.
prepare() {
	(
		cd "$1" || exit 1
		ln -s "$TOP/examples" examples
		cp "$DATA"/parity/canary.jsonl "$DATA"/parity/ours-iat.jsonl \
		    "$DATA"/parity/ours-lr.jsonl "$DATA"/man-examples/* .
		trace-normalize -s examples/xenia/canary.schema -o canary.tsv \
		    canary.jsonl
		trace-normalize -q -s examples/xenia/ours.schema -o ours.tsv \
		    ours-iat.jsonl ours-lr.jsonl
		trace-key canary.tsv | trace-hist -o canary.hist
		trace-key ours.tsv | trace-hist -o ours.hist
		trace-join --names canary,ours -o join.tsv canary.hist ours.hist
	)
}

needs_marker='[[:space:]]#[[:space:]]*needs[[:space:]]'
ssh_marker='[[:space:]]#[[:space:]]*needs ssh to host1, host2[[:space:]]*$'
exit_marker='[[:space:]]#[[:space:]]*exit[[:space:]]+([0-9]+)[[:space:]]*$'
# Why the ssh hosts could not be had, for the last test.
SSH_WHY=$BATS_FILE_TMPDIR/ssh-why

# not_run FILE: the command in FILE is shown, not run.
not_run() {
	local last
	last=$(tail -n 1 "$1")
	[[ "$last" =~ $needs_marker ]] || return 1
	! { [[ "$last" =~ $ssh_marker ]] && [ -n "${PARALLEL_SSH:-}" ]; }
}

# ssh_hosts: host1 and host2 for the examples, when there can be any;
# PARALLEL_SSH set when they are up.
ssh_hosts() {
	local why=
	command -v rsync > /dev/null || why="rsync not installed (Debian package rsync)"
	if [ -z "$why" ] && sshd_hosts_start "$T/hosts" "$TOP" 2; then
		export PARALLEL_SSH="ssh -F $T/hosts/ssh_config"
	else
		echo "${why:-$SSHD_HOSTS_WHY}" > "$SSH_WHY"
	fi
}

teardown() {
	[ -d "${T:-}/hosts" ] && sshd_hosts_stop "$T/hosts"
	[ -n "${T:-}" ] && rm -rf "$T"
}

# run_block PAGE LINE: run the block of PAGE at LINE, whose commands are
# in $W/cmd.N and expected outputs in $W/exp.N (N = 1..ncmd), in the
# scratch directory $S; append what went wrong to $W/errors.
run_block() {
	local page=$1 at=$2 i script="$W/script" st want n first
	# The script records the status of each command in $W/st.N, and in
	# $W/exited the command during which the shell exited, if one did.
	{
		cat <<-'EOF'
		__w=$1 __st=0
		trap 'echo "$__i $?" > "$__w/exited"' EXIT
		EOF
		for ((i = 1; i <= ncmd; i++)); do
			not_run "$W/cmd.$i" && continue
			printf '__i=%d __c=$(cat "$__w/cmd.%d")\n' "$i" "$i"
			# $? is the status of the command before, as at a prompt
			printf '(exit $__st); eval "$__c" > "$__w/out.%d" 2>&1 < /dev/null\n' "$i"
			printf '__st=$?; echo $__st > "$__w/st.%d"\n' "$i"
		done
		echo '__i=0'
	} > "$script"
	rm -f "$W"/out.* "$W"/st.* "$W/exited"
	(cd "$S" && timeout 300 bash "$script" "$W") || true	# checked below
	for ((i = 1; i <= ncmd; i++)); do
		first=$(head -n 1 "$W/cmd.$i")
		not_run "$W/cmd.$i" && continue
		if [ -f "$W/st.$i" ]; then
			st=$(cat "$W/st.$i")
		elif [ "$(cut -d ' ' -f 1 "$W/exited")" = "$i" ]; then
			st=$(cut -d ' ' -f 2 "$W/exited")
		else
			echo "$page:$at: \$ $first: not run (the shell exited before it)" >> "$W/errors"
			continue
		fi
		want=0
		[[ "$(tail -n 1 "$W/cmd.$i")" =~ $exit_marker ]] && want=${BASH_REMATCH[1]}
		if [ "$st" != "$want" ]; then
			{
				echo "$page:$at: \$ $first: exit status $st, expected $want; it printed:"
				sed 's/^/    /' "$W/out.$i"
			} >> "$W/errors"
			continue
		fi
		[ -s "$W/exp.$i" ] || continue
		n=$(wc -l < "$W/exp.$i")
		if [ "$(tail -n 1 "$W/exp.$i")" = "..." ]; then
			head -n $((n - 1)) "$W/exp.$i" > "$W/want"
			head -n $((n - 1)) "$W/out.$i" > "$W/got"
		else
			cp "$W/exp.$i" "$W/want"
			cp "$W/out.$i" "$W/got"
		fi
		if ! cmp -s "$W/want" "$W/got"; then
			{
				echo "$page:$at: \$ $first: printed other output than shown:"
				diff -u "$W/want" "$W/got" | tail -n +3 | sed 's/^/    /'
			} >> "$W/errors"
		fi
	done
}

# check_page PAGE: run every example of the page; fail listing every
# example that failed.
check_page() {
	local page=$1 kind text at=0
	# programs the examples use besides the tools and coreutils
	for c in jq parallel; do
		command -v "$c" > /dev/null || skip "$c not installed"
	done
	S="$T/scratch" W="$T/work"
	mkdir -p "$S" "$W"
	prepare "$S"
	: > "$W/errors"
	extract "$TOP/man/$page" > "$W/records"
	grep '^E ' "$W/records" | cut -c 3- >> "$W/errors"
	if grep -Eq "^[Cc] .*$ssh_marker" "$W/records"; then
		ssh_hosts
	fi
	[ "$(grep -c '^C ' "$W/records")" -gt 0 ] ||
	    echo "$page: no example command in EXAMPLES" >> "$W/errors"
	ncmd=0
	while IFS= read -r rec; do
		kind=${rec:0:1} text=${rec:2}
		case $kind in
		B)
			[ "$ncmd" -gt 0 ] && run_block "$page" "$at"
			at=$text ncmd=0
			;;
		C)
			ncmd=$((ncmd + 1))
			printf '%s\n' "$text" > "$W/cmd.$ncmd"
			: > "$W/exp.$ncmd"
			;;
		c)
			printf '%s\n' "$text" >> "$W/cmd.$ncmd"
			;;
		O)
			# text before the first command of a block is not output
			[ "$ncmd" -gt 0 ] && printf '%s\n' "$text" >> "$W/exp.$ncmd"
			;;
		esac
	done < "$W/records"
	[ "$ncmd" -gt 0 ] && run_block "$page" "$at"
	if [ -s "$W/errors" ]; then
		cat "$W/errors" >&2
		fail "examples of $page failed (see above)"
	fi
}

@test "man-examples: the extractor follows the convention" {
	cat > "$T/page.1" <<-'EOF'
	.Sh DESCRIPTION
	.Bd -literal
	$ not an example
	.Ed
	.Sh EXAMPLES
	.Bd -literal -offset indent
	$ echo a \e
	    b | tr a-z A-Z
	A B
	$ printf '\e(em\e&\en' # exit 0
	\(em \[u2588]\[u00e9]
	.Ed
	.Dl $ true
	.Bd -literal
	def f: . ;
	.Ed
	.Sh SEE ALSO
	EOF
	run extract "$T/page.1"
	assert_success
	assert_output "B 6
C echo a \\
c     b | tr a-z A-Z
O A B
C printf '\\(em\\&\\n' # exit 0
O — █é
B 13
C true
B 14
O def f: . ;"
}

@test "man-examples: trace-normalize(1)" {
	check_page trace-normalize.1
}

@test "man-examples: trace-key(1)" {
	check_page trace-key.1
}

@test "man-examples: trace-hist(1)" {
	check_page trace-hist.1
}

@test "man-examples: trace-join(1)" {
	check_page trace-join.1
}

@test "man-examples: trace-report(1)" {
	check_page trace-report.1
}

@test "man-examples: trace-diverge(1)" {
	check_page trace-diverge.1
}

@test "man-examples: trace-format(5)" {
	check_page trace-format.5
}

@test "man-examples: trace-tools(7)" {
	check_page trace-tools.7
}

@test "man-examples: every page is checked above" {
	run ls "$TOP/man"
	assert_output "$(tr ' ' '\n' <<< "$PAGES" | sort)"
}

@test "man-examples: commands marked '# needs ...' are shown, not run" {
	local page line why= list=()
	# the ssh commands ran unless the hosts could not be had
	if [ -s "$SSH_WHY" ]; then
		why=$(head -n 1 "$SSH_WHY")
	elif ! [ -x /usr/sbin/sshd ]; then
		why="sshd not installed (Debian package openssh-server)"
	fi
	for page in $PAGES; do
		while IFS= read -r line; do
			list+=("$line")
		done < <(extract "$TOP/man/$page" | awk -v p="$page" -v why="$why" '
		    function flush() {
			    if (first != "" && last ~ /[ \t]#[ \t]*needs[ \t]/ &&
				(why != "" || last !~ /#[ \t]*needs ssh to host1, host2[ \t]*$/)) {
				    sub(/.*#[ \t]*/, "", last)
				    print p ": $ " first " (" last (last ~ /^needs ssh to host1, host2/ ? ": " why : "") ")"
			    }
			    first = ""
		    }
		    /^C / { flush(); first = last = substr($0, 3); next }
		    /^c / { last = substr($0, 3); next }
		    { flush() }
		    END { flush() }')
	done
	[ "${#list[@]}" -gt 0 ] || return 0
	skip "not run: $(printf '%s; ' "${list[@]}")"
}
