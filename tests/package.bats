#!/usr/bin/env bats
# package.bats - one version everywhere; the release tarball of make dist;
# the Debian package built from that tarball, installed, run and removed.
#
# The package tests need dpkg-buildpackage and debhelper (and root, and no
# trace-tools package installed, for dpkg -i); they skip, saying why,
# where these are missing.  They build with DEB_BUILD_OPTIONS=nocheck: the
# suite that a full package build runs is this one.  make distcheck runs
# make check, so it is not run here; see its comment in the Makefile.

load helper

TOOLS="trace-normalize trace-key trace-hist trace-join trace-report trace-diverge"
V=$(cat "$TOP/VERSION")

teardown() {
	# A failed install test leaves nothing installed behind it.
	if [ -n "${T:-}" ] && [ -e "$T/installed" ]; then
		dpkg -P trace-tools >/dev/null 2>&1 || :
	fi
	[ -n "${T:-}" ] && rm -rf "$T"
}

# changelog_date: the date of debian/changelog's top entry, as DD Mon YYYY.
changelog_date() {
	sed -n 's/^ -- .*>  [A-Z][a-z][a-z], \([0-9]* [A-Z][a-z][a-z] [0-9]*\) .*/\1/p' \
	    "$TOP/debian/changelog" | head -1
}

# make_var NAME: the words of a Makefile variable, over its continued lines.
make_var() {
	awk -v name="$1" '
	    $1 == name && $2 == "=" { on = 1; sub(/^[^=]*=/, "") }
	    on { c = sub(/\\$/, ""); printf "%s ", $0; if (!c) exit }
	' "$TOP/Makefile" | tr -s ' \t' '\n' | sed '/^$/d'
}

# build_depends: debian/control's Build-Depends, one entry a line.
build_depends() {
	awk '
	    /^Build-Depends:/ { on = 1; sub(/^Build-Depends:/, ""); print; next }
	    on && /^#/ { next }
	    on && /^[ \t]/ { print; next }
	    on { exit }
	' "$TOP/debian/control" | tr ',' '\n' | sed 's/^[ \t]*//; s/[ \t]*$//; /^$/d'
}

# dpkg_retry ARGS...: dpkg, waiting up to five minutes for the lock of
# another package manager (apt-get in another session) to be released.
dpkg_retry() {
	local i
	for i in $(seq 150); do
		run dpkg "$@"
		case $status:$output in
		0:*) return 0 ;;
		*:*lock*) sleep 2 ;;
		*) return 0 ;;
		esac
	done
}

