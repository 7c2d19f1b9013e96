#!/bin/sh
# differential.sh - run the test suite with every tool call made by two
# builds, and list the calls whose output differs.
#
#   tests/differential.sh OLD_BIN [BATS_FILE...]
#
# For refactors and speed changes that must keep every output byte for
# byte: OLD_BIN is a bin/ directory of the earlier build (e.g. from
# `git worktree add` and `make`), this tree's bin/ is the new one.  The
# suite runs in a copy of the tree whose bin/ holds shims: each call reads
# its standard input once, runs the old tool and then the new one on it
# with the same arguments, compares standard output, standard error and
# exit status, and passes the new tool's results on to the test.  Every
# difference is written to differential.log in the copy (arguments, which
# stream, a diff) and the count printed at the end; the exit status is 1
# when there is one.
#
# Calls that depend on timing or on a reader going away (signals, `| head`)
# or that write files named by -o run twice and may differ for that
# reason alone; the log names each call so it can be judged.  Tests that
# fail only under the shims (closed streams, SIGPIPE) are expected.
set -u
[ $# -ge 1 ] || { echo "usage: tests/differential.sh OLD_BIN [BATS_FILE...]" >&2; exit 2; }
old=$(cd "$1" && pwd) || exit 2
shift
top=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$top/bin/trace-normalize" ] || { echo "differential: build first (make)" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/differential.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT
tar -C "$top" -cf - --exclude='*.o' --exclude='*.a' --exclude=tests/fuzz/build \
    Makefile VERSION NEWS.md README.md debian common src tests man examples bin | tar -xf - -C "$work"
mkdir "$work/new"
mv "$work/bin/"* "$work/new/"
log=$work/differential.log
: > "$log"
for path in "$work/new/"trace-*; do
	t=$(basename "$path")
	cat > "$work/bin/$t" <<EOF
#!/bin/sh
d=\$(mktemp -d) || exit 2
if [ -t 0 ] || ! { : <&0; } 2>/dev/null; then : > "\$d/in"; else cat > "\$d/in"; fi
"$old/$t" "\$@" < "\$d/in" > "\$d/o1" 2> "\$d/e1"; r1=\$?
"$work/new/$t" "\$@" < "\$d/in" > "\$d/o2" 2> "\$d/e2"; r2=\$?
if ! cmp -s "\$d/o1" "\$d/o2" || ! cmp -s "\$d/e1" "\$d/e2" || [ \$r1 != \$r2 ]; then
	{
		echo "=== $t \$* (exit \$r1 -> \$r2)"
		diff "\$d/o1" "\$d/o2" | head -20
		diff "\$d/e1" "\$d/e2" | head -10
	} >> "$log"
fi
cat "\$d/e2" >&2
cat "\$d/o2"
rm -rf "\$d"
exit \$r2
EOF
	chmod +x "$work/bin/$t"
done
(cd "$work" && SEED_DIFF="$top/../shared/seed/diff.py" sh tests/run.sh "$@") | tail -2
n=$(grep -c '^===' "$log")
echo "differential: $n call(s) differ"
[ "$n" -eq 0 ] && exit 0
cat "$log"
cp "$log" "${TMPDIR:-/tmp}/differential.log"
exit 1
