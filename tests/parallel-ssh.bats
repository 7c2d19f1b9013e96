#!/usr/bin/env bats
# examples/parallel/hist-parallel.sh over real ssh: two OpenSSH servers on
# 127.0.0.1 and 127.0.0.2 stand for two machines (tests/sshd-hosts.sh),
# each with its own HOME, login directory, TMPDIR and install of the
# tools.  GNU parallel reaches them through PARALLEL_SSH="ssh -F CONFIG".
#
# Every map must give the single-pass histogram byte for byte; a failed
# worker must fail the run with status 2 and its message, and print no
# histogram; no copy may be left on a host after a run.  Wrappers first
# in each host's PATH (probe/) log every trace-normalize (its directory
# and arguments) and every rsync a host serves, which shows where each
# file was mapped and what was sent.
#
# The servers start once for the file and are stopped, by the PIDs
# started, at its end.  Without sshd, rsync or GNU parallel, or when sshd
# cannot start here, every test is skipped, saying why.
load helper
source "$TOP/tests/sshd-hosts.sh"

HP=$EX/parallel/hist-parallel.sh

setup_file() {
	local why=
	for c in parallel rsync; do
		command -v $c >/dev/null 2>&1 ||
		    why="$c not installed (Debian package $c)"
	done
	ROOT=$(mktemp -d "${BATS_TMPDIR:-/tmp}/tt-ssh.XXXXXX")
	export ROOT
	H=$ROOT/hosts
	export H
	if [ -z "$why" ] && ! sshd_hosts_start "$H" "$TOP" 2; then
		why=$SSHD_HOSTS_WHY
	fi
	export SKIP_WHY=$why
	[ -z "$why" ] || return 0
	local i
	for i in 1 2; do
		cat > "$H/host$i/probe/trace-normalize" <<-EOF
		#!/bin/sh
		printf '%s\n' "\$PWD \$*" >> "$H/host$i/normalize.log"
		exec "$H/host$i/prefix/bin/trace-normalize" "\$@"
		EOF
		cat > "$H/host$i/probe/rsync" <<-EOF
		#!/bin/sh
		printf '%s\n' "\$*" >> "$H/host$i/rsync.log"
		exec /usr/bin/rsync "\$@"
		EOF
		chmod +x "$H/host$i/probe/trace-normalize" "$H/host$i/probe/rsync"
	done
	# The client's files: the canary trace in five pieces, one
	# compressed, and 60 times over in one file of three 8 MB blocks.
	CL=$ROOT/client
	export CL
	mkdir -p "$CL/data"
	cp "$EX/xenia/canary.schema" "$CL/c.schema"
	split -l 700 "$DATA/parity/canary.jsonl" "$CL/data/part."
	gzip "$CL/data/part.ab"
	for i in $(seq 60); do cat "$DATA/parity/canary.jsonl"; done > "$CL/big.jsonl"
	trace-normalize -q -s "$CL/c.schema" "$DATA/parity/canary.jsonl" |
	    trace-key | trace-hist > "$CL/parts.want"
	trace-normalize -q -s "$CL/c.schema" "$CL/big.jsonl" |
	    trace-key | trace-hist > "$CL/big.want"
}

teardown_file() {
	[ -n "${ROOT:-}" ] || return 0
	sshd_hosts_stop "$H"
	rm -rf "$ROOT"
}

setup() {
	T=$(mktemp -d "${BATS_TMPDIR:-/tmp}/tt.XXXXXX")
	[ -z "$SKIP_WHY" ] || skip "$SKIP_WHY"
	export PARALLEL_SSH="ssh -F $H/ssh_config"
	# hist-parallel.sh's and parallel's temporary files
	mkdir "$T/tmp"
	export TMPDIR=$T/tmp
	rm -f "$H"/host*/normalize.log "$H"/host*/rsync.log
	touch "$H/host1/normalize.log" "$H/host2/normalize.log" \
	    "$H/host1/rsync.log" "$H/host2/rsync.log"
	cd "$CL"
}

# assert_clean: nothing left in the hosts' homes and temporary
# directories, nor in the client's.
assert_clean() {
	run find "$H/host1/home" "$H/host2/home" "$H/host1/tmp" "$H/host2/tmp" \
	    "$T/tmp" -mindepth 1
	assert_output ""
}

# jobs_on I: the number of trace-normalize runs on host I.
jobs_on() { wc -l < "$H/host$1/normalize.log" | tr -d ' '; }

# rsync_on I [--sender]: the number of rsync servers run on host I that
# received files (or, with --sender, sent them).
rsync_on() {
	if [ "${1:-}" = --sender ] || [ "${2:-}" = --sender ]; then
		grep -c -- '--server --sender' "$H/host$1/rsync.log" || :
	else
		grep -v -- '--sender' "$H/host$1/rsync.log" | grep -c -- '--server' || :
	fi
}

