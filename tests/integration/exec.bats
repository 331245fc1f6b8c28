#!/usr/bin/env bats
# vessel exec: joining a running container's namespaces and cgroup, the
# process overrides, exit codes, signals, tty, detach, refusals, concurrency.

load helpers

# A running container whose init sleeps; the exec'd processes join it.
start_sleeper() {
	set_args sleep 1000
	update_config '.hostname = "exec-box"'
	detached vessel run -d "$CID" || fail "run -d: $(cat "$BATS_TEST_TMPDIR/detached.log")"
	wait_for_status "$CID" running
}

cgroup_dir() {
	local rel
	rel=$(jq -r '.cgroupPath // empty' "$ROOT/$CID/state.json")
	[[ -n $rel ]] && echo "$(cgroup2_mount)$rel"
}

@test "exec sees the container's hostname, pid namespace and mounts" {
	start_sleeper
	run vessel exec "$CID" hostname
	assert_success
	assert_output "exec-box"

	run vessel exec "$CID" sh -c 'echo $$; cat /proc/1/cmdline | tr "\0" " "'
	assert_success
	[[ ${lines[0]} -ne 1 ]] || fail "exec'd process has pid 1"
	assert_line --index 1 "sleep 1000 "

	# The container's root, not the host's.
	run vessel exec "$CID" cat /proc/self/mountinfo
	assert_success
	root_line=$(awk '$5 == "/"' <<<"$output")
	[[ -n $root_line ]] || fail "no / mount seen"
	run vessel exec "$CID" test -e /usr/bin/vprobe
	assert_success
	run vessel exec "$CID" test -e "$BUNDLE"
	assert_failure
}

@test "exec into a --no-pivot container gets the container's root" {
	set_args sleep 1000
	detached vessel run -d --no-pivot "$CID" || fail "run -d: $(cat "$BATS_TEST_TMPDIR/detached.log")"
	wait_for_status "$CID" running
	run vessel exec "$CID" sh -c 'test -x /usr/bin/vprobe && echo in-rootfs; ls /tmp/bats-run-* 2>&1 | head -1'
	assert_success
	assert_line --index 0 in-rootfs
	assert_line --index 1 --partial "No such file"
}

@test "exec'd process is in the container's cgroup" {
	requires cgroup2
	start_sleeper
	dir=$(cgroup_dir)
	[[ -n $dir && -d $dir ]] || skip "container has no cgroup2 directory"
	detached vessel exec -d --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$CID" sleep 100 ||
		fail "exec -d: $(cat "$BATS_TEST_TMPDIR/detached.log")"
	pid=$(cat "$BATS_TEST_TMPDIR/exec.pid")
	[[ -d /proc/$pid ]] || fail "pid $pid from --pid-file does not exist"
	grep -qx "$pid" "$dir/cgroup.procs" || fail "pid $pid not in $dir/cgroup.procs: $(cat "$dir/cgroup.procs")"
	if vessel ps "$CID" >/dev/null 2>&1; then
		run vessel ps "$CID"
		assert_output --partial "$pid"
	fi
}

@test "exec env, cwd, user and capability overrides" {
	start_sleeper
	run vessel exec -e FOO=bar -e PATH=/bin:/usr/bin --cwd /tmp -u 1000:1001 "$CID" \
		sh -c 'echo "$FOO $PATH"; pwd; id -u; id -g'
	assert_success
	assert_line --index 0 "bar /bin:/usr/bin"
	assert_line --index 1 "/tmp"
	assert_line --index 2 "1000"
	assert_line --index 3 "1001"

	# The config's TERM is kept; -e adds.
	run vessel exec -e X=1 "$CID" sh -c 'echo "$TERM $X"'
	assert_output "xterm 1"

	run vessel exec --additional-gids 42 --additional-gids 43 -u 1000:1000 "$CID" id -G
	assert_success
	assert_output "1000 42 43"

	# The busybox config grants AUDIT_WRITE, KILL, NET_BIND_SERVICE (0x20000420).
	run vessel exec "$CID" sh -c 'grep CapEff /proc/self/status'
	assert_output --regexp 'CapEff:[[:space:]]+0+20000420$'
	run vessel exec --cap CAP_SYS_ADMIN "$CID" sh -c 'grep CapEff /proc/self/status'
	assert_output --regexp 'CapEff:[[:space:]]+0+20200420$'
	run vessel exec --cap CAP_NOPE "$CID" true
	assert_failure
	assert_output --partial "CAP_NOPE"

	run vessel exec --no-new-privs "$CID" sh -c 'grep NoNewPrivs /proc/self/status'
	assert_output --regexp 'NoNewPrivs:[[:space:]]+1'
}