@test "VERSION: one x.y.z line, and every tool's --version prints it" {
	[ "$(wc -l < "$TOP/VERSION")" -eq 1 ]
	[[ $V =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]
	for t in $TOOLS; do
		run "$t" --version
		assert_success
		assert_output "$t (trace-tools) $V"
	done
}

@test "debian/changelog: the top entry is VERSION-1, dated" {
	run head -1 "$TOP/debian/changelog"
	assert_output "trace-tools ($V-1) unstable; urgency=medium"
	[ -n "$(changelog_date)" ]
	if command -v dpkg-parsechangelog >/dev/null; then
		run dpkg-parsechangelog -l "$TOP/debian/changelog" -S Version
		assert_output "$V-1"
	fi
}

@test "man pages: .Dd is the date of the version's changelog entry" {
	want=$(LC_ALL=C date -d "$(changelog_date)" '+%B %-d, %Y')
	[ -n "$want" ]
	n=0
	for f in "$TOP"/man/*.[157]; do
		run head -1 "$f"
		assert_output ".Dd $want"
		n=$((n + 1))
	done
	[ "$n" -eq 8 ]
}

@test "NEWS.md: the top entry is VERSION, with the changelog's date" {
	want=$(LC_ALL=C date -d "$(changelog_date)" '+%Y-%m-%d')
	run grep -m1 '^## ' "$TOP/NEWS.md"
	assert_output "## $V — $want"
}

@test "README.md: the three ways in name this version's tarball" {
	grep -qF "tar -xzf trace-tools-$V.tar.gz" "$TOP/README.md"
	grep -qF "sudo make -C trace-tools-$V install" "$TOP/README.md"
	grep -qF 'sudo apt install ./trace-tools_*.deb' "$TOP/README.md"
}

@test "debian/control: Build-Depends are the Makefile's packages, the test ones <!nocheck>" {
	build_depends > "$T/bd"
	# Debian implies these: build-essential, and gzip is essential.
	implied=" gcc make libc6-dev gzip "
	for p in $(make_var BUILD_PKGS); do
		[[ $implied == *" $p "* ]] && continue
		grep -qx "$p" "$T/bd" || fail "Build-Depends lacks $p"
	done
	for p in $(make_var CHECK_PKGS); do
		[[ $implied == *" $p "* ]] && continue
		grep -qx "$p <!nocheck>" "$T/bd" || fail "Build-Depends lacks $p <!nocheck>"
	done
	want=$(( $(make_var BUILD_PKGS | grep -cvxE 'gcc|make|libc6-dev|gzip') +
	    $(make_var CHECK_PKGS | grep -cvxE 'gcc|make|libc6-dev|gzip') + 1 ))
	[ "$(wc -l < "$T/bd")" -eq "$want" ]
	grep -qx 'debhelper-compat (= 13)' "$T/bd"
	grep -qx 'Depends: ${shlibs:Depends}, ${misc:Depends}' "$TOP/debian/control"
}

@test "make dist: trace-tools-VERSION.tar.gz, the tracked files and no build outputs" {
	if [ ! -e "$TOP/.git" ] && [ ! -e "$TOP/MANIFEST" ]; then
		skip "neither a git checkout nor an unpacked tarball"
	fi
	tgz="trace-tools-$V.tar.gz"
	# A tarball already there is put back afterwards.
	[ -e "$TOP/$tgz" ] && mv "$TOP/$tgz" "$T/saved.tar.gz"
	run make --no-print-directory -C "$TOP" -s dist
	[ -e "$TOP/$tgz" ] && mv "$TOP/$tgz" "$BATS_FILE_TMPDIR/$tgz"
	[ -e "$T/saved.tar.gz" ] && mv "$T/saved.tar.gz" "$TOP/$tgz"
	assert_success
	tar -tzf "$BATS_FILE_TMPDIR/$tgz" > "$T/list"
	# Everything under one folder named for the version.
	refute_grep -v "^trace-tools-$V/" "$T/list"
	for f in Makefile VERSION MANIFEST NEWS.md README.md LICENSE \
	    debian/control debian/rules debian/changelog man/trace-join.1 \
	    src/trace-key.c common/opt.c tests/package.bats \
	    examples/xenia/canary.schema; do
		grep -qx "trace-tools-$V/$f" "$T/list" || fail "tarball lacks $f"
	done
	# No build outputs (the tree under test has them), no bench data,
	# nothing of git's or CI's.
	[ -x "$TOP/bin/trace-join" ]
	refute_grep -E '\.(o|a)$|/bin/.|/bench/out/|\.git|/\.ci/' "$T/list"
	refute_grep -E '/tests/unit/test-common$|/tests/fuzz/replay-[a-z]+$' "$T/list"
	# The files are those of git ls-files, or of the tree's MANIFEST.
	if [ -e "$TOP/.git" ]; then
		git -C "$TOP" ls-files | grep -v -e '^\.ci/' -e 'gitignore$' \
		    -e '^MANIFEST$' > "$T/want"
		echo MANIFEST >> "$T/want"
	else
		cp "$TOP/MANIFEST" "$T/want"
	fi
	grep -v '/$' "$T/list" | sed "s,^trace-tools-$V/,," | LC_ALL=C sort > "$T/got"
	LC_ALL=C sort -o "$T/want" "$T/want"
	assert_same "$T/want" "$T/got"
	# Scripts keep their modes.
	tar -tvzf "$BATS_FILE_TMPDIR/$tgz" "trace-tools-$V/debian/rules" | grep -q '^-rwx'
	# make dist in the unpacked tarball makes the same tarball.
	tar -xzf "$BATS_FILE_TMPDIR/$tgz" -C "$T"
	run make --no-print-directory -C "$T/trace-tools-$V" -s dist
	assert_success
	assert_output "trace-tools-$V.tar.gz: $(wc -l < "$T/want") files"
	tar -tzf "$T/trace-tools-$V/$tgz" > "$T/again"
	assert_same "$T/list" "$T/again"
}

@test "dpkg-buildpackage builds trace-tools_VERSION-1_ARCH.deb from the release tarball" {
	[ -n "${TRACE_TOOLS_PACKAGE_BUILD:-}" ] && skip "inside a package build"
	[ -n "${TRACE_TOOLS_SANITIZED:-}" ] && skip "a sanitized build is not packaged"
	command -v dpkg-buildpackage >/dev/null || skip "dpkg-buildpackage not installed (dpkg-dev)"
	command -v dh >/dev/null || skip "dh not installed (debhelper)"
	tgz="$BATS_FILE_TMPDIR/trace-tools-$V.tar.gz"
	[ -e "$tgz" ] || skip "no tarball: the make dist test did not make one"
	# The .deb lands in the parent of the source: both in a folder of
	# this file's own.
	P="$BATS_FILE_TMPDIR/pkg"
	rm -rf "$P" && mkdir "$P"
	tar -xzf "$tgz" -C "$P"
	run -0 dpkg-checkbuilddeps -P nocheck "$P/trace-tools-$V/debian/control"
	cd "$P/trace-tools-$V"
	run env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS \
	    DEB_BUILD_OPTIONS="nocheck parallel=2" DEB_BUILD_PROFILES=nocheck \
	    dpkg-buildpackage -us -uc -b
	cd "$T"
	[ "$status" -eq 0 ] || { echo "$output" | tail -30; fail "dpkg-buildpackage failed"; }
	refute_output --partial "installing Debian packages"
	arch=$(dpkg --print-architecture)
	deb="$P/trace-tools_$V-1_$arch.deb"
	[ -f "$deb" ]
	run dpkg-deb -f "$deb" Package Version Architecture
	assert_output "Package: trace-tools
Version: $V-1
Architecture: $arch"
	dpkg-deb -f "$deb" Depends | grep -q 'libc6'
	dpkg-deb -c "$deb" | awk '{ print $1, $NF }' > "$T/c"
	for t in $TOOLS; do
		grep -qx -- "-rwxr-xr-x ./usr/bin/$t" "$T/c"
		grep -qx -- "-rw-r--r-- ./usr/share/man/man1/$t.1.gz" "$T/c"
		grep -qx -- "-rw-r--r-- ./usr/share/bash-completion/completions/$t" "$T/c"
	done
	grep -q ' ./usr/share/man/man5/trace-format.5.gz$' "$T/c"
	grep -q ' ./usr/share/man/man7/trace-tools.7.gz$' "$T/c"
	grep -q ' ./usr/share/doc/trace-tools/copyright$' "$T/c"
	grep -q ' ./usr/share/doc/trace-tools/NEWS.md.gz$' "$T/c"
	grep -q ' ./usr/share/trace-tools/examples/xenia/canary.schema$' "$T/c"
	refute_grep -E '/examples/.*/data/|/examples/demo\.sh$' "$T/c"
	# Every executable example's interpreter is essential or recommended.
	recommends=$(dpkg-deb -f "$deb" Recommends)
	dpkg-deb -x "$deb" "$T/x"
	find "$T/x/usr/share/trace-tools" -type f -perm -u+x > "$T/exe"
	[ -s "$T/exe" ]
	while IFS= read -r f; do
		i=$(head -1 "$f")
		case $i in
		'#!/bin/sh' | '#!/usr/bin/env bash') ;;
		'#!/usr/bin/env python3')
			[[ $recommends == *python3* ]] || fail "python3 not in Recommends: $f" ;;
		*) fail "interpreter not essential nor recommended: $f: $i" ;;
		esac
	done < "$T/exe"
}