@test "parallel-ssh: -S host1,host2 equals the single pass, files at the same paths" {
	run --separate-stderr "$HP" -j 1 -S host1,host2 c.schema data/part.*
	assert_success
	printf '%s\n' "$output" > "$T/got"
	assert_same "$CL/parts.want" "$T/got"
	# five jobs, on both hosts, in their login directories, reading the
	# client's files by absolute path; nothing sent
	[ $(( $(jobs_on 1) + $(jobs_on 2) )) -eq 5 ]
	[ "$(jobs_on 1)" -ge 1 ] && [ "$(jobs_on 2)" -ge 1 ]
	run cut -d ' ' -f 1 "$H/host1/normalize.log"
	assert_output --regexp "^($H/host1/home"$'\n'"?)+$"
	run grep -c " -s $CL/c.schema $CL/data/part\.a[a-e]" "$H/host1/normalize.log" "$H/host2/normalize.log"
	assert_output "$H/host1/normalize.log:$(jobs_on 1)
$H/host2/normalize.log:$(jobs_on 2)"
	[ "$(cat "$H"/host*/rsync.log | wc -l)" -eq 0 ]
	assert_clean
}

@test "parallel-ssh: --transfer sends files not on the hosts, the schema once, and removes the copies" {
	run --separate-stderr "$HP" -j 1 -S host1,host2 --transfer c.schema data/part.*
	assert_success
	printf '%s\n' "$output" > "$T/got"
	assert_same "$CL/parts.want" "$T/got"
	[ "$(jobs_on 1)" -ge 1 ] && [ "$(jobs_on 2)" -ge 1 ]
	[ $(( $(jobs_on 1) + $(jobs_on 2) )) -eq 5 ]
	local i n
	for i in 1 2; do
		# each map read its copies, by relative paths, in a
		# directory of its own under the host's home
		n=$(grep -c "^$H/host$i/home/\.hist-parallel-[^ /]*-[0-9]* -q -s ${CL#/}/c\.schema ${CL#/}/data/part\.a[a-e]\(\.gz\)\?\$" \
		    "$H/host$i/normalize.log")
		[ "$n" -eq "$(jobs_on $i)" ]
		# one rsync received each file, one the schema; one sent
		# back each histogram
		[ "$(rsync_on $i)" -eq $((n + 1)) ]
		[ "$(rsync_on $i --sender)" -eq "$n" ]
	done
	assert_clean
}

@test "parallel-ssh: --pipepart over ssh, --sshloginfile, only the schema sent" {
	printf 'host1\nhost2\n' > "$T/logins"
	run --separate-stderr "$HP" -j 1 --sshloginfile "$T/logins" --transfer c.schema big.jsonl
	assert_success
	printf '%s\n' "$output" > "$T/got"
	assert_same "$CL/big.want" "$T/got"
	# three blocks from the standard input, on both hosts
	[ $(( $(jobs_on 1) + $(jobs_on 2) )) -eq 3 ]
	[ "$(jobs_on 1)" -ge 1 ] && [ "$(jobs_on 2)" -ge 1 ]
	run grep -vc "^$H/host[12]/home/\.hist-parallel-[^ /]*-[0-9]* -q -s ${CL#/}/c\.schema\$" \
	    "$H/host1/normalize.log" "$H/host2/normalize.log"
	assert_output "$H/host1/normalize.log:0
$H/host2/normalize.log:0"
	[ "$(rsync_on 1)" -eq 1 ] && [ "$(rsync_on 2)" -eq 1 ]
	[ "$(rsync_on 1 --sender)" -eq 0 ] && [ "$(rsync_on 2 --sender)" -eq 0 ]
	assert_clean
	# and with -S, the schema at the same path
	run --separate-stderr "$HP" -j 1 -S host1,host2 c.schema big.jsonl
	assert_success
	printf '%s\n' "$output" > "$T/got"
	assert_same "$CL/big.want" "$T/got"
	assert_clean
}

