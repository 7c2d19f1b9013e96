# sshd-hosts.sh - local OpenSSH servers standing for remote machines, for
# tests/parallel-ssh.bats and bench/run.sh.  Sourced by bash.
#
#   sshd_hosts_start DIR TOP N	start hosts host1..hostN (N <= 9)
#   sshd_hosts_stop DIR		stop them and remove DIR
#
# Host I is an sshd of Debian's openssh-server run in the foreground (-D)
# by this user, listening on 127.0.0.I only, on a free port above 1024,
# with a host key made in DIR.  Its files are under DIR/hostI:
#
#   home/	its HOME, set by SetEnv, and the login directory (the
#		session starts with cd "$HOME", as on a real machine,
#		where the login directory is the user's home)
#   tmp/	its TMPDIR
#   prefix/	its own install of the tools: make install PREFIX=...
#   probe/	first in its PATH, empty: a test may put wrappers there
#   sshd.pid	the PID of its sshd, which sshd_hosts_stop kills
#
# With SSHD_HOSTS_PIN set, host I runs on CPU I-1 only (taskset; modulo
# the CPUs there are): a machine of one core.
#
# PATH on host I is probe/:prefix/bin:/usr/bin:/bin.  DIR/ssh_config is
# the client configuration, for ssh -F: Host hostI (HostName 127.0.0.I,
# its Port), Host down (a port of 127.0.0.1 where nothing listens), all
# with the user key DIR/id_ed25519, user $(id -un), known hosts in DIR.
# GNU parallel uses it through PARALLEL_SSH="ssh -F DIR/ssh_config".
#
# sshd_hosts_start returns 1 with the reason in SSHD_HOSTS_WHY when the
# hosts cannot be had (no sshd, no ssh, sshd does not start, no login);
# whatever it started is stopped again by sshd_hosts_stop.

# shellcheck shell=bash disable=SC2034  # SSHD_HOSTS_WHY is for the callers
SSHD_HOSTS_WHY=

# sshd_hosts_port: a random port number in 20000..59999.
sshd_hosts_port() {
	echo $((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000))
}

# sshd_hosts_free PORT ADDR: nothing listens on ADDR:PORT.
sshd_hosts_free() {
	! (exec 2>/dev/null; : > "/dev/tcp/$2/$1")
}

