#!/usr/bin/env bats
# `vessel spec`: the default config.json, its rootless variant, refusing to
# overwrite, and that vessel itself accepts and runs what it writes.

load helpers

setup() {
	setup_bundle
	SPECDIR=$BATS_TEST_TMPDIR/spec
	mkdir -p "$SPECDIR"
}

@test "spec writes runc's default config in the current directory" {
	cd "$SPECDIR"
	run "$VESSEL" spec
	assert_success
	assert_output ""
	local c=$SPECDIR/config.json
	jq -e . "$c" >/dev/null
	jq -e '.ociVersion == "1.3.0"' "$c"
	jq -e '.process.terminal == true and .process.args == ["sh"] and .process.cwd == "/"' "$c"
	jq -e '.process.user.uid == 0 and .process.user.gid == 0' "$c"
	jq -e '.process.env | index("TERM=xterm") and (map(startswith("PATH=")) | any)' "$c"
	jq -e '.process.noNewPrivileges == true' "$c"
	jq -e '.process.rlimits == [{"type":"RLIMIT_NOFILE","hard":1024,"soft":1024}]' "$c"
	jq -e '.process.capabilities.bounding == ["CAP_AUDIT_WRITE","CAP_KILL","CAP_NET_BIND_SERVICE"]' "$c"
	jq -e '.process.capabilities.effective == .process.capabilities.bounding and
	       .process.capabilities.permitted == .process.capabilities.bounding' "$c"
	# inheritable/ambient stay empty (CVE-2022-29162)
	jq -e '(.process.capabilities.inheritable // []) == [] and (.process.capabilities.ambient // []) == []' "$c"
	jq -e '.root == {"path":"rootfs","readonly":true}' "$c"
	jq -e '.hostname == "vessel"' "$c"
	jq -e '[.mounts[].destination] == ["/proc","/dev","/dev/pts","/dev/shm","/dev/mqueue","/sys","/sys/fs/cgroup"]' "$c"
	jq -e '.mounts[] | select(.destination == "/dev/pts") | .options | index("gid=5") and index("newinstance")' "$c"
	jq -e '.mounts[] | select(.destination == "/sys") | .type == "sysfs" and (.options | index("ro"))' "$c"
	# a cgroup namespace only where /sys/fs/cgroup is cgroup2, as runc
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		jq -e '[.linux.namespaces[].type] == ["pid","network","ipc","uts","mount","cgroup"]' "$c"
	else
		jq -e '[.linux.namespaces[].type] == ["pid","network","ipc","uts","mount"]' "$c"
	fi
	jq -e '.linux.maskedPaths | index("/proc/kcore") and index("/sys/firmware") and index("/proc/keys")' "$c"
	jq -e '.linux.readonlyPaths | index("/proc/sys") and index("/proc/sysrq-trigger")' "$c"
	jq -e '.linux.resources.devices[0].allow == false and .linux.resources.devices[0].access == "rwm"' "$c"
	jq -e '.linux | has("uidMappings") | not' "$c"
}

@test "spec includes the default seccomp profile" {
	run "$VESSEL" spec --bundle "$SPECDIR"
	assert_success
	local c=$SPECDIR/config.json
	jq -e '.linux.seccomp.defaultAction | startswith("SCMP_ACT_")' "$c"
	jq -e '[.linux.seccomp.syscalls[].names[]] | length > 100' "$c"
	jq -e '[.linux.seccomp.syscalls[] | select(.action == "SCMP_ACT_ALLOW") | .names[]] | index("execve") and index("read")' "$c"
	jq -e '.linux.seccomp.architectures | index("SCMP_ARCH_X86_64")' "$c"
}

@test "spec --rootless: user namespace mapped to the caller, no network namespace, /sys bound" {
	run "$VESSEL" spec --rootless --bundle "$SPECDIR"
	assert_success
	local c=$SPECDIR/config.json
	jq -e '[.linux.namespaces[].type] | index("user") and (index("network") | not)' "$c"
	jq -e --argjson u "$(id -u)" '.linux.uidMappings == [{"containerID":0,"hostID":$u,"size":1}]' "$c"
	jq -e --argjson g "$(id -g)" '.linux.gidMappings == [{"containerID":0,"hostID":$g,"size":1}]' "$c"
	jq -e '.mounts[] | select(.destination == "/sys") | .source == "/sys" and (.options | index("rbind") and index("ro"))' "$c"
	jq -e '.mounts[] | select(.destination == "/dev/pts") | .options | index("gid=5") | not' "$c"
	jq -e '.linux | has("resources") | not' "$c"
}

@test "spec never overwrites an existing config.json" {
	run "$VESSEL" spec --bundle "$SPECDIR"
	assert_success
	local before
	before=$(sha256sum <"$SPECDIR/config.json")
	run "$VESSEL" spec --bundle "$SPECDIR"
	assert_failure 1
	assert_output "vessel: spec: File $SPECDIR/config.json exists. Remove it first"
	assert_equal "$(sha256sum <"$SPECDIR/config.json")" "$before"
	# not even when the existing file is a dangling symlink
	rm "$SPECDIR/config.json"
	ln -s /nonexistent/target "$SPECDIR/config.json"
	run "$VESSEL" spec --bundle "$SPECDIR"
	assert_failure 1
	assert_output --partial "exists. Remove it first"
	[ ! -e /nonexistent/target ]
}

@test "spec into a missing directory fails and creates nothing" {
	run "$VESSEL" spec --bundle "$SPECDIR/missing"
	assert_failure 1
	assert_output --partial "spec: create $SPECDIR/missing/config.json: No such file or directory"
	[ ! -e "$SPECDIR/missing" ]
}

@test "spec: bad usage exits 1" {
	run "$VESSEL" spec extra-arg
	assert_failure 1
	assert_output --partial "spec: unexpected argument 'extra-arg'"
	run "$VESSEL" spec --rootless=yes
	assert_failure 1
	assert_output --partial "spec: option '--rootless' takes no argument"
	[ ! -e "$SPECDIR/config.json" ]
}

@test "vessel runs the config spec writes (non-interactive)" {
	rm "$BUNDLE/config.json"
	run "$VESSEL" spec
	assert_success
	update_config '.process.terminal = false | .process.args = ["sh", "-c", "echo hello from $(hostname); cat /proc/self/status | grep ^NoNewPrivs"]'
	run vessel run "$CID"
	assert_success
	assert_line "hello from vessel"
	assert_line --regexp '^NoNewPrivs:[[:space:]]+1$'
}

@test "vessel runs the config spec --rootless writes" {
	requires userns
	rm "$BUNDLE/config.json"
	run "$VESSEL" spec --rootless
	assert_success
	update_config '.process.terminal = false | .process.args = ["sh", "-c", "cat /proc/self/uid_map"]'
	run vessel run "$CID"
	assert_success
	assert_output --regexp "^ +0 +$(id -u) +1$"
}