@test "parallel-ssh: --remote-files maps each SSHLOGIN:PATH on its host" {
	mkdir -p "$H/host1/home/tr" "$H/host2/home/tr"
	mv data/part.aa data/part.ab.gz "$H/host1/home/tr/"
	mv data/part.ac data/part.ad data/part.ae "$H/host2/home/tr/"
	run --separate-stderr "$HP" --remote-files c.schema host1:tr/part.aa \
	    host2:tr/part.ac host1:tr/part.ab.gz host2:"$H/host2/home/tr/part.ad" \
	    host2:tr/part.ae
	mv "$H"/host*/home/tr/* data/
	rmdir "$H/host1/home/tr" "$H/host2/home/tr"
	assert_success
	printf '%s\n' "$output" > "$T/got"
	assert_same "$CL/parts.want" "$T/got"
	[ "$(jobs_on 1)" -eq 2 ] && [ "$(jobs_on 2)" -eq 3 ]
	run grep -c 'tr/part\.a[ab]' "$H/host1/normalize.log"
	assert_output 2
	run grep -c 'tr/part\.a[cde]$' "$H/host2/normalize.log"
	assert_output 3
	# only the schema was sent
	[ "$(rsync_on 1)" -eq 1 ] && [ "$(rsync_on 2)" -eq 1 ]
	assert_clean
}

@test "parallel-ssh: the whole flow, as examples/parallel/README.md shows it: map per host, merge, join, report" {
	cp "$EX/xenia/ours.schema" "$T/"
	mkdir -p "$H/host1/home/traces" "$H/host2/home/traces" "$T/one" "$T/dist"
	cp "$DATA/parity/ours-iat.jsonl" "$H/host1/home/traces/"
	cp "$DATA/parity/ours-lr.jsonl" "$H/host2/home/traces/"
	# on one machine
	(
		cd "$T/one"
		trace-normalize -q -s "$CL/c.schema" "$DATA/parity/canary.jsonl" |
		    trace-key | trace-hist > canary.hist
		trace-normalize -q -s "$T/ours.schema" "$DATA/parity/ours-iat.jsonl" \
		    "$DATA/parity/ours-lr.jsonl" | trace-key | trace-hist > ours.hist
		trace-join --names canary,ours canary.hist ours.hist > join.tsv
		trace-report join.tsv > report.md
	)
	# the reference's pieces sent to the hosts, the candidate's mapped
	# where they lie
	cp c.schema "$T/ours.schema" "$T/dist/"
	ln -s "$CL/data" "$T/dist/data"
	run bash -ec '
		PATH=${1%/*}:$PATH
		cd "$2"
		hist-parallel.sh -S host1,host2 --transfer c.schema data/part.* >canary.hist
		hist-parallel.sh --remote-files ours.schema \
		    host1:traces/ours-iat.jsonl host2:traces/ours-lr.jsonl >ours.hist
		trace-join --names canary,ours canary.hist ours.hist >join.tsv
		trace-report join.tsv >report.md
	' flow "$HP" "$T/dist"
	rm -r "$H/host1/home/traces" "$H/host2/home/traces"
	assert_success
	for f in canary.hist ours.hist join.tsv report.md; do
		assert_same "$T/one/$f" "$T/dist/$f"
	done
	[ "$(jobs_on 1)" -ge 2 ] && [ "$(jobs_on 2)" -ge 2 ]
	assert_clean
}

@test "parallel-ssh: a login to a port where no server listens fails the run" {
	run --separate-stderr "$HP" -j 1 -S host1,down --transfer c.schema data/part.*
	assert_failure 2
	assert_output ""
	# the job that went to 'down', named as given
	[[ "$stderr" =~ (^|$'\n')"hist-parallel.sh: down: data/part.a"[a-e](.gz)?": failed (exit 255)"($'\n'|$) ]]
	run grep -v '^hist-parallel.sh: down: data/part\.a[a-e]\(\.gz\)\?: failed (exit 255)$' <<< "$stderr"
	refute_output --partial hist-parallel.sh:
	assert_clean
}

@test "parallel-ssh: a bad file on one host fails the run" {
	mkdir -p "$H/host1/home/tr" "$H/host2/home/tr"
	cp data/part.aa "$H/host1/home/tr/"
	{ head -n 5 data/part.ac; echo '{"op": "set", "lr": '; } > "$H/host2/home/tr/bad.jsonl"
	run --separate-stderr "$HP" --remote-files c.schema host1:tr/part.aa host2:tr/bad.jsonl
	rm -r "$H/host1/home/tr" "$H/host2/home/tr"
	assert_failure 2
	assert_output ""
	run grep '^hist-parallel.sh:' <<< "$stderr"
	assert_output "hist-parallel.sh: host2: tr/bad.jsonl: failed (exit 2)"
	# trace-normalize said why
	[[ "$stderr" == *"trace-normalize: ../tr/bad.jsonl:6: "* ]]
	assert_clean

	# in --pipepart mode: FILE block N
	{ cat big.jsonl; echo '{"op": "set", "lr": '; } > "$T/bad-big.jsonl"
	run --separate-stderr "$HP" -j 1 -S host1,host2 --transfer c.schema "$T/bad-big.jsonl"
	assert_failure 2
	assert_output ""
	run grep '^hist-parallel.sh:' <<< "$stderr"
	assert_output --regexp "^hist-parallel.sh: host[12]: $T/bad-big.jsonl block 3: failed \(exit 2\)\$"
	assert_clean
}
