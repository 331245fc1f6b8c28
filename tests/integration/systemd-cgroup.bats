#!/usr/bin/env bats
# --systemd-cgroup where systemd is not PID 1 (this host; the driver itself
# is tested against systemd in the VM: tests/systemd, run-suites systemd/vm):
# a clear error at once, nothing left behind; and the driver's library
# (libsystemd, dlopen()ed by runtime/cgroup/sd-bus.c) stays out of the
# commands that do not use it.

load helpers

setup() {
	setup_bundle
	[[ -d /run/systemd/system ]] && skip "systemd is running here"
	return 0
}

@test "systemd-cgroup: without systemd, run fails at once saying so, and leaves nothing" {
	local secs=$((100000 + RANDOM)) # names this test's process alone
	set_args sleep "$secs"
	for path in "" "system.slice:vessel:$CID" ":x:$CID"; do
		update_config '.linux.cgroupsPath = "'"$path"'"'
		run "$VESSEL" --root "$ROOT" --systemd-cgroup run -d "$CID"
		assert_failure
		assert_output --partial "systemd is not running"
		[ ! -e "$ROOT/$CID" ] || fail "state dir left behind for \"$path\""
		run pgrep -x -f "sleep $secs"
		assert_failure
	done
	# nothing under the cgroup2 mount either (the scope's would-be path)
	[ ! -e "$(cgroup2_mount)/system.slice/vessel-$CID.scope" ]
}

@test "systemd-cgroup: a cgroupsPath that is not slice:prefix:name is refused, naming the form" {
	set_args true
	for path in "/a/b" "a:b" "a:b:c:d" "system.slice:p:x.slice" "bad:p:x"; do
		update_config '.linux.cgroupsPath = "'"$path"'"'
		run "$VESSEL" --root "$ROOT" --systemd-cgroup run "$CID"
		assert_failure
		assert_output --regexp "slice:prefix:name|slice as the container's unit|not a slice name"
		[ ! -e "$ROOT/$CID" ]
	done
}

@test "systemd-cgroup: a container without the driver does not load libsystemd" {
	set_args sleep 1000
	"$VESSEL" --root "$ROOT" run "$CID" </dev/null >/dev/null 2>&1 &
	local pid=$!
	wait_for_status "$CID" running
	run grep -c libsystemd "/proc/$pid/maps"
	kill -9 "$(container_pid "$CID")" 2>/dev/null || true
	wait "$pid" || true
	assert_output 0
}

@test "systemd-cgroup: features reports the driver" {
	run "$VESSEL" features
	assert_success
	jq -e '.linux.cgroup.systemd == true' <<<"$output"
}
