#!/usr/bin/env bats
# What containerd's runc v2 shim and podman's conmon rely on, checked without
# the daemons (tests/clients/*.bats drive the real ones): the outcomes and
# error wording they match, and configs they send that vessel once refused.

load helpers
bats_require_minimum_version 1.5.0

# The shim reads the last "level":"error" line of --log and shows its msg.
@test "clients: errors reach --log as JSON lines, runc's wording for a missing container" {
	log=$BATS_TEST_TMPDIR/log.json
	run "$VESSEL" --root "$ROOT" --log "$log" --log-format json delete nosuch
	assert_failure
	assert_output --partial 'does not exist'
	run jq -r 'select(.level == "error") | .msg' "$log"
	assert_success
	assert_output --partial 'container "nosuch" does not exist'
	run "$VESSEL" --root "$ROOT" --log "$log" --log-format json kill nosuch 9
	assert_failure
	[ "$(jq -s 'map(select(.level == "error")) | length' "$log")" -eq 2 ]
}

# delete --force after a failed create (the shim always sends it).
@test "clients: delete --force of a missing container succeeds, plain delete does not" {
	run vessel delete --force nosuch
	assert_success
	run vessel delete nosuch
	assert_failure
	assert_output --partial 'does not exist'
}

# containerd's shim runs this after every container's end, from its `delete`
# (cleanup) mode, for a container its Delete already removed.  Docker's log
# shows "failed to remove runc container ... exit status 255" for it now and
# then, with runc as with vessel: the shim's own SIGCHLD reaper can reap the
# runtime before go-runc's Wait does, which go-runc reports as 255 (seen
# with strace: the runtime exits 0).  The runtime's part is this.
@test "clients: the shim's cleanup delete --force of a container already deleted: exit 0, no output, as runc" {
	set_args true
	detached vessel create "$CID" || fail "create: $(cat "$BATS_TEST_TMPDIR/detached.log")"
	run vessel delete --force "$CID"
	assert_success
	cd "$BUNDLE"
	run --separate-stderr "$VESSEL" --root "$ROOT" --log "$BUNDLE/log.json" --log-format json delete --force "$CID"
	assert_success
	assert_equal "$output" ""
	assert_equal "$stderr" ""
	[ ! -s "$BUNDLE/log.json" ] || fail "log.json: $(cat "$BUNDLE/log.json")"
	command -v runc >/dev/null || return 0
	mkdir "$BATS_TEST_TMPDIR/runc-root"
	run --separate-stderr runc --root "$BATS_TEST_TMPDIR/runc-root" --log "$BATS_TEST_TMPDIR/runc-log.json" \
		--log-format json delete --force "$CID"
	assert_success
	assert_equal "$output$stderr" ""
	[ ! -s "$BATS_TEST_TMPDIR/runc-log.json" ]
}

# The shim sends `kill --all ID 9` when an init that shares a pid namespace
# exits, to reap what it left; runc succeeds there.
@test "clients: kill --all reaches processes that outlived the init, and succeeds once stopped" {
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
	set_cmd 'sleep 1000 & echo $! > /tmp/orphan; exec sleep 1000'
	update_config '.root.readonly = false'
	detached vessel run -d "$CID"
	wait_for_status "$CID" running
	retry 50 0.1 test -s "$BUNDLE/rootfs/tmp/orphan"
	init=$(container_pid "$CID")
	# no pid namespace: $! is the host pid
	orphan=$(cat "$BUNDLE/rootfs/tmp/orphan")
	kill -0 "$orphan" || fail "no orphan sleep $orphan"
	kill -9 "$init"
	wait_for_status "$CID" stopped
	kill -0 "$orphan" || fail "the orphan died with the init: nothing to test"
	run vessel kill "$CID" KILL
	assert_failure
	assert_output --partial 'container not running'
	run vessel kill --all "$CID" KILL
	assert_success
	retry 50 0.1 sh -c "! kill -0 $orphan 2>/dev/null"
	run vessel kill --all "$CID" KILL
	assert_success
}

# With the systemd driver systemd removes a scope's cgroup once it is empty,
# before containerd's CRI sends `kill --all ID 9` after the exit (it retries
# the exit until that succeeds): nothing left to signal is success, as in runc.
@test "clients: kill --all of a stopped container whose cgroup is gone succeeds" {
	requires root cgroup2
	set_cmd 'exit 0'
	detached vessel run -d "$CID"
	wait_for_status "$CID" stopped
	rel=$(jq -r '.cgroupPath // empty' "$ROOT/$CID/state.json")
	[[ -n $rel ]] || skip "the container has no cgroup here"
	rmdir "$(cgroup2_mount)$rel"
	run vessel kill --all "$CID" KILL
	assert_success
	run vessel kill "$CID" KILL
	assert_failure
	assert_output --partial 'container not running'
	run vessel delete "$CID"
	assert_success
}

# containerd's default spec carries cpu.shares 1024, the default weight;
# on a host whose cgroup2 has no cpu controller that is no limit to refuse.
@test "clients: cpu shares 1024 (containerd's default) runs where cgroup2 has no cpu controller" {
	requires cgroup_hybrid
	grep -qw cpu "$(cgroup2_mount)/cgroup.controllers" && skip "cpu is in this host's cgroup2"
	update_config '.linux.resources.cpu = {"shares": 1024}'
	set_args true
	run vessel run "$CID"
	assert_success
	# other shares go to the v1 cpu cgroup there (cgroup-hybrid.bats)
	update_config '.linux.resources.cpu = {"shares": 1025}'
	run vessel run "$(new_id)"
	assert_success
}