@test "exec exit codes and signals" {
	start_sleeper
	run vessel exec "$CID" sh -c 'exit 7'
	assert_equal "$status" 7
	run vessel exec "$CID" sh -c 'kill -KILL $$'
	assert_equal "$status" 137

	# A signal to vessel reaches the process: it traps TERM and exits 42.
	"$VESSEL" --root "$ROOT" exec "$CID" sh -c 'trap "exit 42" TERM; echo ready; while :; do sleep 0.1; done' \
		>"$BATS_TEST_TMPDIR/out" &
	vpid=$!
	retry 50 0.1 grep -q ready "$BATS_TEST_TMPDIR/out"
	kill -TERM "$vpid"
	rc=0
	wait "$vpid" || rc=$?
	assert_equal "$rc" 42

	run vessel exec "$CID" /nonexistent
	assert_equal "$status" 255
	assert_output --partial "/nonexistent"
	run vessel exec --cwd /nonexistent "$CID" true
	assert_equal "$status" 255
	assert_output --partial "/nonexistent"
}

@test "exec runs under the container's seccomp filter, with only stdio and --preserve-fds" {
	requires seccomp
	[[ $(jq -r '.linux.seccomp.defaultAction // empty' config.json) == SCMP_ACT_ERRNO ]] ||
		skip "the test image has no allow-list seccomp profile"
	start_sleeper
	run vessel exec "$CID" sh -c 'grep Seccomp: /proc/self/status; vprobe syscall keyctl 0'
	assert_failure
	assert_line --regexp '^Seccomp:[[:space:]]+2$'
	assert_output --partial "keyctl: EPERM"

	run vessel exec "$CID" vprobe fds 7</dev/null
	assert_success
	refute_line --regexp '^[3-9] '
	run vessel exec --preserve-fds 2 "$CID" sh -c 'echo via-fd4 >&4; vprobe fds' 3</dev/null \
		4>"$BATS_TEST_TMPDIR/fd4" 7</dev/null
	assert_success
	assert_line --regexp '^3 '
	refute_line --regexp '^7 '
	run cat "$BATS_TEST_TMPDIR/fd4"
	assert_output via-fd4
	run vessel exec --preserve-fds 5 "$CID" true
	assert_failure
	assert_output --partial "is not open"
}

