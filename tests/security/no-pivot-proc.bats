#!/usr/bin/env bats
# --no-pivot chroots into the root instead of pivot_root, so the host's own
# procfs and sysfs stay in the container's mount namespace.  The kernel lets
# a user namespace mount a fresh procfs only where one is already fully
# visible in its mount namespace; with the host's /proc still there, a
# container process that may unshare (no seccomp profile stopping it) mounts
# an unmasked procfs of its own (maskedPaths and readonlyPaths gone:
# /proc/sysrq-trigger, /proc/sys writable by its root).  runc's no_pivot test
# is this attack.  vessel detaches the host's procfs and sysfs mounts of that
# namespace before the chroot (runtime/rootfs/pivot.c, hide_host_procfs).
# Not switchable in the weak build: the attack's success on a build without
# the fix was seen (the mount succeeded) before it was closed.

load helpers

@test "no-pivot: a user namespace in the container cannot mount a fresh procfs" {
	# as runc's test: CAP_SETFCAP so the new user namespace's map is written
	update_config 'del(.linux.seccomp) | .process.capabilities.bounding += ["CAP_SETFCAP"] | .process.capabilities.permitted += ["CAP_SETFCAP"] | .process.capabilities.effective += ["CAP_SETFCAP"]'
	set_args unshare -mrpf sh -c 'mount -t proc none /proc && echo MOUNTED'
	run vessel run --no-pivot "$CID"
	assert_failure
	refute_output --partial MOUNTED
	assert_output --partial "permission denied"
}

@test "no-pivot: the container's own /proc is still there, /proc/sys read-only" {
	set_args sh -c 'test -e /proc/self/status && echo proc-ok; awk '"'"'$5 == "/proc/sys" { print substr($6, 1, 2) }'"'"' /proc/self/mountinfo'
	run vessel run --no-pivot "$CID"
	assert_success
	assert_line proc-ok
	assert_line ro
}
