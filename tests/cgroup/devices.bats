#!/usr/bin/env bats
# devices: the BPF device program, seen from inside the container: the
# standard nodes work, everything else is EPERM unless a rule allows it.
# The probe device is /dev/loop-control (10:237): opening it needs no
# capability, so an EPERM can only come from the device program.  mknod is
# always allowed (as runc), so the probes make their own node in the
# container's /dev with CAP_MKNOD.

load cgroup-helpers

setup() {
	setup_bundle
	requires root cgroup2
	[[ -e /dev/loop-control ]] || modprobe loop 2>/dev/null || true
	[[ -e /dev/loop-control ]] || skip "needs /dev/loop-control (the loop driver)"
	update_config '.process.capabilities.bounding += ["CAP_MKNOD"] | .process.capabilities.effective += ["CAP_MKNOD"] | .process.capabilities.permitted += ["CAP_MKNOD"]'
}

mknod_probe() {
	echo 'mknod /dev/probe c 10 237 && vprobe open /dev/probe'
}

@test "devices: a denied device fails with EPERM, the standard nodes work" {
	start_detached sleep 1000
	run vessel exec "$CID" sh -c "$(mknod_probe) r"
	assert_failure
	assert_output --partial EPERM
	run vessel exec "$CID" vprobe open /dev/null rw
	assert_success
	run vessel exec "$CID" sh -c 'head -c 4 /dev/urandom | wc -c'
	assert_success
	assert_output 4
}

@test "devices: an allow rule opens exactly the access it names" {
	update_config '.linux.resources.devices += [{"allow": true, "type": "c", "major": 10, "minor": 237, "access": "r"}]'
	start_detached sleep 1000
	run vessel exec "$CID" sh -c "$(mknod_probe) r"
	assert_success
	run vessel exec "$CID" vprobe open /dev/probe w
	assert_failure
	assert_output --partial EPERM
	run vessel exec "$CID" vprobe open /dev/probe rw
	assert_failure
	assert_output --partial EPERM
}

@test "devices: a later deny overrides an earlier allow-all" {
	update_config '.linux.resources.devices = [{"allow": true, "access": "rwm"}, {"allow": false, "type": "c", "major": 10, "minor": 237, "access": "w"}]'
	start_detached sleep 1000
	run vessel exec "$CID" sh -c "$(mknod_probe) r"
	assert_success
	run vessel exec "$CID" vprobe open /dev/probe w
	assert_failure
	assert_output --partial EPERM
}

@test "devices: linux.devices nodes are allowed" {
	update_config '.linux.devices = [{"path": "/dev/loop-control", "type": "c", "major": 10, "minor": 237}]'
	start_detached sleep 1000
	run vessel exec "$CID" vprobe open /dev/loop-control rw
	assert_success
}
