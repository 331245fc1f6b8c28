#!/usr/bin/env bats
# The seccomp filter goes on as late as it can: right before execve in the
# init (after the exec FIFO, the startContainer hooks, the final affinity)
# and in exec's child (after the user switch and the capabilities), with or
# without noNewPrivileges (without it the kernel wants CAP_SYS_ADMIN, which
# vessel holds until execve), so a profile need allow nothing of vessel's: an allow-list with exactly what
# a static busybox needs runs, where it used to fail with "init step fds:
# close_range: Operation not permitted" (issue 14).

load helpers

# What a static busybox `true` and `sleep` make, from execve to exit_group.
BUSYBOX_SYSCALLS='["execve", "arch_prctl", "brk", "getrandom", "getuid", "mprotect",
	"prctl", "prlimit64", "readlink", "rseq", "set_robust_list", "set_tid_address",
	"clock_nanosleep", "exit_group", "exit"]'

# minimal_profile [NNP]: noNewPrivileges true (default) or false
minimal_profile() {
	requires seccomp
	update_config ".process.noNewPrivileges = ${1:-true} |
		.linux.seccomp = {defaultAction: \"SCMP_ACT_ERRNO\", defaultErrnoRet: 1,
		syscalls: [{names: $BUSYBOX_SYSCALLS, action: \"SCMP_ACT_ALLOW\"}]}"
}

@test "seccomp order: run under an allow-list of only busybox's syscalls" {
	minimal_profile
	set_args /bin/true
	run vessel run "$CID"
	assert_success
	assert_output ""
}

@test "seccomp order: create, start under that allow-list, with a startContainer hook and final affinity" {
	minimal_profile
	update_config '.hooks.startContainer = [{path: "/bin/true"}] |
		.process.execCPUAffinity = {final: "0"}'
	set_args /bin/true
	detached vessel create "$CID"
	run vessel start "$CID"
	assert_success
	wait_for_status "$CID" stopped
}

@test "seccomp order: exec under that allow-list" {
	minimal_profile
	set_args sleep 1000
	detached vessel run -d "$CID"
	wait_for_status "$CID" running
	run vessel exec "$CID" /bin/true
	assert_success
	run vessel exec --cwd /proc -u 1000 "$CID" /bin/true
	assert_success
	# the filter is on: anything beyond the list is refused
	run vessel exec "$CID" /bin/ls /
	assert_failure
}

@test "seccomp order: without noNewPrivileges too, for run, exec, and a non-root user" {
	minimal_profile false
	set_args /bin/true
	run vessel run "$(new_id)"
	assert_success
	update_config '.process.user = {uid: 1000, gid: 1000}'
	run vessel run "$(new_id)"
	assert_success
	update_config '.process.user = {uid: 0, gid: 0}'
	set_args sleep 1000
	detached vessel run -d "$CID"
	wait_for_status "$CID" running
	run vessel exec "$CID" /bin/true
	assert_success
	run vessel exec -u 1000 "$CID" /bin/true
	assert_success
}

# no_sys_admin: fail if any capability set in $output (grep Cap of
# /proc/self/status) has CAP_SYS_ADMIN (bit 21)
no_sys_admin() {
	local set v
	for set in CapInh CapPrm CapEff CapAmb; do
		v=$(awk -v s="$set:" '$1 == s {print $2}' <<<"$output")
		[[ -n $v ]] || fail "no $set in: $output"
		(((16#$v & 0x200000) == 0)) || fail "$set has CAP_SYS_ADMIN: $output"
	done
}

@test "seccomp order: the capability held for a late filter does not reach the process" {
	requires seccomp
	update_config '.process.noNewPrivileges = false |
		.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
			syscalls: [{names: ["kexec_load"], action: "SCMP_ACT_ERRNO"}]}'
	set_args sh -c 'grep Cap /proc/self/status'
	run vessel run "$(new_id)"
	assert_success
	no_sys_admin
	set_args sleep 1000
	detached vessel run -d "$CID"
	wait_for_status "$CID" running
	run vessel exec "$CID" sh -c 'grep Cap /proc/self/status'
	assert_success
	no_sys_admin
	run vessel exec -u 1000 "$CID" sh -c 'grep Cap /proc/self/status'
	assert_success
	no_sys_admin
}