# podman and docker turn "no such file or directory" into exit 127 and
# "permission denied" into 126, but only when create fails (as with runc), not
# start; docker matches runc's lower-case wording case-sensitively.
@test "clients: create fails for a missing or non-executable absolute path, runc's wording" {
	set_args /no/such/binary
	run vessel create "$CID"
	assert_failure
	assert_output --partial 'exec "/no/such/binary": stat /no/such/binary: no such file or directory'
	[ ! -e "$ROOT/$CID" ]
	set_args /etc/passwd
	run vessel create "$CID"
	assert_failure
	assert_output --partial 'exec "/etc/passwd": permission denied'
	[ ! -e "$ROOT/$CID" ]
	set_args /bin
	run vessel create "$CID"
	assert_failure
	assert_output --partial 'exec "/bin": permission denied'
	set_args no-such-command
	run vessel create "$CID"
	assert_failure
	assert_output --partial 'exec "no-such-command": executable file not found in $PATH: no such file or directory'
}

# podman stats and containerd's metrics read the v1 controllers at the
# container's cgroupsPath on a hybrid host.
@test "clients: on a hybrid host the init joins a v1 cgroup in every hierarchy, removed by delete" {
	requires cgroup_hybrid
	update_config '.linux.cgroupsPath = "/vessel-clients-test/'"$CID"'"'
	set_args sleep 1000
	detached vessel run -d "$CID"
	wait_for_status "$CID" running
	pid=$(container_pid "$CID")
	n=0
	while IFS=: read -r num _ path; do
		[[ $num == 0 ]] && continue
		assert_equal "$path" "/vessel-clients-test/$CID"
		n=$((n + 1))
	done <"/proc/$pid/cgroup"
	[ "$n" -gt 0 ] || fail "no v1 hierarchy in /proc/$pid/cgroup"
	memdir=$(awk '$3 == "cgroup" && $4 ~ /memory/ { print $2 }' /proc/mounts | head -n1)
	[ -n "$memdir" ] && grep -qx "$pid" "$memdir/vessel-clients-test/$CID/cgroup.procs"
	# The init was born in them, before its cgroup namespace, and an exec'd
	# process joins them: inside, every v1 path is the namespace root "/"
	# (not "/../x", which is what a later move would show).
	jq -e '.linux.namespaces | any(.type == "cgroup")' config.json >/dev/null ||
		fail "the test config has no cgroup namespace"
	run vessel exec "$CID" cat /proc/self/cgroup
	assert_success
	[ "$(grep -c ':/$' <<<"$output")" -eq "$(wc -l <<<"$output")" ] ||
		fail "exec's v1 cgroups are not the container's: $output"
	run vessel delete --force "$CID"
	assert_success
	run find /sys/fs/cgroup -maxdepth 3 -name "vessel-clients-test"
	assert_output ""
}

# containerd's shim pipes LinuxResources to `update --resources -`; podman
# writes a file and passes `--resources=FILE`.
@test "clients: update --resources - (stdin) and --resources=FILE" {
	set_args sleep 1000
	detached vessel run -d "$CID"
	wait_for_status "$CID" running
	run vessel update --resources - "$CID" <<<'{"cpu": {"shares": 1024}}'
	assert_success
	echo '{"cpu": {"shares": 1024}}' >"$BATS_TEST_TMPDIR/res.json"
	run vessel update --resources="$BATS_TEST_TMPDIR/res.json" "$CID"
	assert_success
	run vessel update --resources - "$CID" <<<'{"cpu": '
	assert_failure
	assert_output --partial "resources"
	run vessel ps --format json "$CID"
	assert_success
	assert_output "[$(container_pid "$CID")]"
}

# containerd's `--systemd-cgroup` with the slice:prefix:name form: without
# systemd, a clear error and nothing left.
@test "clients: --systemd-cgroup without systemd is a clear error" {
	[[ $(cat /proc/1/comm) == systemd ]] && skip "systemd is running here"
	update_config '.linux.cgroupsPath = "system.slice:vessel:'"$CID"'"'
	set_args true
	run "$VESSEL" --root "$ROOT" --systemd-cgroup run "$CID"
	assert_failure
	assert_output --partial "systemd is not running"
	[ ! -e "$ROOT/$CID" ]
}

# The shim's view of an init that dies between create and start: start fails
# with runc's wording, state says stopped, a plain delete cleans up.
@test "clients: an init that exits before start: start fails, delete succeeds" {
	set_args sleep 1000
	pidfile=$BATS_TEST_TMPDIR/init.pid
	detached vessel create --pid-file "$pidfile" "$CID"
	[ -s "$pidfile" ] || fail "no pid file when create returned"
	kill -9 "$(cat "$pidfile")"
	wait_for_status "$CID" stopped
	run vessel start "$CID"
	assert_failure
	assert_output --partial "cannot start a container that has stopped"
	run vessel kill "$CID" 15
	assert_failure
	assert_output --partial "container not running"
	run vessel delete "$CID"
	assert_success
	[ ! -e "$ROOT/$CID" ]
}