@test "lintian: no errors on the .deb" {
	command -v lintian >/dev/null || skip "lintian not installed"
	deb=$(ls "$BATS_FILE_TMPDIR"/pkg/trace-tools_"$V"-1_*.deb 2>/dev/null) ||
	    skip "no .deb: the build test did not make one"
	run lintian --fail-on error "$deb"
	echo "$output"
	assert_success
	refute_line --regexp '^E: '
}

@test "the .deb installs, its tools and man pages work, and it removes cleanly" {
	deb=$(ls "$BATS_FILE_TMPDIR"/pkg/trace-tools_"$V"-1_*.deb 2>/dev/null) ||
	    skip "no .deb: the build test did not make one"
	[ "$(id -u)" = 0 ] || skip "dpkg -i needs root"
	if dpkg-query -W -f='${Status}' trace-tools 2>/dev/null | grep -q installed; then
		skip "a trace-tools package is installed already; not replaced"
	fi
	[ ! -e /usr/bin/trace-join ] || skip "/usr/bin/trace-join exists, not from a package"
	touch "$T/installed"
	dpkg_retry -i "$deb"
	assert_success
	for t in $TOOLS; do
		run "/usr/bin/$t" --version
		assert_success
		assert_output "$t (trace-tools) $V"
	done
	# A tiny pipeline through the installed tools.
	cd "$T"
	printf '{"op":"read","lr":"0x10","tid":1}\n{"op":"read","lr":"0x10","tid":1}\n{"op":"write","lr":"0x20","tid":2}\n' > a.jsonl
	printf '{"op":"read","lr":"0x10","tid":1}\n' > b.jsonl
	for s in a b; do
		/usr/bin/trace-normalize -c op -c lr -c tid $s.jsonl > $s.tsv
		/usr/bin/trace-key $s.tsv | /usr/bin/trace-hist > $s.hist
	done
	/usr/bin/trace-join --names ref,cand a.hist b.hist > join.tsv
	run grep -c missing join.tsv
	assert_output 1
	run /usr/bin/trace-report -f json join.tsv
	assert_success
	run /usr/bin/trace-diverge a.tsv b.tsv
	assert_failure 1
	# The man pages, the completion, the examples.
	[ -f /usr/share/man/man1/trace-join.1.gz ]
	if command -v man >/dev/null; then
		run man -w trace-join
		assert_success
		assert_output /usr/share/man/man1/trace-join.1.gz
		run env MANPAGER=cat MANWIDTH=80 man trace-join
		assert_success
		assert_output --partial "full outer join of two histograms"
	else
		echo "# no man command: man trace-join not run" >&3
	fi
	[ -f /usr/share/bash-completion/completions/trace-join ]
	[ -f /usr/share/trace-tools/examples/xenia/canary.schema ]
	# Purged, nothing is left.
	dpkg_retry -P trace-tools
	assert_success
	rm -f "$T/installed"
	[ ! -e /usr/bin/trace-join ]
	[ ! -e /usr/share/man/man1/trace-join.1.gz ]
	[ ! -e /usr/share/bash-completion/completions/trace-join ]
	[ ! -e /usr/share/trace-tools ]
	[ ! -e /usr/share/doc/trace-tools ]
	run dpkg-query -W -f='${Status}' trace-tools
	refute_output --partial installed
}
