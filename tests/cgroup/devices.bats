#!/usr/bin/env bats
# devices: the BPF device program, seen from inside the container.  Probes
# open device nodes the container makes itself (mknod is always allowed,
# as in runc; CAP_MKNOD is added) and that need no capability to open, so
# an EPERM can only come from the device program: /dev/loop-control
# (10:237) and /dev/kmsg (1:11) opened write-only.

load cgroup-helpers

setup() {
	setup_bundle
	requires root cgroup2
	[[ -e /dev/loop-control ]] || modprobe loop 2>/dev/null || true
	[[ -e /dev/loop-control ]] || skip "needs /dev/loop-control (the loop driver)"
	update_config '.process.capabilities.bounding += ["CAP_MKNOD"] | .process.capabilities.effective += ["CAP_MKNOD"] | .process.capabilities.permitted += ["CAP_MKNOD"]'
}

@test "devices: default deny is EPERM; standard nodes work; linux.devices need a rule" {
	update_config '.linux.devices = [{"path": "/dev/loop-control", "type": "c", "major": 10, "minor": 237}]
		| .linux.resources.devices = [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 10, "minor": 237, "access": "rw"}]'
	start_detached sleep 1000
	run vessel exec "$CID" sh -c 'mknod /dev/probe-kmsg c 1 11 && vprobe open /dev/probe-kmsg w'
	assert_failure
	assert_output --partial EPERM
	run vessel exec "$CID" vprobe open /dev/null rw
	assert_success
	run vessel exec "$CID" sh -c 'head -c 4 /dev/urandom | wc -c'
	assert_output 4
	run vessel exec "$CID" vprobe open /dev/loop-control rw
	assert_success
}

# An outside tester's report: a node created by linux.devices was writable
# under "deny all" (vessel allowed every linux.devices node; runc adds no
# rule for them and refuses both reads and writes).
@test "devices: a linux.devices node under deny-all is refused (read and write)" {
	update_config '.linux.devices = [{"path": "/dev/kmsg", "type": "c", "major": 1, "minor": 11}, {"path": "/dev/loop-control", "type": "c", "major": 10, "minor": 237}]
		| .linux.resources.devices = [{"allow": false, "access": "rwm"}]'
	start_detached sleep 1000
	run vessel exec "$CID" vprobe open /dev/kmsg w
	assert_failure
	assert_output --partial EPERM
	run vessel exec "$CID" vprobe open /dev/loop-control r
	assert_failure
	assert_output --partial EPERM
}

@test "devices: rules apply in order, last match wins, access letters count" {
	update_config '.linux.resources.devices = [{"allow": true, "access": "rwm"}, {"allow": false, "type": "c", "major": 10, "minor": 237, "access": "w"}, {"allow": false, "type": "c", "major": 1, "minor": 11, "access": "rw"}]'
	start_detached sleep 1000
	run vessel exec "$CID" sh -c 'mknod /dev/probe c 10 237 && vprobe open /dev/probe r'
	assert_success
	run vessel exec "$CID" vprobe open /dev/probe w
	assert_failure
	assert_output --partial EPERM
	run vessel exec "$CID" sh -c 'mknod /dev/probe-kmsg c 1 11 && vprobe open /dev/probe-kmsg w'
	assert_failure
	assert_output --partial EPERM
}