@test "exec with a NOTIFY filter hands its own notify fd to the agent" {
	requires seccomp helper seccomp-listener
	SOCK=$BATS_TEST_TMPDIR/agent.sock
	agent() { # N: one agent per process (each takes one connection)
		(cd / && exec "$HELPERS_DIR/seccomp-listener" "$SOCK" "$BATS_TEST_TMPDIR/agent$1.json" \
			>"$BATS_TEST_TMPDIR/agent$1.out" 2>&1) &
	}
	agent 1
	retry 50 0.1 test -S "$SOCK"
	update_config ".linux.seccomp = {defaultAction: \"SCMP_ACT_ALLOW\", listenerPath: \"$SOCK\",
		syscalls: [{names: [\"mkdir\", \"mkdirat\"], action: \"SCMP_ACT_NOTIFY\"}]}"
	start_sleeper
	retry 50 0.1 test -s "$BATS_TEST_TMPDIR/agent1.json"
	# The first agent now serves the init; a second one takes the socket
	# path over (rename) for the exec'd process.
	ino=$(stat -c %i "$SOCK")
	agent 2
	retry 50 0.1 sh -c "[ \"\$(stat -c %i '$SOCK')\" != $ino ]"
	run vessel exec "$CID" sh -c 'mkdir /tmp/by-agent && echo mkdir-ok; [ -e /tmp/by-agent ] || echo nothing-created; echo $$'
	assert_success
	assert_line --index 0 mkdir-ok
	assert_line --index 1 nothing-created
	retry 50 0.1 test -s "$BATS_TEST_TMPDIR/agent2.json"
	run jq -r '[.state.id, .state.status, (.pid > 1)] | join(" ")' "$BATS_TEST_TMPDIR/agent2.json"
	assert_output "$CID running true"
}

@test "exec --process JSON" {
	start_sleeper
	cat >"$BATS_TEST_TMPDIR/process.json" <<-'JSON'
	{
		"args": ["sh", "-c", "echo $MSG; pwd; id -u"],
		"env": ["MSG=from-process-json", "PATH=/bin"],
		"cwd": "/etc",
		"user": {"uid": 123, "gid": 456}
	}
	JSON
	run vessel exec --process "$BATS_TEST_TMPDIR/process.json" "$CID"
	assert_success
	assert_line --index 0 "from-process-json"
	assert_line --index 1 "/etc"
	assert_line --index 2 "123"

	run vessel exec --process "$BATS_TEST_TMPDIR/process.json" -e X=1 "$CID"
	assert_failure
	assert_output --partial "cannot be combined"
	run vessel exec --process "$BATS_TEST_TMPDIR/process.json" "$CID" echo extra
	assert_failure
	assert_output --partial "cannot be combined"

	echo '{"args": [], "cwd": "/"}' >"$BATS_TEST_TMPDIR/bad.json"
	run vessel exec --process "$BATS_TEST_TMPDIR/bad.json" "$CID"
	assert_failure
	run vessel exec --process "$BATS_TEST_TMPDIR/missing.json" "$CID"
	assert_failure
	assert_output --partial "missing.json"
}

@test "exec --tty with --console-socket" {
	requires helper recvtty
	start_sleeper
	sock=$BATS_TEST_TMPDIR/tty.sock
	"$HELPERS_DIR/recvtty" -n "$BATS_TEST_TMPDIR/name" "$sock" >"$BATS_TEST_TMPDIR/tty.out" &
	rpid=$!
	retry 50 0.1 test -S "$sock"
	detached vessel exec -t -d --console-socket "$sock" "$CID" sh -c 'tty; test -t 0 && echo stdin-is-tty' ||
		fail "exec -t -d: $(cat "$BATS_TEST_TMPDIR/detached.log")"
	wait "$rpid"
	run cat "$BATS_TEST_TMPDIR/tty.out"
	assert_output --partial "/dev/pts/"
	assert_output --partial "stdin-is-tty"
	run cat "$BATS_TEST_TMPDIR/name"
	assert_output --regexp '^/dev/pts/[0-9]+$'

	# -t in the foreground without a socket: vessel proxies the pty.
	run vessel exec -t "$CID" sh -c 'tty; exit 3'
	assert_equal "$status" 3
	assert_output --partial "/dev/pts/"

	# On a real terminal the pty has its size from the start.
	if command -v script >/dev/null; then
		run script -qec "stty rows 22 cols 66; $VESSEL --root $ROOT exec -t $CID stty size" /dev/null </dev/null
		assert_output --partial "22 66"
	fi

	# runc's rules for the combination of flags.
	run vessel exec -t -d "$CID" true
	assert_failure
	assert_output --partial "cannot allocate tty"
	run vessel exec --console-socket "$sock" "$CID" true
	assert_failure
	assert_output --partial "console socket"
}

@test "exec --detach returns at once and writes --pid-file" {
	start_sleeper
	SECONDS=0
	detached vessel exec -d --pid-file "$BATS_TEST_TMPDIR/p" "$CID" sh -c 'sleep 5; touch /done' ||
		fail "exec -d: $(cat "$BATS_TEST_TMPDIR/detached.log")"
	((SECONDS < 4)) || fail "exec -d waited for the process"
	pid=$(cat "$BATS_TEST_TMPDIR/p")
	[[ $pid =~ ^[0-9]+$ ]] || fail "pid file holds '$pid'"
	run cat "/proc/$pid/cmdline"
	assert_output --partial "sleep 5"
	[[ ! -e $BUNDLE/rootfs/done ]]
}

@test "exec refuses stopped and missing containers" {
	run vessel exec nosuch true
	assert_failure
	assert_output --partial 'does not exist'

	# A created one is let in, as runc does (runc-compat.bats).
	set_args true
	detached vessel create "$CID" || fail "create: $(cat "$BATS_TEST_TMPDIR/detached.log")"
	run vessel start "$CID"
	assert_success
	wait_for_status "$CID" stopped
	run vessel exec "$CID" true
	assert_failure
	assert_output --partial "cannot exec in a stopped container"
}

@test "exec into a paused container needs --ignore-paused" {
	requires cgroup2
	start_sleeper
	dir=$(cgroup_dir)
	[[ -n $dir && -e $dir/cgroup.freeze ]] || skip "no cgroup2 freezer for the container"
	if ! vessel pause "$CID" >/dev/null 2>&1; then
		echo 1 >"$dir/cgroup.freeze"
	fi
	wait_for_status "$CID" paused
	run vessel exec "$CID" true
	assert_failure
	assert_output --partial "cannot exec in a paused container (use --ignore-paused to override)"

	# It is let in, and runs once the container thaws.
	"$VESSEL" --root "$ROOT" exec --ignore-paused "$CID" sh -c 'echo joined' >"$BATS_TEST_TMPDIR/o" 2>&1 &
	epid=$!
	sleep 0.5
	echo 0 >"$dir/cgroup.freeze"
	rc=0
	wait "$epid" || rc=$?
	assert_equal "$rc" 0
	run cat "$BATS_TEST_TMPDIR/o"
	assert_output "joined"
}

@test "20 concurrent execs into one container all succeed" {
	start_sleeper
	# Wait for exactly these pids: `jobs -p` also lists the harness's own
	# timeout watchdog, which would make the test wait forever.
	local pids=()
	for i in $(seq 1 20); do
		"$VESSEL" --root "$ROOT" exec "$CID" sh -c "echo ok-$i" >"$BATS_TEST_TMPDIR/c$i" 2>&1 &
		pids+=($!)
	done
	fails=0
	for pid in "${pids[@]}"; do
		wait "$pid" || fails=$((fails + 1))
	done
	assert_equal "$fails" 0
	for i in $(seq 1 20); do
		run cat "$BATS_TEST_TMPDIR/c$i"
		assert_output "ok-$i"
	done
}

@test "exec usage errors" {
	run vessel exec
	assert_failure
	start_sleeper
	run vessel exec "$CID"
	assert_failure
	assert_output --partial "missing command"
	run vessel exec --preserve-fds x "$CID" true
	assert_failure
	run vessel exec -u abc "$CID" true
	assert_failure
	assert_output --partial "--user"
	run vessel exec --apparmor someprofile "$CID" true
	if [[ $(cat /sys/module/apparmor/parameters/enabled 2>/dev/null) != Y ]]; then
		assert_failure
		assert_output --partial "AppArmor is not enabled"
	fi
}
