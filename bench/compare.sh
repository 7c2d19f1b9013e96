#!/usr/bin/env bash
# bench/compare.sh - instructions per event of each stage at several
# revisions, for "Changes and what they gained" in docs/PERFORMANCE.md.
#
#   bench/compare.sh [--events N] REV...
#
# Builds each REV (any git revision; the work tree is not touched) from
# `git archive` into bench/out/build/COMMIT/, runs bench/callgrind.sh
# --bin on it (with this checkout's generator and example schemas, so use
# revisions from 83b3c2c on; normalize-strace needs 1af838d or later)
# and prints one markdown row per revision: callgrind instructions per
# canary event (per candidate record for normalize-ours, per system call
# for normalize-strace).  Deterministic; needs valgrind.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
events=100000
usage() {
	echo "usage: bench/compare.sh [--events N] REV..." >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case $1 in
	--events) [ $# -ge 2 ] || usage; events=$2; shift 2 ;;
	-h | --help) sed -n '2,13s/^# \{0,1\}//p' "$0"; exit 0 ;;
	-*) usage ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || usage

stages="normalize-jsonl normalize-gzip normalize-zstd normalize-ours normalize-strace key hist"
printf '| commit | change |'
for s in $stages; do printf ' %s |' "$s"; done
printf '\n|---|---|'
for s in $stages; do printf -- '--:|'; done
printf '\n'
for rev in "$@"; do
	c=$(git -C "$root" rev-parse --short "$rev^{commit}")
	dir=$root/bench/out/build/$c
	if ! [ -x "$dir/bin/trace-normalize" ]; then
		echo "compare: building $c in ${dir#"$root"/}" >&2
		rm -rf "$dir"
		mkdir -p "$dir"
		git -C "$root" archive "$c" | tar -x -C "$dir"
		make -C "$dir" -j2 all > "$dir/build.log" 2>&1 ||
		    { echo "compare: $c does not build, see $dir/build.log" >&2; exit 1; }
	fi
	bash "$here/callgrind.sh" --events "$events" --bin "$dir/bin" \
	    --out "$root/bench/out/build/$c.callgrind" > /dev/null
	subj=$(git -C "$root" log -1 --format=%s "$c" | cut -c1-60 | sed 's/|/\\|/g')
	printf '| %s | %s |' "$c" "$subj"
	for s in $stages; do
		v=$(awk -F' *\\| *' -v s="$s" '$2 == s { print $4 }' \
		    "$root/bench/out/build/$c.callgrind/summary.md")
		printf ' %s |' "${v:-n/a}"
	done
	printf '\n'
done
