#!/usr/bin/env bats
# The container process: user, groups, umask, cwd, env, rlimits,
# noNewPrivileges, oomScoreAdj, capabilities, scheduler, ioPriority,
# personality, execCPUAffinity, LSM labels.

load helpers

# Capability bit of a CAP_ name, from the kernel's numbering.
cap_bit() {
	case $1 in
	CAP_CHOWN) echo 0 ;; CAP_DAC_OVERRIDE) echo 1 ;; CAP_KILL) echo 5 ;;
	CAP_SETGID) echo 6 ;; CAP_SETUID) echo 7 ;; CAP_NET_BIND_SERVICE) echo 10 ;;
	CAP_NET_RAW) echo 13 ;; CAP_SYS_CHROOT) echo 18 ;; CAP_SYS_ADMIN) echo 21 ;;
	CAP_AUDIT_WRITE) echo 29 ;;
	*) return 1 ;;
	esac
}

cap_mask() {
	local m=0 c
	for c in "$@"; do m=$((m | (1 << $(cap_bit "$c")))); done
	printf '%016x\n' "$m"
}

@test "process: uid, gid and additionalGids" {
	requires helper vprobe
	update_config '.process.user = {"uid": 1000, "gid": 1001, "additionalGids": [5, 7]}'
	set_args vprobe ids
	run vessel run "$CID"
	assert_success
	assert_line "uid 1000 1000 1000"
	assert_line "gid 1001 1001 1001"
	assert_line "groups 5 7"
}

@test "process: umask" {
	update_config '.process.user.umask = 23'
	set_cmd umask
	run vessel run "$CID"
	assert_success
	assert_output 0027
}

@test "process: cwd is entered, and created when missing" {
	update_config '.process.cwd = "/var/new/work" | .root.readonly = false'
	set_cmd pwd
	run vessel run "$CID"
	assert_success
	assert_output /var/new/work
	[ -d "$BUNDLE/rootfs/var/new/work" ]
}

@test "process: env is exactly the config's" {
	update_config '.process.env = ["FOO=bar baz", "PATH=/bin:/usr/bin"]'
	set_cmd 'env | sort'
	run vessel run "$CID"
	assert_success
	assert_line "FOO=bar baz"
	assert_line "PATH=/bin:/usr/bin"
	refute_line --regexp '^VESSEL|^BATS'
}

@test "process: args[0] is looked up in the container's PATH" {
	update_config '.process.env = ["PATH=/opt/bin"]'
	mkdir -p "$BUNDLE/rootfs/opt/bin"
	printf '#!/bin/sh\necho from-opt\n' >"$BUNDLE/rootfs/opt/bin/mytool"
	chmod +x "$BUNDLE/rootfs/opt/bin/mytool"
	set_args mytool
	run vessel run "$CID"
	assert_success
	assert_output from-opt
}

@test "process: rlimits are applied" {
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 123, "hard": 456}, {"type": "RLIMIT_CORE", "soft": 0, "hard": 0}]'
	set_cmd 'ulimit -Sn; ulimit -Hn; ulimit -c'
	run vessel run "$CID"
	assert_success
	assert_output "123
456
0"
}

@test "process: an rlimit above what vessel may raise fails and leaves nothing" {
	# The host's hard nofile limit; raising a hard limit needs CAP_SYS_RESOURCE.
	hard=$(ulimit -Hn)
	[ "$hard" != unlimited ] || skip "hard nofile is unlimited here"
	update_config ".process.rlimits = [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1024, \"hard\": $((hard + 1000))}]"
	set_args true
	run vessel run "$CID"
	if [ "$status" -eq 0 ]; then
		skip "vessel may raise hard limits here (CAP_SYS_RESOURCE)"
	fi
	assert_output --partial "process.rlimits[0] RLIMIT_NOFILE"
	assert_output --partial "Operation not permitted"
	[ ! -e "$ROOT/$CID" ]
}

@test "process: noNewPrivileges sets no_new_privs, false leaves it off" {
	requires helper vprobe
	set_args vprobe nnp
	update_config '.process.noNewPrivileges = true'
	run vessel run "$CID"
	assert_success
	assert_output "nnp 1"
	update_config '.process.noNewPrivileges = false'
	run vessel run "$CID"
	assert_success
	assert_output "nnp 0"
}

@test "process: oomScoreAdj" {
	update_config '.process.oomScoreAdj = 500'
	set_cmd 'cat /proc/self/oom_score_adj'
	run vessel run "$CID"
	assert_success
	assert_output 500
}

@test "process: the capability sets inside equal the config's" {
	caps='["CAP_CHOWN", "CAP_NET_RAW", "CAP_SYS_ADMIN", "CAP_KILL"]'
	update_config ".process.capabilities = {\"bounding\": $caps, \"effective\": $caps, \"permitted\": $caps, \"inheritable\": [\"CAP_KILL\"], \"ambient\": []}"
	set_cmd 'grep ^Cap /proc/self/status'
	run vessel run "$CID"
	assert_success
	want=$(cap_mask CAP_CHOWN CAP_NET_RAW CAP_SYS_ADMIN CAP_KILL)
	assert_line "CapEff:	$want"
	assert_line "CapPrm:	$want"
	assert_line "CapBnd:	$want"
	assert_line "CapInh:	$(cap_mask CAP_KILL)"
	assert_line "CapAmb:	0000000000000000"
}

