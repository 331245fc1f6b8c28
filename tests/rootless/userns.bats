#!/usr/bin/env bats
# User namespaces written by an unprivileged user: its own id directly,
# wider maps through newuidmap/newgidmap; and what rootless mode does
# instead of what needs privilege (device nodes, sysfs).

load helpers

setup() {
	rootless_setup
}

teardown() {
	rootless_teardown
}

# container root = the user, 1..65536 = its subordinate ids
multi_range() {
	rl_config ".linux.uidMappings = [{containerID: 0, hostID: $RL_UID, size: 1}, {containerID: 1, hostID: $RL_SUBUID, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: $RL_GID, size: 1}, {containerID: 1, hostID: $RL_SUBGID, size: 65536}]"
}

@test "rootless userns: a map of the user's own id is written directly, setgroups denied" {
	[[ $RL_MODE == rootless ]] || skip "as root of a user namespace vessel holds CAP_SETGID there"
	rl_config '.process.args = ["sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups"]'
	# no helper in PATH: it must not be needed
	run rl_as env PATH=/nonexistent "$VESSEL" run "$CID"
	assert_success
	assert_line --index 0 --regexp "^ +0 +$RL_UID +1\$"
	assert_line --index 1 --regexp "^ +0 +$RL_GID +1\$"
	assert_line --index 2 deny
}

@test "rootless userns: root plus 65536 subordinate ids through newuidmap/newgidmap" {
	[[ $RL_MODE == rootless ]] || skip "the subordinate ids are the user's, not its namespace root's"
	multi_range
	rl_config '.root.readonly = false
		| .process.capabilities.bounding += ["CAP_CHOWN"] | .process.capabilities.effective += ["CAP_CHOWN"]
		| .process.capabilities.permitted += ["CAP_CHOWN"]
		| .process.args = ["sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups && touch /owned && chown 1000:2000 /owned"]'
	run rl run "$CID"
	assert_success
	assert_line --index 0 --regexp "^ +0 +$RL_UID +1\$"
	assert_line --index 1 --regexp "^ +1 +$RL_SUBUID +65536\$"
	assert_line --index 2 --regexp "^ +0 +$RL_GID +1\$"
	assert_line --index 3 --regexp "^ +1 +$RL_SUBGID +65536\$"
	# newgidmap, holding CAP_SETGID, needs no "deny": groups still work
	assert_line --index 4 allow
	# container uid 1000 is the 1000th subordinate id on the host
	[[ $(stat -c '%u:%g' "$BUNDLE/rootfs/owned") == "$((RL_SUBUID + 999)):$((RL_SUBGID + 1999))" ]]
}

@test "rootless userns: a multi-range map without newuidmap fails naming it, nothing left" {
	[[ $RL_MODE == rootless ]] || skip "as root of a user namespace the kernel refuses the map itself"
	multi_range
	run rl_as env PATH=/nonexistent "$VESSEL" run "$CID"
	assert_failure
	assert_output --partial "linux.uidMappings: newuidmap: not found in PATH"
	assert_output --partial "package uidmap"
	[[ ! -e $ROOT/$CID ]]
}

@test "rootless userns: ids outside the user's subordinate ranges are refused by newuidmap" {
	[[ $RL_MODE == rootless ]] || skip "as root of a user namespace the kernel refuses the map itself"
	rl_config '.linux.uidMappings = [{containerID: 0, hostID: 0, size: 1}]'
	run rl run "$CID"
	assert_failure
	assert_output --partial "linux.uidMappings: newuidmap"
	assert_output --partial "/etc/subuid"
	[[ ! -e $ROOT/$CID ]]
}

@test "rootless userns: exec joins the user namespace and sees the same maps" {
	[[ $RL_MODE == rootless ]] || skip "one id only under unshare -r"
	multi_range
	rl_config '.process.args = ["sleep", "300"]'
	detached rl run -d "$CID"
	run rl exec --user 1000:1000 "$CID" sh -c 'id -u; id -g; wc -l < /proc/self/uid_map'
	assert_success
	assert_output $'1000\n1000\n2'
}

@test "rootless: device nodes are bind mounts of the host's (no mknod in a user namespace)" {
	rl_config '.process.args = ["sh", "-c", "echo x > /dev/null && head -c 4 /dev/zero | wc -c && stat -c %t:%T /dev/null /dev/zero && grep -E \" /dev/(null|zero) \" /proc/self/mountinfo | wc -l"]'
	run rl run "$CID"
	assert_success
	assert_output $'4\n1:3\n1:5\n2'
}

@test "rootless: linux.devices are bound too, not made with mknod" {
	rl_config '.linux.devices = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438, "uid": 0, "gid": 0}]
		| .process.args = ["sh", "-c", "stat -c %t:%T /dev/fuse && grep -c \" /dev/fuse \" /proc/self/mountinfo"]'
	[[ -c /dev/fuse ]] || skip "no /dev/fuse on this host"
	run rl run "$CID"
	assert_success
	assert_output $'a:e5\n1'
}

@test "rootless: sysfs, which needs a network namespace of its own, becomes a read-only bind of /sys" {
	# what a config written for root has; spec --rootless binds /sys itself
	rl_config '(.mounts[] | select(.destination == "/sys")) |= {destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"]}
		| .process.args = ["sh", "-c", "test -d /sys/kernel && ! touch /sys/kernel/x 2>/dev/null && grep \" /sys \" /proc/self/mountinfo"]'
	run rl run "$CID"
	assert_success
	assert_output --regexp " ro,"
}

@test "rootless: a sysctl the user namespace does not own is refused by name" {
	rl_config '.linux.sysctl = {"net.ipv4.ip_forward": "1"}'
	run rl run "$CID"
	assert_failure
	assert_output --partial 'sysctl "net.ipv4.ip_forward"'
	[[ ! -e $ROOT/$CID ]]
}

@test "rootless: a namespaced sysctl of the container's own ipc namespace is written" {
	rl_config '.linux.sysctl = {"kernel.msgmax": "4096"} | .process.args = ["cat", "/proc/sys/kernel/msgmax"]'
	run rl run "$CID"
	assert_success
	assert_output 4096
}