sshd_hosts_start() {
	local dir=$1 top=$2 n=$3 i h port try user pin senv v known=
	SSHD_HOSTS_WHY=
	if ! [ -x /usr/sbin/sshd ]; then
		SSHD_HOSTS_WHY="sshd not installed (Debian package openssh-server)"
		return 1
	fi
	for c in ssh ssh-keygen; do
		command -v $c >/dev/null 2>&1 || {
			SSHD_HOSTS_WHY="$c not installed (Debian package openssh-client)"
			return 1
		}
	done
	# sshd refuses to start without its privilege separation directory,
	# empty, which Debian's service makes at boot.  It is left in place:
	# another sshd may be using it.
	if ! [ -d /run/sshd ] && ! mkdir -m 755 /run/sshd 2>/dev/null; then
		SSHD_HOSTS_WHY="no /run/sshd, which sshd needs, and it cannot be made (not root)"
		return 1
	fi
	user=$(id -un)
	mkdir -p "$dir"
	ssh-keygen -q -t ed25519 -N '' -C user -f "$dir/id_ed25519" </dev/null || {
		SSHD_HOSTS_WHY="ssh-keygen failed"
		return 1
	}
	cp "$dir/id_ed25519.pub" "$dir/authorized_keys"
	for ((i = 1; i <= n; i++)); do
		h=$dir/host$i
		mkdir -p "$h/home" "$h/tmp" "$h/prefix" "$h/probe"
		ssh-keygen -q -t ed25519 -N '' -C host$i -f "$h/host_key" </dev/null
		# the tools, installed as a user would
		if ! make -C "$top" install PREFIX="$h/prefix" > "$h/install.log" 2>&1; then
			SSHD_HOSTS_WHY="make install PREFIX=$h/prefix failed: $(tail -n 1 "$h/install.log")"
			return 1
		fi
		pin=
		if [ -n "${SSHD_HOSTS_PIN:-}" ] && command -v taskset >/dev/null 2>&1; then
			pin="taskset -c $(( (i - 1) % $(nproc) ))"
		fi
		# a sanitized build (make check-asan) runs with the same
		# sanitizer options there
		senv=
		for v in ASAN_OPTIONS UBSAN_OPTIONS; do
			[ -z "${!v:-}" ] || senv="$senv $v=${!v}"
		done
		for ((try = 1; try <= 10; try++)); do
			port=$(sshd_hosts_port)
			sshd_hosts_free "$port" 127.0.0.$i || continue
			cat > "$h/sshd_config" <<-EOF
			ListenAddress 127.0.0.$i:$port
			HostKey $h/host_key
			PidFile $h/sshd.pid
			AuthorizedKeysFile $dir/authorized_keys
			AuthenticationMethods publickey
			PubkeyAuthentication yes
			PasswordAuthentication no
			KbdInteractiveAuthentication no
			PermitRootLogin prohibit-password
			AllowUsers $user
			UsePAM no
			StrictModes no
			PermitUserEnvironment no
			AcceptEnv NONE
			MaxStartups 100
			PrintMotd no
			PrintLastLog no
			X11Forwarding no
			AllowTcpForwarding no
			AllowAgentForwarding no
			SetEnv HOME=$h/home TMPDIR=$h/tmp PATH=$h/probe:$h/prefix/bin:/usr/bin:/bin$senv
			ForceCommand cd "\$HOME" && eval "\$SSH_ORIGINAL_COMMAND"
			LogLevel INFO
			EOF
			rm -f "$h/sshd.log"
			$pin /usr/sbin/sshd -D -f "$h/sshd_config" -E "$h/sshd.log" \
			    </dev/null >/dev/null 2>&1 3>&- &
			echo $! > "$h/sshd.pid.started"
			# up when it listens; gone when it could not bind
			local k
			for ((k = 0; k < 100; k++)); do
				grep -q 'Server listening' "$h/sshd.log" 2>/dev/null && break
				kill -0 "$(cat "$h/sshd.pid.started")" 2>/dev/null || break
				sleep 0.05
			done
			grep -q 'Server listening' "$h/sshd.log" 2>/dev/null && break
			kill "$(cat "$h/sshd.pid.started")" 2>/dev/null
			wait "$(cat "$h/sshd.pid.started")" 2>/dev/null
			rm -f "$h/sshd.pid.started"
			grep -q 'Address already in use' "$h/sshd.log" 2>/dev/null || {
				SSHD_HOSTS_WHY="sshd does not start: $(tail -n 2 "$h/sshd.log" 2>/dev/null | tr '\n' ' ')"
				return 1
			}
		done
		if ! [ -f "$h/sshd.pid.started" ]; then
			SSHD_HOSTS_WHY="sshd found no free port on 127.0.0.$i"
			return 1
		fi
		echo "$port" > "$h/port"
		known="${known}[127.0.0.$i]:$port $(cut -d' ' -f1,2 "$h/host_key.pub")
"
	done
	printf '%s' "$known" > "$dir/known_hosts"
	# a port where nothing listens
	port=$(sshd_hosts_port)
	while ! sshd_hosts_free "$port" 127.0.0.1; do port=$(sshd_hosts_port); done
	{
		for ((i = 1; i <= n; i++)); do
			printf 'Host host%d\n\tHostName 127.0.0.%d\n\tPort %s\n' \
			    "$i" "$i" "$(cat "$dir/host$i/port")"
		done
		printf 'Host down\n\tHostName 127.0.0.1\n\tPort %s\n' "$port"
		cat <<-EOF
		Host *
			User $user
			IdentityFile $dir/id_ed25519
			IdentitiesOnly yes
			UserKnownHostsFile $dir/known_hosts
			GlobalKnownHostsFile /dev/null
			StrictHostKeyChecking yes
			BatchMode yes
			ConnectTimeout 10
			ControlMaster no
			ControlPath none
			LogLevel ERROR
		EOF
	} > "$dir/ssh_config"
	# a login sees its own HOME, login directory and tools
	for ((i = 1; i <= n; i++)); do
		h=$dir/host$i
		local got
		got=$(ssh -F "$dir/ssh_config" host$i 'echo "$HOME $PWD $(command -v trace-hist)"' 2>&1 </dev/null)
		if [ "$got" != "$h/home $h/home $h/prefix/bin/trace-hist" ]; then
			SSHD_HOSTS_WHY="no login to host$i: $got"
			return 1
		fi
	done
}

sshd_hosts_stop() {
	local dir=$1 f pid
	for f in "$dir"/host*/sshd.pid.started; do
		[ -f "$f" ] || continue
		pid=$(cat "$f")
		kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
		rm -f "$f"
	done
	rm -rf "$dir"
	return 0
}