@test "process: a non-root user keeps exactly its ambient capabilities" {
	caps='["CAP_NET_BIND_SERVICE", "CAP_KILL"]'
	update_config ".process.user = {\"uid\": 1000, \"gid\": 1000} | .process.capabilities = {\"bounding\": $caps, \"effective\": $caps, \"permitted\": $caps, \"inheritable\": $caps, \"ambient\": $caps}"
	set_cmd 'id -u; grep ^Cap /proc/self/status'
	run vessel run "$CID"
	assert_success
	want=$(cap_mask CAP_NET_BIND_SERVICE CAP_KILL)
	assert_line 1000
	assert_line "CapEff:	$want"
	assert_line "CapAmb:	$want"
	assert_line "CapBnd:	$want"
}

@test "process: a non-root user without ambient capabilities has none effective" {
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	set_cmd 'grep ^CapEff /proc/self/status'
	run vessel run "$CID"
	assert_success
	assert_output "CapEff:	0000000000000000"
}

@test "process: an unknown capability is refused and leaves nothing" {
	update_config '.process.capabilities.effective += ["CAP_NOT_A_THING"]'
	run vessel run "$CID"
	assert_failure
	assert_output --partial 'process.capabilities.effective'
	assert_output --partial 'unknown capability "CAP_NOT_A_THING"'
	[ ! -e "$ROOT/$CID" ]
}

@test "process: scheduler policy and nice" {
	requires helper vprobe
	update_config '.process.scheduler = {"policy": "SCHED_BATCH", "nice": 7}'
	set_args vprobe sched
	run vessel run "$CID"
	assert_success
	assert_line "policy SCHED_BATCH"
	assert_line "nice 7"
}

@test "process: ioPriority" {
	requires helper vprobe
	update_config '.process.ioPriority = {"class": "IOPRIO_CLASS_BE", "priority": 6}'
	set_args vprobe ioprio
	run vessel run "$CID"
	assert_success
	assert_line "class IOPRIO_CLASS_BE"
	assert_line "priority 6"
}

@test "process: personality LINUX32" {
	update_config '.linux.personality = {"domain": "LINUX32"}'
	set_cmd 'uname -m'
	run vessel run "$CID"
	assert_success
	assert_output i686
}

@test "process: execCPUAffinity final pins the process" {
	requires helper vprobe
	[ "$(nproc)" -ge 2 ] || skip "needs 2 cpus"
	update_config '.process.execCPUAffinity = {"initial": "0-1", "final": "1"}'
	set_args vprobe affinity
	run vessel run "$CID"
	assert_success
	assert_output "cpus 1"
}

@test "process: a bad cpu list is refused and leaves nothing" {
	update_config '.process.execCPUAffinity = {"final": "3-1"}'
	run vessel run "$CID"
	assert_failure
	assert_output --partial "process.execCPUAffinity.final"
	[ ! -e "$ROOT/$CID" ]
}

@test "process: an apparmorProfile that cannot be applied is an error" {
	[ ! -e /proc/self/attr/apparmor/exec ] || skip "AppArmor is enabled on this host"
	update_config '.process.apparmorProfile = "vessel-test"'
	run vessel run "$CID"
	assert_failure
	assert_output --partial 'process.apparmorProfile "vessel-test": AppArmor is not enabled'
	[ ! -e "$ROOT/$CID" ]
}

@test "process: a selinuxLabel that cannot be applied is an error" {
	[ ! -e /sys/fs/selinux/enforce ] || skip "SELinux is enabled on this host"
	update_config '.process.selinuxLabel = "system_u:system_r:container_t:s0"'
	run vessel run "$CID"
	assert_failure
	assert_output --partial 'process.selinuxLabel'
	assert_output --partial 'SELinux is not enabled'
	[ ! -e "$ROOT/$CID" ]
}

@test "process: a cwd only root can enter is entered before the user switch (runc's order)" {
	update_config '.process.user = {"uid": 1000, "gid": 1000} | .process.cwd = "/root"'
	chmod 0700 "$BUNDLE/rootfs/root"
	set_args sh -c 'pwd; ls . >/dev/null 2>&1 || echo cannot-list'
	run vessel run "$CID"
	assert_success
	assert_line --index 0 /root
	assert_line --index 1 cannot-list
}

@test "process: a cwd that is not a directory fails create and leaves nothing" {
	update_config '.process.cwd = "/etc/passwd"'
	set_args true
	run vessel run "$CID"
	assert_failure
	assert_output --partial "init step chdir: process.cwd: chdir /etc/passwd: Not a directory"
	[ ! -e "$ROOT/$CID" ]
}
