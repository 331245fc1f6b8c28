#!/usr/bin/env bats
# vessel behind podman with cgroup_manager = "systemd", against systemd as
# PID 1 (tests/vm/run-suites systemd/vm): podman runs vessel --systemd-cgroup
# with cgroupsPath "machine.slice:libpod:ID", so the container is
# libpod-ID.scope in machine.slice, its limits unit properties, and the
# scope goes with the container.  The podman setup is podman.bats's
# (tests/clients/podman-helpers.bash).  Lean on purpose: each podman call
# costs seconds under TCG.

load ../clients/podman-helpers

setup_file() {
	CL_SKIP=$(cl_missing podman conmon systemctl)
	if [[ -z $CL_SKIP && ! -d /run/systemd/system ]]; then
		CL_SKIP="systemd is not PID 1 here (tests/vm/run-suites systemd/vm boots it)"
	elif [[ -z $CL_SKIP ]] && ! grep -qw memory "$(cgroup2_mount)/cgroup.controllers" 2>/dev/null; then
		CL_SKIP="needs the memory controller in the cgroup2 tree"
	fi
	export CL_SKIP
	[[ -z $CL_SKIP ]] || return 0
	cl_prepare
	pm_setup_file systemd
}

teardown_file() {
	[[ -n ${CL_DIR:-} && -f $CL_DIR/containers.conf ]] || return 0
	pm_teardown_file
	[[ -z $PM_LEAKS ]] || fail "left behind: $PM_LEAKS"
}

setup() {
	[[ -z ${CL_SKIP:-} ]] || skip "$CL_SKIP"
}

teardown() {
	[[ -z ${CL_SKIP:-} ]] || return 0
	pm_teardown
}

@test "podman systemd: run -d makes libpod-ID.scope in machine.slice with the memory limit; update; stop and rm leave no scope" {
	name=$(cl_new_name)
	pm_run_d "$name" --memory 64m "$PM_IMAGE" sleep 1000
	id=$(cat "$CL_DIR/$name.cid")
	unit=libpod-$id.scope
	cg=$(cgroup2_mount)/machine.slice/$unit
	pid=$(pm inspect -f '{{.State.Pid}}' "$name")
	assert_equal "$(awk -F: '$1 == 0 { print $3 }' "/proc/$pid/cgroup")" "/machine.slice/$unit"
	run systemctl show -p ActiveState -p Slice -p Delegate -p MemoryMax "$unit"
	assert_line ActiveState=active
	assert_line Slice=machine.slice
	assert_line Delegate=yes
	assert_line MemoryMax=67108864
	assert_equal "$(cat "$cg/memory.max")" 67108864
	# podman update runs vessel --systemd-cgroup update --resources=FILE
	run pm update --memory 128m "$name"
	assert_success
	assert_equal "$(systemctl show -P MemoryMax "$unit")" 134217728
	run pm exec "$name" cat /sys/fs/cgroup/memory.max
	assert_output 134217728
	run pm stop -t 0 "$name"
	assert_success
	[ "$(pm_status "$name")" = exited ]
	# podman's cleanup after the exit runs vessel delete: the unit goes then
	assert_equal "$(systemctl show -P LoadState "$unit")" not-found
	[[ ! -e $cg ]] || fail "$cg is left"
	run pm rm "$name"
	assert_success
}
